"""portfolio domain."""
