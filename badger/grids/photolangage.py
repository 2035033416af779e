"""Photolangage: a bank of work-situation pictures the coach shows on the phone during the
conversation, and the picture the participant chose, written in the round's notes.

The bank is badger's shipped pictures (``static/photolangage/``, OpenMoji, CC BY-SA 4.0: see its
``index.csv``) plus the pictures the administrators of the networks an organisation belongs to
added (PNG or JPEG re-encoded with Pillow, never SVG, saved beside the uploaded pictograms so a
backup carries them)."""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from PIL import ImageOps, UnidentifiedImageError
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from badger.db import get_or_404, utcnow, write_file_on_commit
from badger.errors import UserError
from badger.grids.labels import competence_label
from badger.grids.models import Round
from badger.grids.photo_models import CHOOSERS, NetworkPicture, PictureChoice
from badger.guards import ImageRefused, open_image
from badger.networks.models import Network, NetworkMembership
from badger.referentiels.pictograms import pictogram_dir

MAX_PICTURE_BYTES = 3 * 1024 * 1024
MAX_PICTURE_SIDE = 1024
MAX_LABEL = 120
MAX_NOTE = 500
MAX_PICTURES_PER_NETWORK = 200
PHOTO_NAME_RE = re.compile(r"photo-[0-9a-f]{16}\.(?:png|jpg)")

#: The shipped bank, in the order the picker shows it (file ``static/photolangage/<name>.svg``).
SHIPPED: dict[str, Any] = {
    "building-site": _l("Sur un chantier"),
    "kitchen": _l("En cuisine"),
    "cleaning": _l("Faire le ménage"),
    "warehouse": _l("Dans un entrepôt"),
    "delivery": _l("Livrer"),
    "shop": _l("Dans un magasin"),
    "care": _l("Soigner, aider une personne"),
    "childcare": _l("S'occuper d'un enfant"),
    "office": _l("Au bureau"),
    "workshop": _l("Réparer dans un atelier"),
    "factory": _l("À l'usine"),
    "garden": _l("Aux champs, au jardin"),
    "training": _l("Apprendre, se former"),
    "safety": _l("Se protéger au travail"),
    "teamwork": _l("Travailler ensemble"),
    "agreement": _l("Se mettre d'accord"),
    "late": _l("Être en retard"),
    "transport": _l("Aller au travail"),
    "asking-help": _l("Demander de l'aide"),
    "listening": _l("Écouter les consignes"),
    "phone-call": _l("Téléphoner"),
    "conflict": _l("La colère, le conflit"),
    "pride": _l("Être fier de soi"),
    "joy": _l("La joie"),
    "tiredness": _l("La fatigue"),
    "stress": _l("Le stress"),
    "discouraged": _l("Le découragement"),
    "thinking": _l("Réfléchir"),
    "break": _l("La pause"),
    "pay": _l("Le salaire"),
}


@dataclass(frozen=True)
class Picture:
    """A picture of the bank as the picker shows it: ``key`` is what a choice records."""

    key: str
    label: str
    shipped: bool
    file: str  # static/photolangage/<file> when shipped, else the uploaded file's name
    network: str = ""


def _shipped() -> list[Picture]:
    return [Picture(name, str(label), True, f"{name}.svg") for name, label in SHIPPED.items()]


def network_ids_of(session: Session, organisation_id: int | None) -> list[int]:
    """The networks the organisation ``organisation_id`` belongs to."""
    if organisation_id is None:
        return []
    return list(session.scalars(select(NetworkMembership.network_id)
                                .where(NetworkMembership.organisation_id == organisation_id)))


def network_pictures(session: Session, network_ids: list[int] | set[int]) -> list[NetworkPicture]:
    if not network_ids:
        return []
    return list(session.scalars(select(NetworkPicture)
                                .where(NetworkPicture.network_id.in_(network_ids))
                                .order_by(NetworkPicture.network_id, NetworkPicture.id)))


def bank(session: Session, organisation_id: int | None) -> list[Picture]:
    """Every picture the organisation's staff may show: the shipped ones, then its networks'."""
    own = [Picture(p.key, p.label, False, p.filename, p.network.name)
           for p in network_pictures(session, network_ids_of(session, organisation_id))]
    return [*_shipped(), *own]


def find_picture(session: Session, organisation_id: int | None, key: str) -> Picture:
    """The picture ``key`` of the organisation's bank; 404 for any other key."""
    for pic in bank(session, organisation_id):
        if pic.key == key:
            return pic
    raise UserError(_l("Cette image n'existe pas."), 404)


def visible_file(session: Session, organisation_id: int | None, filename: str,
                 admin_network_ids: set[int]) -> bool:
    """Whether ``filename`` (an uploaded picture) belongs to a network whose bank the person
    sees: a member organisation's staff, or the network's administrators."""
    if not PHOTO_NAME_RE.fullmatch(filename):
        return False
    allowed = set(network_ids_of(session, organisation_id)) | admin_network_ids
    name, ext = filename.rsplit(".", 1)
    return session.scalar(select(NetworkPicture.id).where(
        NetworkPicture.name == name, NetworkPicture.ext == ext,
        NetworkPicture.network_id.in_(allowed or {-1}))) is not None


def picture_path(filename: str) -> Path:
    return pictogram_dir() / filename


# --------------------------------------------------------------------------- network uploads


def _reencode(data: bytes) -> tuple[bytes, str]:
    """``data`` (PNG or JPEG) decoded and written again by Pillow: no metadata, at most
    :data:`MAX_PICTURE_SIDE` px a side; returns the bytes and the extension."""
    if len(data) > MAX_PICTURE_BYTES:
        raise UserError(_l("Image trop lourde (3 Mo au plus)."), 413)
    try:
        with open_image(data, formats=["PNG", "JPEG"]) as probe:
            if probe.width * probe.height > 6000 * 6000:
                raise UserError(_l("Image trop grande."), 413)
            fmt = probe.format
            probe.verify()
        with open_image(data, formats=["PNG", "JPEG"]) as img:
            img.load()
            clean = img.convert("RGBA" if fmt == "PNG" else "RGB")
    except UserError:
        raise
    except (ImageRefused, UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise UserError(_l("L'image doit être une photo JPEG ou une image PNG lisible."),
                        415) from exc
    clean.thumbnail((MAX_PICTURE_SIDE, MAX_PICTURE_SIDE))
    # a phone's portrait photo: landscape pixels and an EXIF rotation, which the re-encoding
    # drops; turn the pixels (once small: no full-size copy) so the picture stays upright
    with contextlib.suppress(OSError, SyntaxError, ValueError, KeyError, TypeError):
        clean = ImageOps.exif_transpose(clean) or clean  # unreadable EXIF: pixels as stored
    out = io.BytesIO()
    if fmt == "PNG":
        clean.save(out, format="PNG", optimize=True)
        return out.getvalue(), "png"
    clean.save(out, format="JPEG", quality=85, optimize=True)
    return out.getvalue(), "jpg"


def add_network_picture(session: Session, network: Network, data: bytes, label: str, *,
                        actor_id: int | None) -> NetworkPicture:
    """Add a picture to ``network``'s bank; its file is written when the row commits."""
    label = " ".join((label or "").split())
    if not label:
        raise UserError(_l("Donnez un titre à l'image."), 400)
    if len(label) > MAX_LABEL:
        raise UserError(_l("Titre trop long (120 caractères au plus)."), 400)
    if len(network_pictures(session, [network.id])) >= MAX_PICTURES_PER_NETWORK:
        raise UserError(_l("Ce réseau a déjà 200 images : retirez-en avant d'en ajouter."), 409)
    clean, ext = _reencode(data)
    name = "photo-" + hashlib.sha256(clean).hexdigest()[:16]
    pic = NetworkPicture(network_id=network.id, name=name, ext=ext, label=label,
                         added_by_id=actor_id)
    session.add(pic)
    session.flush()
    write_file_on_commit(session, picture_path(pic.filename), clean)
    return pic


_REMOVED_FILES = "badger.photolangage.removed"


def remove_network_picture(session: Session, network_ids: set[int], picture_id: int) -> None:
    """Remove a picture of a network the person administers (404 for any other); the file goes
    once the removal commits, unless another row still uses the same bytes. Choices already
    written keep the picture's title."""
    pic = session.scalar(select(NetworkPicture).where(NetworkPicture.id == picture_id))
    if pic is None or pic.network_id not in network_ids:
        raise UserError(_l("Cette image n'existe pas."), 404)
    filename = pic.filename
    session.delete(pic)
    session.flush()
    still = session.scalar(select(NetworkPicture.id).where(NetworkPicture.name == pic.name,
                                                           NetworkPicture.ext == pic.ext))
    if still is None:
        session.info.setdefault(_REMOVED_FILES, []).append(picture_path(filename))


@event.listens_for(Session, "after_commit")
def _remove_files(session: Session) -> None:
    for path in session.info.pop(_REMOVED_FILES, []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, "after_transaction_end")
def _keep_files(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop(_REMOVED_FILES, None)


# --------------------------------------------------------------------------- choices


@dataclass(frozen=True)
class ChoiceInput:
    picture: str
    competence_id: int | None = None
    chosen_by: str = "participant"
    note: str = ""


def record_choice(session: Session, rnd: Round, data: ChoiceInput, *,
                  recorded_by_id: int | None, at: datetime | None = None) -> PictureChoice:
    """Write in the round's notes that ``data.picture`` was chosen (about a competence of the
    round, or none)."""
    if rnd.closed_at is not None:
        raise UserError(_l("Ce tour est clos : rouvrez-le pour y écrire."), 409)
    pic = find_picture(session, rnd.organisation_id, data.picture)
    if data.chosen_by not in CHOOSERS:
        raise UserError(_l("Valeur non valable."), 400)
    if data.competence_id is not None and data.competence_id not in {
            it.competence_id for it in rnd.items}:
        raise UserError(_l("Cette compétence n'est pas dans ce tour."), 400)
    note = (data.note or "").strip()
    if len(note) > MAX_NOTE:
        raise UserError(_l("Note trop longue (500 caractères au plus)."), 400)
    choice = PictureChoice(round_id=rnd.id, organisation_id=rnd.organisation_id,
                           picture=pic.key, label=pic.label[:MAX_LABEL],
                           competence_id=data.competence_id, chosen_by=data.chosen_by,
                           note=note, recorded_by_id=recorded_by_id, chosen_at=at or utcnow())
    session.add(choice)
    session.flush()
    return choice


def delete_choice(session: Session, rnd: Round, choice_id: int) -> None:
    choice = get_or_404(session, PictureChoice, choice_id)
    if choice.round_id != rnd.id:
        raise UserError(_l("Cette image n'existe pas."), 404)
    if rnd.closed_at is not None:
        raise UserError(_l("Ce tour est clos : rouvrez-le pour y écrire."), 409)
    session.delete(choice)
    session.flush()


@dataclass(frozen=True)
class ChoiceView:
    id: int
    picture: Picture | None  # None when the network removed it since
    label: str
    competence: str
    chosen_by: str
    note: str
    recorded_by: str
    chosen_at: datetime


def choices_of(session: Session, rnd: Round, lang: str) -> list[ChoiceView]:
    """The pictures chosen in ``rnd``, oldest first, with what the page needs to show them."""
    rows = session.scalars(select(PictureChoice).where(PictureChoice.round_id == rnd.id)
                           .order_by(PictureChoice.chosen_at, PictureChoice.id)).all()
    if not rows:
        return []
    pictures = {p.key: p for p in bank(session, rnd.organisation_id)}
    return [
        ChoiceView(
            id=c.id, picture=pictures.get(c.picture),
            label=str(SHIPPED[c.picture]) if c.picture in SHIPPED else c.label,
            competence=competence_label(c.competence, lang) if c.competence else "",
            chosen_by=c.chosen_by, note=c.note,
            recorded_by=c.recorded_by.name if c.recorded_by else "", chosen_at=c.chosen_at,
        )
        for c in rows
    ]
