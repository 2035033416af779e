"""What each paper of the kit shows, read from the database into plain values the templates lay
out: the blank session sheet, a participant's follow-up booklet, the CV annex of a share.

Each reader applies the same rules as the page it prints: the booklet shows the coach's view of
a round to the participant only once they have finished their own grid (``grids.round_view``
with the viewer); the annex shows only the share's items (``portfolio.share_page``).
"""

from __future__ import annotations

import base64
import functools
import io
from dataclasses import dataclass, field
from datetime import datetime

import segno
from flask_babel import lazy_gettext as _l
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy.orm import Session

from badger import grids, urls
from badger.accounts.models import Participant, User
from badger.awards.models import Credential
from badger.db import unscoped
from badger.grids import charts
from badger.grids.models import GroupSession, Journey, Round
from badger.grids.reading import participant_journeys
from badger.grids.sessions import session_columns
from badger.paper.render import FONTS
from badger.portfolio import SharePage, my_credentials
from badger.referentiels.models import Competence
from badger.templating import elide

#: The 0–5 scale the sheet's boxes offer (the grids' scale).
SCORES = tuple(range(charts.SCALE_MAX + 1))


def data_uri(mimetype: str, body: bytes) -> str:
    return f"data:{mimetype};base64,{base64.b64encode(body).decode('ascii')}"


def qr_png_uri(url: str) -> str:
    """The QR code badger prints for ``url`` (same content and error level as the pages' SVG
    codes), as a PNG crisp at print size: 8 pixels a module, a 4-module quiet zone."""
    return data_uri("image/png", qr_png(url))


def qr_png(url: str) -> bytes:
    buf = io.BytesIO()
    segno.make(url, error="m").save(buf, kind="png", scale=8, border=4)
    return buf.getvalue()


# --------------------------------------------------------------------------- session sheet


@functools.cache
def boxes_png(columns: int = 3) -> str:
    """One cell's six boxes 0–5 (``columns`` a row) as an image drawn once and laid behind
    every cell of the sheet: hundreds of small boxes as HTML or SVG take seconds to lay out,
    one image placed many times takes milliseconds."""
    size, gap = 40, 12  # pixels (about 300 dpi at the sheet's 12 mm a cell)
    rows = -(-len(SCORES) // columns)
    img = Image.new("L", (columns * (size + gap) + gap, rows * (size + gap) + gap), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(str(FONTS / "DejaVuSans.ttf"), 22)
    for score in SCORES:
        x = gap + (score % columns) * (size + gap)
        y = gap + (score // columns) * (size + gap)
        draw.rectangle((x, y, x + size, y + size), outline=40, width=3)
        draw.text((x + size / 2, y + size / 2), str(score), fill=150, font=font, anchor="mm")
    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=True)
    return data_uri("image/png", buf.getvalue())


@dataclass(frozen=True)
class SheetColumn:
    number: int
    label: str
    language: str
    levels: dict[int, str]


@dataclass(frozen=True)
class SessionSheet:
    session: GroupSession
    participants: list[Participant]
    columns: list[SheetColumn]
    boxes_uri: str

    @property
    def common_levels(self) -> dict[int, str] | None:
        """The level texts when every competence has the same (one legend, not one each)."""
        first = self.columns[0].levels if self.columns else None
        return first if first and all(c.levels == first for c in self.columns) else None


def _column(n: int, c: Competence, lang: str) -> SheetColumn:
    return SheetColumn(
        n,
        grids.competence_label(c, lang),
        grids.competence_label_language(c, lang),
        grids.competence_levels(c, lang),
    )


def session_sheet(db: Session, gs: GroupSession, lang: str) -> SessionSheet:
    """The group screen on paper: the same participants and competences in the same order, so
    typing the scores in afterwards follows the sheet cell by cell."""
    columns = [_column(n, c, lang) for n, c in enumerate(session_columns(db, gs), start=1)]
    return SessionSheet(gs, list(gs.participants), columns, boxes_png())


# --------------------------------------------------------------------------- booklet


def series_names() -> dict[str, str]:
    return {
        "self": str(_l("Auto-évaluation")),
        "coach": str(_l("Regard du coach")),
        "peer": str(_l("Regard des pairs")),
        "agreed": str(_l("Niveau convenu")),
        "previous": str(_l("Tour précédent")),
    }


@dataclass(frozen=True)
class RoundPage:
    round: Round
    view: grids.RoundView
    chart_uri: str | None
    chart_alt: str


@dataclass(frozen=True)
class BadgeEntry:
    credential: Credential
    name: str
    level: int | None
    issued_at: datetime | None
    url: str
    qr_uri: str


@dataclass(frozen=True)
class Booklet:
    participant: Participant
    journeys: list[tuple[Journey, list[RoundPage]]]
    badges: list[BadgeEntry] = field(default_factory=list)


def _round_page(db: Session, rnd: Round, lang: str, viewer: User | Participant) -> RoundPage:
    view = grids.round_view(db, rnd, lang, viewer=viewer)
    axes, series = view.chart(lang, series_names())
    name = rnd.journey.participant.display_name
    title = elide(str(_l("Grille de %(name)s — %(label)s", name=name, label=rnd.display_label)),
                  name)
    alt = str(
        _l(
            "Toile d'araignée sur %(n)d compétences, notées de 0 à 5 : %(series)s. "
            "Les niveaux sont aussi dans le tableau.",
            n=len(axes),
            series=", ".join(s.name for s in series),
        )
    )
    uri = None
    if len(axes) >= grids.MIN_AXES:
        png = charts.radar_png(axes, series, title=title, description=alt, lang=lang, size=440,
                               scale=1.5)
        uri = data_uri("image/png", png)
    return RoundPage(rnd, view, uri, alt)


def booklet(
    db: Session, participant: Participant, lang: str, viewer: User | Participant
) -> Booklet:
    """The participant's journeys (newest first), a page per round — entry, mid-way, exit —
    with its chart, agreed levels and the coach's advice per axis, then their badges, each with
    a QR code to its web address."""
    journeys = [
        (j, [_round_page(db, r, lang, viewer) for r in j.rounds])
        for j in participant_journeys(db, participant.id)
    ]
    badges = []
    for cred in my_credentials(db, participant):
        if cred.revoked_at is not None or cred.suspended_at is not None:
            continue
        url = urls.credential_url(cred.uuid)
        badges.append(
            BadgeEntry(cred, cred.achievement.name, cred.level, cred.issued_at, url,
                       qr_png_uri(url))
        )
    return Booklet(participant, journeys, badges)


# --------------------------------------------------------------------------- CV annex


@dataclass(frozen=True)
class AnnexChart:
    title: str
    referentiel_title: str | None
    uri: str
    alt: str


def annex_charts(db: Session, page: SharePage, lang: str) -> list[AnnexChart]:
    """The share's charts as PNG for print: the rounds ``share_page`` already checked are the
    share participant's and in their portfolio, drawn as that page draws them (no viewer: the
    coach's view only once the participant finished their grid)."""
    out = []
    with unscoped(db):
        for ch in page.charts:
            rnd = db.get(Round, ch.round_id)
            if rnd is None:
                continue
            view = grids.round_view(db, rnd, lang)
            axes, series = view.chart(lang, series_names())
            alt = str(
                _l(
                    "Toile d'araignée sur %(n)d compétences, notées de 0 à 5 : %(series)s.",
                    n=len(axes),
                    series=", ".join(s.name for s in series),
                )
            )
            png = charts.radar_png(axes, series, title=ch.title, description=alt, lang=lang,
                                   size=440, scale=1.5)
            out.append(AnnexChart(ch.title, ch.referentiel_title, data_uri("image/png", png), alt))
    return out
