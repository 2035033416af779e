"""Open Badges 3.0 core library (see module docstrings)."""
