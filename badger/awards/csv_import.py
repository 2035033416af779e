"""CSV bulk award: parse the file, plan each row (the dry run), without writing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger import guards
from badger.accounts.models import Participant
from badger.awards.common import MAX_BATCH
from badger.awards.issuance import AwardRequest, check_eligible, existing_credential
from badger.awards.models import (
    Achievement,
)
from badger.awards.signing import recipient_from
from badger.errors import UserError
from badger.networks.models import Organisation

CSV_COLUMNS = ("participant", "level", "narrative", "email", "phone", "did", "observation")


@dataclass
class CsvRow:
    line: int
    raw: dict[str, str]
    participant: Participant | None
    request: AwardRequest | None
    plan: str  # issue | claim | already | error
    message: str = ""


def parse_csv(text: str, max_rows: int = MAX_BATCH) -> list[dict[str, str]]:
    """Rows of a CSV (comma or semicolon) with a header naming at least ``participant``."""
    text = text.lstrip("\ufeff")
    # The header line names the columns: its most frequent separator is the file's. (csv.Sniffer
    # is quadratic on a long line with quotes: a 300 KB one took minutes.)
    header = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=header.count)
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    rows = []
    try:
        try:
            fieldnames = reader.fieldnames
        except csv.Error as exc:
            raise guards.CsvRefused(1, str(exc)) from exc
        if not fieldnames or "participant" not in [(f or "").strip().lower() for f in fieldnames]:
            raise UserError(_l("La première ligne doit nommer les colonnes, dont « participant »."),
                            422)
        for row in guards.csv_rows(reader):
            assert isinstance(row, dict)
            rows.append({(k or "").strip().lower(): (v or "").strip() for k, v in row.items()
                         if k is not None})
            if len(rows) > max_rows:
                raise UserError(_l("Trop de lignes à la fois (%(n)d au plus).", n=max_rows), 413)
    except guards.CsvRefused as exc:
        raise UserError(_l("Ligne %(line)d illisible : cellule de plus de 128 Ko, guillemet "
                           "jamais fermé ou caractère nul.", line=exc.line), 400) from exc
    return rows


def plan_csv(session: Session, org: Organisation, ach: Achievement,
             rows: Iterable[dict[str, str]]) -> list[CsvRow]:
    """The dry run: what each row would do, without writing anything."""
    check_eligible(session, org, ach)
    people = list(session.scalars(
        select(Participant).where(Participant.organisation_id == org.id)
        .execution_options(unscoped=True)))
    by_id = {str(p.id): p for p in people}
    by_name: dict[str, list[Participant]] = {}
    for p in people:
        by_name.setdefault(p.display_name.strip().lower(), []).append(p)
    planned: list[CsvRow] = []
    seen: set[int] = set()
    for i, raw in enumerate(rows, start=2):
        key = raw.get("participant", "")
        match = [by_id[key]] if key in by_id else by_name.get(key.lower(), [])
        if len(match) != 1:
            msg = (_l("Plusieurs participants portent ce nom ; utilisez leur numéro.")
                   if match else _l("Participant inconnu dans votre organisation."))
            planned.append(CsvRow(i, raw, None, None, "error", str(msg)))
            continue
        person = match[0]
        level_text = raw.get("level", "")
        try:
            level = int(level_text) if level_text else ach.min_level
        except ValueError:
            planned.append(CsvRow(i, raw, person, None, "error",
                                  str(_l("Niveau non valable."))))
            continue
        req = AwardRequest(participant_id=person.id, level=level,
                           narrative=raw.get("narrative", ""), email=raw.get("email") or None,
                           phone=raw.get("phone") or None, did=raw.get("did") or None,
                           observation=raw.get("observation", ""))
        if person.id in seen or existing_credential(session, person.id, ach.id) is not None:
            planned.append(CsvRow(i, raw, person, req, "already",
                                  str(_l("Badge déjà attribué à cette personne."))))
            continue
        if not 0 <= level <= 5 or level < ach.min_level:
            planned.append(CsvRow(i, raw, person, req, "error",
                                  str(_l("Niveau insuffisant ou hors de 0 à 5."))))
            continue
        try:
            recipient = recipient_from(email=req.email or person.email,
                                       phone=req.phone or person.phone, did=req.did)
        except UserError as exc:
            planned.append(CsvRow(i, raw, person, req, "error", str(exc.message)))
            continue
        seen.add(person.id)
        planned.append(CsvRow(i, raw, person, req, "issue" if recipient else "claim"))
    return planned
