"""Networks and organisations: who issues, and which regional networks vouch for whom."""
