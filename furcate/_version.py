"""furcate's version: one place, importable from every layer (the cache keys use it)."""

__version__ = "0.1.0"
