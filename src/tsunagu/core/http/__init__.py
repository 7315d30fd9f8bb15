"""HTTP building blocks shared by every part's thin api.py and pages.py layers."""
