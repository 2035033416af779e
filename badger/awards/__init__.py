"""awards domain: badge definitions, issuance, claims, revocation, the issuer's public documents.

Modules by concern: :mod:`.definitions` (badges), :mod:`.translations` (their languages and
derived documents), :mod:`.status_lists`, :mod:`.signing`, :mod:`.issuance`, :mod:`.consent`,
:mod:`.claims`, :mod:`.revocation`, :mod:`.csv_import`, :mod:`.reading`, :mod:`.identifiers`.
Functions take a SQLAlchemy session and plain values and ``flush()`` but never ``commit()``: the
caller's transaction (one per request) holds a whole batch. Issuance order inside it: the
credential row and its random status index are added, the session is flushed (the unique
constraints speak *before* any signing work), then the documents are signed and baked.

Privacy: a recipient's e-mail or phone is only ever hashed (salted SHA-256, ``ob3.model``) into
the credential; the clear value is never stored, logged or put in a URL.
"""

from badger.awards.claims import (
    claimed_credential,
    clean_code,
    find_claim,
    redeem_claim,
    renew_claim,
)
from badger.awards.common import MAX_BATCH, AwardSettings
from badger.awards.consent import (
    Proposal,
    award_proposal,
    award_proposals,
    consent,
    proposals,
)
from badger.awards.csv_import import CSV_COLUMNS, CsvRow, parse_csv, plan_csv
from badger.awards.definitions import (
    LANGUAGE_RE,
    MAX_TRANSLATIONS,
    AchievementInput,
    adoptable_competences,
    adopted_version_ids,
    create_achievement,
    default_criteria,
    update_achievement,
)
from badger.awards.identifiers import set_issuer_identifier, set_jwt_algorithm
from badger.awards.issuance import (
    AwardRequest,
    RowResult,
    award_many,
    award_many_retrying,
    award_one,
    check_eligible,
    session_requests,
)
from badger.awards.reading import (
    HOLDER_ERASED,
    CredentialVersion,
    copy_state,
    credential_for_staff,
    credential_versions,
    holder_withdrawn,
    own_credential,
    public_credential,
)
from badger.awards.revocation import reissue, revoke, suspend, unsuspend, withdraw_for_holder
from badger.awards.signing import (
    build_credential,
    recipient_from,
    sign_data_integrity,
    sign_vc_jwt,
)
from badger.awards.status_lists import IndexAllocator, register_taken_indexes, signing_keys
from badger.awards.translations import (
    BadgeImage,
    TranslationInput,
    achievement_json,
    achievement_texts,
    badge_image,
    chosen_language,
    credential_language,
    credential_texts,
    document_language,
    in_language,
    match_language,
    offer_languages,
    translations_of,
)

__all__ = [
    "CSV_COLUMNS",
    "HOLDER_ERASED",
    "LANGUAGE_RE",
    "MAX_BATCH",
    "MAX_TRANSLATIONS",
    "AchievementInput",
    "AwardRequest",
    "AwardSettings",
    "BadgeImage",
    "CredentialVersion",
    "CsvRow",
    "IndexAllocator",
    "Proposal",
    "RowResult",
    "TranslationInput",
    "achievement_json",
    "achievement_texts",
    "adoptable_competences",
    "adopted_version_ids",
    "award_many",
    "award_many_retrying",
    "award_one",
    "award_proposal",
    "award_proposals",
    "badge_image",
    "build_credential",
    "check_eligible",
    "chosen_language",
    "claimed_credential",
    "clean_code",
    "consent",
    "copy_state",
    "create_achievement",
    "credential_for_staff",
    "credential_language",
    "credential_texts",
    "credential_versions",
    "default_criteria",
    "document_language",
    "find_claim",
    "holder_withdrawn",
    "in_language",
    "match_language",
    "offer_languages",
    "own_credential",
    "parse_csv",
    "plan_csv",
    "proposals",
    "public_credential",
    "recipient_from",
    "redeem_claim",
    "register_taken_indexes",
    "reissue",
    "renew_claim",
    "revoke",
    "session_requests",
    "set_issuer_identifier",
    "set_jwt_algorithm",
    "sign_data_integrity",
    "sign_vc_jwt",
    "signing_keys",
    "suspend",
    "translations_of",
    "unsuspend",
    "update_achievement",
    "withdraw_for_holder",
]
