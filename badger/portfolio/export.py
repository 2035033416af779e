"""The participant's data export: everything kept about them, as JSON plus their credentials'
files, in one zip.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from badger import maintenance
from badger.accounts.models import Participant
from badger.awards import credential_texts, credential_versions
from badger.awards import evidence as chart_evidence
from badger.awards.models import Credential
from badger.errors import UserError
from badger.grids import export_round
from badger.holders.service import export_rows as identity_rows
from badger.notifications import export_rows as notification_rows
from badger.portfolio.badges import credential_file
from badger.portfolio.imports import import_file
from badger.portfolio.models import Share
from badger.portfolio.reading import my_credentials, my_imports, my_rounds, my_shares, view_stats


def _json(rows: Any) -> str:
    return json.dumps(rows, ensure_ascii=False, indent=2)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _profile(participant: Participant) -> dict[str, Any]:
    return {
        "display_name": participant.display_name,
        "email": participant.email,
        "phone": participant.phone,
        "locale": participant.locale,
        "easy_read": participant.easy_read,
        "created_at": _iso(participant.created_at),
        "organisation": participant.organisation.name,
    }


def _badge_rows(db: Session, creds: Sequence[Credential]) -> list[dict[str, Any]]:
    """Each credential as it is written (its name in its language) and its current version."""
    versions = credential_versions(db, creds)  # the files exported are the current ones
    texts = {c.id: credential_texts(db, c) for c in creds}  # as each one is written
    return [
        {
            "id": c.id,
            "name": texts[c.id].name,
            "language": texts[c.id].language,
            "level": c.level,
            "issued_at": _iso(c.issued_at),
            "valid_until": _iso(c.valid_until),
            "revoked": c.revoked_at is not None,
            "suspended": c.suspended_at is not None,
            "public": c.public,
            "version": versions[c.id].to_json() if c.id in versions else None,
        }
        for c in creds
    ]


def _share_rows(db: Session, shares: Sequence[Share]) -> list[dict[str, Any]]:
    """Each share link with its items and every date it was opened."""
    stats = view_stats(db, [s.id for s in shares], dates=10_000)
    return [
        {
            "label": s.label,
            "created_at": _iso(s.created_at),
            "expires_at": s.expires_at.isoformat(),
            "revoked_at": _iso(s.revoked_at),
            "items": [
                {"kind": i.kind, "id": i.credential_id or i.round_id or i.imported_id}
                for i in s.items
            ],
            "views": [d.isoformat() for d in stats[s.id].dates],
        }
        for s in shares
    ]


def _credential_files(zf: zipfile.ZipFile, creds: Sequence[Credential]) -> None:
    for cred in creds:
        for fmt in ("json", "jwt", "png", "svg"):
            try:
                body, _mime, name = credential_file(cred, fmt)
            except UserError:
                continue
            zf.writestr(f"credentials/{cred.id}-{name}", body)


def export_zip(db: Session, participant: Participant) -> bytes:
    """Everything kept about the participant, as JSON plus their credentials' files."""
    creds = my_credentials(db, participant)
    badges = _badge_rows(db, creds)
    shares = _share_rows(db, my_shares(db, participant))
    imports = my_imports(db, participant)
    rounds = my_rounds(db, participant)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("profile.json", _json(_profile(participant)))
        zf.writestr("badges.json", _json(badges))
        _credential_files(zf, creds)
        # charts the participant attached to their badges (public images, see awards.evidence)
        for cred_id, png in chart_evidence.participant_images(db, participant.id):
            zf.writestr(f"credentials/{cred_id}-chart.png", png)
        zf.writestr("shares.json", _json(shares))
        for imp in imports:
            body, _mime, name = import_file(imp)
            zf.writestr(f"imported/{name}", body)
        # proven e-mails, phones and DIDs: masked labels and keyed hashes, never the values
        zf.writestr("identities.json", _json(identity_rows(db, participant)))
        zf.writestr("grids.json", _json([export_round(db, r) for r in rounds]))
        # what domains above this one keep about the person (outcomes: exits, follow-ups)
        for name, rows in maintenance.export_participant(db, participant).items():
            zf.writestr(name, _json(rows))
        # the channel and address given for messages, and the messages still kept
        zf.writestr("notifications.json", _json(notification_rows(db, participant)))
    return out.getvalue()
