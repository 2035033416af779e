"""Bundled 1EdTech OB 3.0 JSON Schemas (package data), loaded by :mod:`badger.ob3.schema`."""
