"""Job offers matched to validated competences: vouched-for employers, offers (posted or
imported from job boards), participants' opt-in, applications through a share link, and the
three-way meeting guide. See README "Job offers"."""

from badger.jobs.applications import apply, preference, set_preference, withdraw
from badger.jobs.employers import live_employer, revoke, vouch
from badger.jobs.imports import import_file
from badger.jobs.matching import explain, fitting_participants, matches
from badger.jobs.offers import OfferInput, live_offers, post

__all__ = [
    "OfferInput", "apply", "explain", "fitting_participants", "import_file", "live_employer",
    "live_offers", "matches", "post", "preference", "revoke", "set_preference", "vouch",
    "withdraw",
]
