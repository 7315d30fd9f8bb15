"""Proxies (代理人): a resident lets another resident act for them."""
