"""awards domain."""
