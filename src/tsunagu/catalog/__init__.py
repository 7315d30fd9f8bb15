"""Catalog and open data: registry catalog, data dictionary, code lists, DCAT publication."""
