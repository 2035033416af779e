"""Importing CASE packages and CSV files as versions (idempotent, owner-checked), exporting
versions, and loading the référentiels shipped with badger."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from badger.errors import UserError
from badger.referentiels import case
from badger.referentiels.case import CaseImportError, Framework
from badger.referentiels.case.reader import peek
from badger.referentiels.framework import (
    canonical_package,
    content_hash,
    fill_version,
    framework_of,
    package_of,
    store_source,
)
from badger.referentiels.models import Referentiel, ReferentielVersion
from badger.referentiels.publishing import publish_version
from badger.referentiels.reading import get_referentiel, get_version_by_identifier
from badger.referentiels.rules import KEY_RE
from badger.referentiels.translations import add_translations, only_adds_translations


def _owner_kwargs(network_id: int | None, organisation_id: int | None) -> dict[str, Any]:
    if network_id and organisation_id:
        raise UserError(_l("Un référentiel a un seul propriétaire : réseau ou organisation."))
    return {"network_id": network_id, "organisation_id": organisation_id}


def _require_same_owner(
    draft: ReferentielVersion, network_id: int | None, organisation_id: int | None
) -> None:
    """Refuse to touch a draft of another owner: draft identifiers are predictable (UUIDv5 of
    the key or the title), so an import naming one must never replace — or even reach —
    somebody else's work. Published versions are public; they are handled by the caller."""
    ref = draft.referentiel
    if (ref.network_id, ref.organisation_id) != (network_id or None, organisation_id or None):
        raise UserError(
            _l(
                "Un brouillon d'un autre propriétaire porte déjà cet identifiant de document : "
                "l'import ne peut pas le remplacer. Changez l'identifiant du document (ou le "
                "titre d'un fichier CSV)."
            ),
            409,
        )


def import_framework(
    session: Session,
    fw: Framework,
    *,
    key: str | None = None,
    network_id: int | None = None,
    organisation_id: int | None = None,
    shipped: bool = False,
    publish: bool = True,
    referentiel: Referentiel | None = None,
    keep_source: bool | None = None,
) -> tuple[ReferentielVersion, bool]:
    """Store ``fw`` as a version; return ``(version, changed)``.

    The package ``fw`` was read from (``fw.source``) is kept whole with the version
    (``CaseSource``), so export gives back everything CASE carried — unless ``keep_source`` is
    False; by default it is kept except for ``shipped`` référentiels (badger's own files, served
    on badger's own host). The command line keeps it for every file it imports.

    Idempotent: the same package again changes nothing. A package whose CFDocument identifier
    is already a published version with other content is refused (published versions never
    change); a draft with that identifier is replaced only when it has the same owner
    (``network_id``/``organisation_id``, both None for a shipped référentiel), refused with
    409 otherwise, whatever the path (UI upload, CLI file or URL). One exception: a shipped
    version may gain translations (:func:`add_translations`).
    """
    existing = get_version_by_identifier(session, fw.identifier)
    if keep_source is None:
        keep_source = not shipped
    if not keep_source:
        fw.source = None
    if existing is not None:
        return _import_again(session, existing, fw, network_id=network_id,
                             organisation_id=organisation_id, shipped=shipped, publish=publish)
    key = key or fw.key or case.slugify(fw.title)
    if referentiel is None:
        referentiel = get_referentiel(session, key)
    if referentiel is None:
        if not KEY_RE.match(key):
            raise UserError(_l("Clé de référentiel non valable : %(k)s", k=key))
        referentiel = Referentiel(
            uuid=case.stable_id("referentiel", key), key=key, title=fw.title, shipped=shipped,
            **_owner_kwargs(network_id, organisation_id),
        )
        session.add(referentiel)
        session.flush()
    elif (referentiel.network_id, referentiel.organisation_id) != (network_id, organisation_id):
        raise UserError(
            _l("La clé « %(k)s » est déjà prise par un autre propriétaire.", k=key), 409
        )
    number = 1 + max((v.number for v in referentiel.versions), default=0)
    if referentiel.draft is not None and publish:
        raise UserError(
            _l("Ce référentiel a déjà un brouillon en cours : publiez-le ou supprimez-le."), 409
        )
    version = ReferentielVersion(referentiel=referentiel, number=number, identifier=fw.identifier)
    session.add(version)
    fill_version(session, version, fw)
    store_source(version, fw)
    referentiel.title = fw.title
    if publish:
        # Parsed packages passed the schema already, and badger's writer emits valid CASE.
        publish_version(session, version, check_schema=False)
    return version, True


def _import_again(
    session: Session,
    existing: ReferentielVersion,
    fw: Framework,
    *,
    network_id: int | None,
    organisation_id: int | None,
    shipped: bool,
    publish: bool,
) -> tuple[ReferentielVersion, bool]:
    """``fw`` names a version already stored: nothing to do, translations added to a shipped
    version, a draft of the same owner replaced, or a refusal (see :func:`import_framework`)."""
    if not existing.is_published:
        _require_same_owner(existing, network_id, organisation_id)
    if _same_content(existing, fw):
        return existing, False
    if (existing.is_published and shipped and existing.referentiel.shipped
            and only_adds_translations(framework_of(existing), fw)):
        add_translations(session, existing, fw)
        return existing, True
    if existing.is_published:
        raise UserError(
            _l(
                "La version %(v)s de « %(t)s » est déjà publiée avec un autre contenu. Une "
                "version publiée ne change jamais : changez l'identifiant du document et son "
                "numéro de version.",
                v=existing.version_label, t=existing.title,
            ),
            409,
        )
    for c in list(existing.competences):
        session.delete(c)
    for cat in list(existing.categories):
        session.delete(cat)
    session.flush()
    existing.competences.clear()
    existing.categories.clear()
    fill_version(session, existing, fw)
    store_source(existing, fw)
    if publish:
        publish_version(session, existing, check_schema=False)
    return existing, True


def _same_content(existing: ReferentielVersion, fw: Framework) -> bool:
    """True when importing ``fw`` again would change nothing that is served: with a kept
    source, the package served now is the new source; else badger's writing is the same."""
    if existing.case_source is not None and fw.source is not None:
        return canonical_package(existing) == fw.source
    return content_hash(framework_of(existing)) == content_hash(fw)


def parse_upload(data: bytes | IO[bytes], filename: str, *, title: str = "", creator: str = "",
                 strict: bool = True, max_bytes: int = case.MAX_BYTES) -> Framework:
    """Parse an uploaded CASE JSON or CSV file (by extension, else by first byte). A binary
    stream is parsed as it is read (CASE) or read up to ``max_bytes`` (CSV)."""
    if isinstance(data, bytes):
        head = data[:64]
    else:
        head, data = peek(data)
    name = filename.lower()
    is_csv = name.endswith(".csv") or (
        not name.endswith(".json") and not head.lstrip(b"\xef\xbb\xbf \r\n\t").startswith(b"{")
    )
    if is_csv:
        if not title:
            raise CaseImportError([(case.Location(field="title"),
                                    _l("un titre est nécessaire pour un fichier CSV"))])
        raw = data if isinstance(data, bytes) else data.read(max_bytes + 1)
        return case.parse_csv(raw, title=title, creator=creator or title, max_bytes=max_bytes)
    return case.parse_package(data, strict=strict, max_bytes=max_bytes)


def export(version: ReferentielVersion, fmt: str, base: str | None = None) -> tuple[str, str, str]:
    """Return ``(text, mimetype, filename)`` of ``version`` as CASE JSON or CSV."""
    stem = f"{version.referentiel.key}-v{version.number}"
    if fmt == "csv":
        return case.to_csv(framework_of(version)), "text/csv; charset=utf-8", f"{stem}.csv"
    if fmt == "case":
        return case.dumps(package_of(version, base)), "application/json", f"{stem}.json"
    raise UserError(_l("Format inconnu : %(f)s (case ou csv)", f=fmt))


def shipped_dir() -> Path:
    """Folder of the shipped CASE files: ``referentiels/`` in a checkout, or the wheel's
    ``badger/referentiels_data`` (``resource_dir`` would find this package instead)."""
    package = Path(__file__).resolve().parent.parent
    packaged = package / "referentiels_data"
    return packaged if packaged.is_dir() else package.parent / "referentiels"


def load_shipped(session: Session, folder: Path) -> list[tuple[str, bool]]:
    """Import every shipped CASE file in ``folder`` (idempotent); return (key, changed)."""
    out = []
    for path in sorted(folder.glob("*.json")):
        fw = case.parse_package(path.read_bytes())
        version, changed = import_framework(session, fw, key=path.stem, shipped=True,
                                            keep_source=False)
        out.append((version.referentiel.key, changed))
    return out
