"""Notifications: an outbox of short messages (e-mail, SMS) with retries, in the reader's language.

Low in the layer order (just above accounts) so that any domain may enqueue a message."""
