"""Offers from job boards, for one organisation's participants.

Two formats, told apart by their content:

* schema.org ``JobPosting`` JSON-LD (what job boards publish for search engines): a file with
  one object, a list, an ``@graph``, or an HTML page whose ``<script type="application/ld+json">``
  blocks hold them;
* France Travail's "Offres d'emploi v2" answers (``{"resultats": [...]}``).

Savoir-être come from the text through the référentiel's recruiter words
(:mod:`badger.jobs.words`): JSON-LD ``skills``, ``qualifications``, ``description``;
France Travail ``qualitesProfessionnelles[].libelle`` (ROME savoir-être). Each recognised
competence is required at :data:`DEFAULT_LEVEL`. An offer with no recognised savoir-être is
skipped (nothing to match). Expiry: ``validThrough``; else :data:`DEFAULT_DAYS` after the
posting date (``datePosted`` / ``dateCreation``), else after the import; an offer already
expired is skipped. The same source id (``identifier``/``url`` / ``id``) updates its offer."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from badger import audit
from badger.db import utcnow
from badger.errors import UserError
from badger.jobs import rome, words
from badger.jobs.models import Offer, Requirement
from badger.jobs.offers import usable_versions
from badger.ob3 import safejson
from badger.referentiels.models import ReferentielVersion

MAX_BYTES = 2_000_000
MAX_OFFERS = 500
DEFAULT_LEVEL = 3
DEFAULT_DAYS = 30

_FT_CONTRACTS = {"CDI": "CDI", "CDD": "CDD", "MIS": "interim", "SAI": "saisonnier"}
_SCHEMA_CONTRACTS = {"TEMPORARY": "CDD", "INTERN": "stage", "CONTRACTOR": "interim"}
_WORD_CONTRACTS = (("alternance", "alternance"), ("apprentissage", "alternance"),
                   ("interim", "interim"), ("insertion", "insertion"), ("cdd", "CDD"),
                   ("cdi", "CDI"))


@dataclass
class Posting:
    source_id: str
    title: str
    rome_code: str | None
    place: str
    postcode: str
    contract: str
    expires_at: datetime
    url: str = ""
    employer_name: str = ""
    description: str = ""
    #: texts to find savoir-être in, and whether each must be a whole word (FT libellés)
    texts: list[str] = field(default_factory=list)


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    skipped_expired: int = 0
    skipped_no_skill: int = 0


class _LdScripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._in = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and (dict(attrs).get("type") or "").lower() == "application/ld+json":
            self._in = True
            self.blocks.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in = False

    def handle_data(self, data: str) -> None:
        if self._in:
            self.blocks[-1] += data


def _json(text: str) -> Any:
    try:
        return safejson.loads(text)
    except ValueError as exc:
        raise UserError(_l("Ce fichier n'est pas du JSON lisible."), 400) from exc


def documents(raw: bytes) -> list[Any]:
    """The JSON documents of an upload (one, or each JSON-LD block of an HTML page)."""
    if len(raw) > MAX_BYTES:
        raise UserError(_l("Fichier trop gros (2 Mo au plus)."), 413)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UserError(_l("Ce fichier n'est pas du texte UTF-8."), 400) from exc
    if text.lstrip().startswith("<"):
        parser = _LdScripts()
        parser.feed(text)
        if not parser.blocks:
            raise UserError(_l("Cette page ne contient aucune offre lisible (JSON-LD)."), 400)
        return [_json(b) for b in parser.blocks]
    return [_json(text)]


def _str(value: Any, limit: int = 300) -> str:
    if isinstance(value, dict):
        value = value.get("name") or value.get("value") or value.get("libelle") or ""
    return " ".join(str(value).split())[:limit] if isinstance(value, str | int | float) else ""


def _strings(value: Any, limit: int = 100) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [s for s in (_str(v, 5000) for v in items[:limit]) if s]


def _date(value: Any) -> datetime | None:
    text = _str(value, 40)
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _expiry(valid_through: Any, posted: Any) -> datetime:
    end = _date(valid_through)
    if end is not None:
        return end.astimezone(UTC)
    start = _date(posted) or utcnow()
    return start.astimezone(UTC) + timedelta(days=DEFAULT_DAYS)


def _strip_html(text: str) -> str:
    return re.sub(r"<[^>]*>", " ", text)


def _contract(*hints: str) -> str:
    plain = f" {words.normalise(' '.join(hints))} "
    return next((c for w, c in _WORD_CONTRACTS if f" {w} " in plain), "autre")


def _job_postings(doc: Any, depth: int = 0) -> list[dict[str, Any]]:
    if depth > 3:
        return []
    if isinstance(doc, list):
        return [p for d in doc[:MAX_OFFERS] for p in _job_postings(d, depth + 1)]
    if not isinstance(doc, dict):
        return []
    if "@graph" in doc:
        return _job_postings(doc["@graph"], depth + 1)
    kind = doc.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return [doc] if "JobPosting" in kinds else []


def _place(location: Any) -> tuple[str, str]:
    if isinstance(location, list):
        location = location[0] if location else {}
    address = location.get("address", {}) if isinstance(location, dict) else {}
    if not isinstance(address, dict):
        return _str(address, 120), ""
    return _str(address.get("addressLocality"), 120), _str(address.get("postalCode"), 10)


def from_schema_org(doc: dict[str, Any]) -> Posting:
    place, postcode = _place(doc.get("jobLocation"))
    kinds = _strings(doc.get("employmentType"))
    contract = next((_SCHEMA_CONTRACTS[k] for k in kinds if k in _SCHEMA_CONTRACTS), None)
    title = _str(doc.get("title"), 200)
    description = _strip_html(_str(doc.get("description"), 5000))
    ident = doc.get("identifier")
    if isinstance(ident, dict):  # a PropertyValue: its value, not the board's name
        ident = ident.get("value")
    ident = _str(ident, 120) or _str(doc.get("url"), 120) or \
        _str(doc.get("@id"), 120)
    org = doc.get("hiringOrganization")
    texts = _strings(doc.get("skills")) + _strings(doc.get("qualifications")) + [description]
    return Posting(
        source_id=ident or hashlib.sha256(f"{title}|{place}".encode()).hexdigest()[:40],
        title=title, rome_code=rome.from_category(_str(doc.get("occupationalCategory"))),
        place=place, postcode=postcode,
        contract=contract or _contract(title, " ".join(kinds), description[:300]),
        expires_at=_expiry(doc.get("validThrough"), doc.get("datePosted")),
        url=_str(doc.get("url"), 1000), employer_name=_str(org, 200),
        description=description, texts=texts)


def from_france_travail(row: dict[str, Any]) -> Posting:
    lieu: dict[str, Any] = row["lieuTravail"] if isinstance(row.get("lieuTravail"), dict) else {}
    qualities = row.get("qualitesProfessionnelles")
    libelles = [_str(q) for q in (qualities if isinstance(qualities, list) else [])[:30]]
    code = _str(row.get("romeCode"), 5).upper()
    contract = "alternance" if row.get("alternance") is True else _FT_CONTRACTS.get(
        _str(row.get("typeContrat"), 5), "autre")
    company = row.get("entreprise")
    origin: dict[str, Any] = (row["origineOffre"] if isinstance(row.get("origineOffre"), dict)
                              else {})
    return Posting(
        source_id=_str(row.get("id"), 120), title=_str(row.get("intitule"), 200),
        rome_code=code if rome.valid(code) else None,
        place=_str(lieu.get("libelle"), 120), postcode=_str(lieu.get("codePostal"), 10),
        contract=contract, expires_at=_expiry(None, row.get("dateCreation")),
        url=_str(origin.get("urlOrigine"), 1000), employer_name=_str(company, 200),
        description=_str(row.get("description"), 5000), texts=[x for x in libelles if x])


def postings(raw: bytes) -> list[Posting]:
    found: list[Posting] = []
    for doc in documents(raw):
        if isinstance(doc, dict) and isinstance(doc.get("resultats"), list):
            found += [from_france_travail(r) for r in doc["resultats"][:MAX_OFFERS]
                      if isinstance(r, dict)]
        else:
            found += [from_schema_org(d) for d in _job_postings(doc)]
    if len(found) > MAX_OFFERS:
        raise UserError(_l("Trop d'offres dans un fichier (500 au plus)."), 413)
    return [p for p in found if p.source_id and p.title]


def _requirements(vocab: list[words.Word], posting: Posting) -> list[Requirement]:
    reqs: dict[int, Requirement] = {}
    for text in posting.texts:
        for w in words.find(vocab, text):
            reqs.setdefault(w.competence_id, Requirement(
                competence_id=w.competence_id, min_level=DEFAULT_LEVEL, word=w.text[:300]))
    return list(reqs.values())


def _choose_version(db: Session, organisation_id: int, found: list[Posting],
                    referentiel_key: str | None) -> tuple[ReferentielVersion, list[words.Word]]:
    versions = [v for v in usable_versions(db, [organisation_id])
                if referentiel_key in (None, v.referentiel.key)]
    if not versions:
        raise UserError(_l("L'organisation n'a adopté aucun référentiel publié pour cela."), 422)
    scored = [(sum(bool(_requirements(vocab, p)) for p in found), v, vocab)
              for v in versions for vocab in [words.vocabulary(db, v)]]
    _score, version, vocab = max(scored, key=lambda s: s[0])
    return version, vocab


def import_file(db: Session, raw: bytes, *, organisation_id: int, source: str,
                referentiel_key: str | None = None, actor: object = None) -> Report:
    source = " ".join(source.split())[:60]
    if not source:
        raise UserError(_l("Donnez le nom de la source (le site d'emploi)."), 422)
    found = postings(raw)
    version, vocab = _choose_version(db, organisation_id, found, referentiel_key)
    report = Report()
    now = utcnow()
    for p in found:
        reqs = _requirements(vocab, p)
        if p.expires_at <= now:
            report.skipped_expired += 1
            continue
        if not reqs:
            report.skipped_no_skill += 1
            continue
        offer = db.scalar(select(Offer).where(Offer.organisation_id == organisation_id,
                                              Offer.source == source,
                                              Offer.source_id == p.source_id))
        if offer is None:
            offer = Offer(organisation_id=organisation_id, source=source, source_id=p.source_id)
            db.add(offer)
            report.created += 1
        else:
            offer.requirements = []
            db.flush()
            report.updated += 1
        offer.referentiel_version_id = version.id
        offer.title, offer.rome_code, offer.place = p.title, p.rome_code, p.place
        offer.postcode, offer.contract, offer.expires_at = p.postcode, p.contract, p.expires_at
        offer.source_url, offer.employer_name = p.url, p.employer_name
        offer.description, offer.requirements = p.description, reqs
        db.flush()
    audit.record(db, "jobs.import", actor=actor, organisation_id=organisation_id,
                 source=source, created=report.created, updated=report.updated)
    return report
