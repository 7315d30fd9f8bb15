"""Tsunagu (つなぐ): open digital public infrastructure for Japan's governments."""

__version__ = "0.1.0"
