"""法人番号: the corporate registry, imported from the National Tax Agency's published data."""
