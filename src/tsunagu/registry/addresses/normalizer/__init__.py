"""Address normalizer: free text → structured address with a match level and codes."""
