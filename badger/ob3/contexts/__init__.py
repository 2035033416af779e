"""Bundled JSON-LD contexts (package data), served offline by :mod:`badger.ob3.loader`."""
