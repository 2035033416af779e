"""Identities a participant has proven (e-mail, phone, DID): what binds a badge to its holder."""
