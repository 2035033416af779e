"""Forms of the grid pages (Flask-WTF, so the CSRF token is checked with them).

The field names are the ones the pages have always posted (``score-12``, ``v-12``, ``s-3-12``…):
the per-competence lists, the coach's group screen and the rules table get a form class built per
request from the round's competences (:func:`_bulk_form`). Fields keep what was typed; turning it
into scores, ids and service inputs, with the services' messages for a bad value, is done here so
that views parse, call a service and render. A page re-shown after a conflict reads back what the
person typed with :meth:`GridForm.value`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, HiddenField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import AnyOf

from badger.errors import UserError
from badger.grids.ratings import NoteInput, RatingInput
from badger.grids.rules import RuleInput
from badger.guards import form_int

#: What a cell of the group screen may hold to clear a score (the explicit "–" choice).
CLEAR_MARKS = frozenset({"-", "–", "—"})


def optional_int(value: str | None) -> int | None:
    """A typed score, level or id: empty means None; anything but an integer is refused."""
    if value is None or value.strip() == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise UserError(_l("Une note est un nombre entier de 0 à 5."), 422) from None


def cell(value: str | None) -> tuple[int | None, bool]:
    """(score, clear) from a group-screen cell: empty leaves as is, "–" clears."""
    value = (value or "").strip()
    if value in CLEAR_MARKS:
        return None, True
    return optional_int(value), False


class GridForm(FlaskForm):
    """A grid page's form: the services' rules answer with their own messages and statuses."""

    def value(self, name: str, default: Any = None) -> Any:
        """What was posted in ``name``, else ``default`` (what the page shows unposted)."""
        f = self._fields.get(name)
        return default if f is None or f.data is None else f.data

    def posted(self, name: str) -> bool:
        """Was ``name`` sent at all (even empty)?"""
        f = self._fields.get(name)
        return f is not None and bool(f.raw_data)

    def ids(self, name: str) -> set[int]:
        """The ids ticked in a group of checkboxes called ``name`` (anything else ignored)."""
        f = self._fields.get(name)
        values = (f.data or []) if f is not None else []
        return {i for i in map(form_int, values) if i is not None}

    def check(self, status: int) -> None:
        """Refuse the request as the services do (a :class:`UserError`) when a rule fails."""
        if not self.validate():
            first = next(iter(e for errors in self.errors.values() for e in errors), "")
            raise UserError(str(first), status)


def _bulk_form(name: str, fields: dict[str, Field]) -> GridForm:
    """A form whose fields are known only per request (one per competence, or per cell)."""
    form_class: type[GridForm] = type(name, (GridForm,), dict(fields))
    return form_class()


# --------------------------------------------------------------------------- participant


class StepForm(GridForm):
    """One competence per screen."""

    score = StringField()
    comment = TextAreaField()
    v = HiddenField()
    #: which button was pressed: "back" or "next"
    go = HiddenField()

    def entry(self, competence_id: int) -> RatingInput:
        return RatingInput(
            competence_id,
            optional_int(self.score.data),
            self.comment.data,
            optional_int(self.v.data),
        )


def self_ratings_form(competence_ids: Iterable[int]) -> GridForm:
    """Every competence of a round on one page: ``score-``, ``comment-`` and ``v-<id>``."""
    fields: dict[str, Field] = {}
    for c in competence_ids:
        fields[f"score-{c}"] = StringField()
        fields[f"comment-{c}"] = TextAreaField()
        fields[f"v-{c}"] = HiddenField()
    return _bulk_form("SelfRatingsForm", fields)


def rating_entries(form: GridForm, competence_ids: Iterable[int]) -> list[RatingInput]:
    """Scores, comments and the versions seen, as posted in a list of competences."""
    return [
        RatingInput(
            c,
            optional_int(form.value(f"score-{c}")),
            form.value(f"comment-{c}"),
            optional_int(form.value(f"v-{c}")),
        )
        for c in competence_ids
    ]


class ChartChoiceForm(GridForm):
    """Show (``show=1``) or hide the round's chart in the participant's portfolio."""

    show = HiddenField()


class ConsentForm(GridForm):
    answer = HiddenField(
        validators=[
            AnyOf(["given", "declined"], message=_l("Choisissez d'accepter ou de refuser."))
        ]
    )


# --------------------------------------------------------------------------- both


class AgreeForm(GridForm):
    """A level both sides agree on, for one competence."""

    competence = HiddenField()
    level = StringField()
    v = HiddenField()

    def values(self) -> tuple[int, int, int | None]:
        """(competence id, level, version seen); both the competence and a level are needed."""
        cid, level = optional_int(self.competence.data), optional_int(self.level.data)
        if cid is None or level is None:
            raise UserError(_l("Choisissez un niveau."), 422)
        return cid, level, optional_int(self.v.data)


# --------------------------------------------------------------------------- staff


class _PickerFields(GridForm):
    """A référentiel version and the competences ticked in its picker."""

    version = HiddenField()
    round_label = StringField()
    competences = SelectMultipleField(choices=[], validate_choice=False)
    #: present when the page showed the picker (then an empty choice is refused)
    pick = HiddenField()

    def version_id(self) -> int:
        version_id = optional_int(self.version.data)
        if version_id is None:
            raise UserError(_l("Choisissez un référentiel."), 422)
        return version_id

    def competence_ids(self, ordered: Sequence[int], limit: int) -> list[int]:
        """The competences ticked, in the version's order (``ordered``). A form without the
        picker takes the version's first ``limit``; with the picker, what was ticked (so an
        empty choice is refused, never silently replaced)."""
        ticked = self.ids("competences")
        if ticked or self.pick.data:
            # In the version's order; ids from elsewhere are kept so that the service refuses them.
            return [c for c in ordered if c in ticked] + sorted(ticked - set(ordered))
        return list(ordered[:limit])


class SessionForm(_PickerFields):
    """A new group session."""

    title = StringField(_l("Titre"), render_kw={"required": True, "maxlength": 200})
    held_on = StringField(_l("Date"), render_kw={"type": "date"})
    programme = StringField(_l("Programme (facultatif)"),
                            render_kw={"maxlength": 80, "list": "programmes"})
    participants = SelectMultipleField(choices=[], validate_choice=False)

    def held_on_date(self) -> date:
        try:
            return date.fromisoformat(self.held_on.data or date.today().isoformat())
        except ValueError:
            raise UserError(_l("Date non valable."), 422) from None


class JourneyRoundForm(_PickerFields):
    """On a participant's page: start a journey (``action=journey``) or open a round."""

    action = HiddenField(validators=[AnyOf(["journey", "round"], message=_l("Action inconnue."))])
    title = StringField(_l("Nom du parcours (facultatif)"), render_kw={"maxlength": 200})


class PeerReviewForm(GridForm):
    open = HiddenField(
        validators=[
            AnyOf(["0", "1"], message=_l("Choisissez d'ouvrir ou de fermer le regard des pairs."))
        ]
    )


class RoundStateForm(GridForm):
    action = HiddenField(validators=[AnyOf(["close", "reopen"], message=_l("Action inconnue."))])


def group_screen_form(participant_ids: Iterable[int], competence_ids: Sequence[int]) -> GridForm:
    """The coach's group screen: a cell ``s-<participant>-<competence>`` and the version seen
    ``v-<participant>-<competence>`` for each pair."""
    fields: dict[str, Field] = {}
    for p in participant_ids:
        for c in competence_ids:
            fields[f"s-{p}-{c}"] = StringField()
            fields[f"v-{p}-{c}"] = HiddenField()
    return _bulk_form("GroupScreenForm", fields)


def cell_entries(
    form: GridForm, participant_id: int, competence_ids: Iterable[int]
) -> list[RatingInput]:
    """One participant's row of the group screen: empty cells leave as is, "–" clears."""
    entries = []
    for c in competence_ids:
        score, clear = cell(form.value(f"s-{participant_id}-{c}"))
        entries.append(
            RatingInput(c, score, None, optional_int(form.value(f"v-{participant_id}-{c}")), clear)
        )
    return entries


def rules_form(competence_ids: Iterable[int]) -> GridForm:
    """The rules table: ``min-``, ``confirm-`` and ``seen-<id>`` per competence."""
    fields: dict[str, Field] = {"participant_consents": HiddenField()}
    for c in competence_ids:
        fields[f"min-{c}"] = StringField()
        fields[f"confirm-{c}"] = StringField()
        fields[f"seen-{c}"] = HiddenField()
    return _bulk_form("RulesForm", fields)


def rule_entries(form: GridForm, competence_ids: Iterable[int]) -> list[RuleInput]:
    """The rules posted (a competence without its ``min-`` field is left as is). The
    participant's consent is always required: a form saying otherwise is refused."""
    consents = form.value("participant_consents")
    if consents is not None and consents != "1":
        raise UserError(_l("L'accord du participant est toujours demandé."), 400)
    return [
        RuleInput(
            c,
            form.value(f"min-{c}", ""),
            form.value(f"confirm-{c}") == "1",
            form.value(f"seen-{c}"),
        )
        for c in competence_ids
        if form.posted(f"min-{c}")
    ]


def peer_form(competence_ids: Iterable[int]) -> GridForm:
    """A peer's view: ``score-<id>`` (a level, or "clear") and ``v-<id>``."""
    fields: dict[str, Field] = {}
    for c in competence_ids:
        fields[f"score-{c}"] = StringField()
        fields[f"v-{c}"] = HiddenField()
    return _bulk_form("PeerForm", fields)


def peer_entries(form: GridForm, competence_ids: Iterable[int]) -> list[RatingInput]:
    entries = []
    for c in competence_ids:
        raw = form.value(f"score-{c}")
        clear = raw == "clear"
        entries.append(
            RatingInput(
                c,
                None if clear else optional_int(raw),
                None,
                optional_int(form.value(f"v-{c}")),
                clear,
            )
        )
    return entries


def coach_form(competence_ids: Iterable[int]) -> GridForm:
    """The coach's detail of one round: per competence the score, comment, advice and
    observations with the versions seen; and the general observations (``summary``)."""
    fields: dict[str, Field] = {"summary": TextAreaField()}
    for c in competence_ids:
        fields[f"score-{c}"] = StringField()
        fields[f"comment-{c}"] = TextAreaField()
        fields[f"v-{c}"] = HiddenField()
        fields[f"advice-{c}"] = TextAreaField()
        fields[f"obs-{c}"] = TextAreaField()
        fields[f"nv-{c}"] = HiddenField()
    return _bulk_form("CoachForm", fields)


def note_entries(form: GridForm, competence_ids: Iterable[int]) -> list[NoteInput]:
    return [
        NoteInput(
            c,
            form.value(f"advice-{c}", ""),
            form.value(f"obs-{c}", ""),
            optional_int(form.value(f"nv-{c}")),
        )
        for c in competence_ids
    ]
