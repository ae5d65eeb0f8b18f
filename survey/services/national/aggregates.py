"""National follow-up aggregates (FO 3.2): the breakdown family, a round's units with the
attributes the breakdowns use, and the publication a release holds.

Every breakdown (nation; region, organiser type, school form, organiser; and each pair of
them) of a release is computed once by the statistics engine and protected jointly with the
round's earlier releases (``survey.services.national.releases``), so pages, API and files
show the same cells hidden.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from survey.errors import InvalidInput
from survey.models import Assessment, Round, Unit, UnitSchoolForm
from survey.services.rounds.access import RoundScope
from survey.services.rounds.results import RoundUnit, main_school_form
from survey.stats.breakdowns import SEPARATOR

DIMENSIONS = ("region", "organiser_type", "school_form", "organiser")
FAMILY: tuple[tuple[str, ...], ...] = (
    (),
    *((d,) for d in DIMENSIONS),
    *combinations(DIMENSIONS, 2),
)
STAT_FIELDS = ("n_units", "mean", "median", "q1", "q3", "sd", "share_below_floor", "gini", "theil")


def parse_by(raw: str | None) -> tuple[str, ...]:
    """``""`` (the nation), one dimension, or two joined by a comma, in canonical order."""
    parts = tuple(p.strip() for p in (raw or "").split(",") if p.strip())
    unknown = [p for p in parts if p not in DIMENSIONS]
    if unknown or len(parts) > 2 or len(set(parts)) != len(parts):
        raise InvalidInput("err.national.breakdown", value=raw, allowed=", ".join(DIMENSIONS))
    return tuple(d for d in DIMENSIONS if d in parts)


def _attributes(ru: RoundUnit) -> dict[str, str | None]:
    organiser = ru.unit if ru.unit.kind == "organiser" else ru.organiser
    region = ru.organiser if ru.unit.kind == "organiser" else ru.region
    return {
        "region": region.county_code if region else None,
        "organiser_type": organiser.organiser_type if organiser else None,
        "school_form": ru.school_form,
        "organiser": str(organiser.id) if organiser else None,
    }


@dataclass(frozen=True)
class _Entry:
    """One unit of the round, as the publication needs it."""

    unit_id: int
    assessment_id: int
    answering: bool
    attributes: dict[str, str | None]


@dataclass(frozen=True)
class _PathOnly:
    path: str


def round_entries(session: Session, *, round_: Round, owner_scope: RoundScope) -> list[_Entry]:
    """:func:`round_units` with :func:`_attributes`, as one query of plain columns (no ORM
    object per unit: a national round has thousands). ``answering``: the assessment is
    submitted (for individual questionnaires: the unit's collection has ended)."""
    unit, parent, grand = aliased(Unit), aliased(Unit), aliased(Unit)
    rows = session.exec(
        select(  # type: ignore[call-overload, misc]
            Assessment.id, Assessment.state, unit.id, unit.kind, unit.path,
            unit.organiser_type, parent.id, parent.county_code, parent.organiser_type,
            grand.county_code,
        )
        .join(unit, unit.id == Assessment.unit_id)
        .outerjoin(parent, parent.id == unit.parent_id)
        .outerjoin(grand, grand.id == parent.parent_id)
        .where(Assessment.round_id == round_.id)
    ).all()  # fmt: skip
    rows = [r for r in rows if owner_scope.sees_unit(_PathOnly(r[4]))]  # type: ignore[arg-type]
    forms: dict[int, list[str]] = {}
    for unit_id, form in session.exec(
        select(UnitSchoolForm.unit_id, UnitSchoolForm.school_form)
        .join(Assessment, col(Assessment.unit_id) == UnitSchoolForm.unit_id)
        .where(Assessment.round_id == round_.id)
    ):
        forms.setdefault(unit_id, []).append(form)
    entries = []
    for a_id, state, u_id, kind, _, u_type, p_id, p_county, p_type, g_county in rows:
        own = kind == "organiser"  # an organiser answers for itself; its parent is the region
        entries.append(
            _Entry(
                u_id,
                a_id,
                state == "submitted",
                {
                    "region": p_county if own else (g_county if p_id is not None else None),
                    "organiser_type": u_type if own else p_type,
                    "school_form": main_school_form(sorted(forms.get(u_id, []))),
                    "organiser": str(u_id) if own else (str(p_id) if p_id is not None else None),
                },
            )
        )
    return entries


@dataclass
class Publication:
    round: Round
    k: int
    rows: list[dict[str, Any]]  # every breakdown, suppression applied
    comparisons: list[dict[str, Any]]
    # Built on first use: rows by breakdown, and encoded responses (a publication never
    # changes, so neither does a response made from it alone).
    _index: dict[int, dict[str, list[dict[str, Any]]]] = field(
        default_factory=dict, repr=False, compare=False
    )
    _encoded: dict[Hashable, bytes] = field(default_factory=dict, repr=False, compare=False)

    def select(self, *, by: tuple[str, ...], scope_type: str | None = None) -> list[dict[str, Any]]:
        return self._pick(self.rows, by, scope_type)

    def select_comparisons(
        self, *, by: tuple[str, ...], scope_type: str | None = None
    ) -> list[dict[str, Any]]:
        return self._pick(self.comparisons, by, scope_type)

    def _pick(
        self, rows: list[dict[str, Any]], by: tuple[str, ...], scope_type: str | None
    ) -> list[dict[str, Any]]:
        index = self._index.get(id(rows))
        if index is None:
            index = {}
            for row in rows:
                index.setdefault(row["by"], []).append(row)
            self._index[id(rows)] = index
        return [
            r
            for r in index.get(",".join(by), [])
            if scope_type is None or r["scope_type"] == scope_type
        ]

    def encoded(self, key: Hashable, make: Callable[[], Any]) -> bytes:
        """``make()`` as JSON (UTF-8), encoded once per ``key``: the API answers a breakdown of
        thousands of rows without serialising them again."""
        found = self._encoded.get(key)
        if found is None:
            found = json.dumps(
                make(), ensure_ascii=False, allow_nan=False, separators=(",", ":")
            ).encode("utf-8")
            self._encoded[key] = found
        return found


def group_dict(columns: tuple[str, ...], label: str) -> dict[str, str]:
    if not columns:
        return {}
    return dict(zip(columns, label.split(SEPARATOR), strict=True))


def participation_table(session: Session, *, round_: Round, by: str) -> dict[str, Any]:
    """Before a release: how many units of each group of ``by`` the round targets and how many
    have submitted (individual questionnaires: units with a submitted respondent, and the
    respondents). Counts only — no statistic of the answers."""
    from survey.services.assessments.respondents import respondent_counts
    from survey.services.questionnaires import is_individual_version

    owner = session.get(Unit, round_.owner_unit_id)
    assert owner is not None
    entries = round_entries(
        session, round_=round_, owner_scope=RoundScope(round_, owner, None, False, False)
    )
    individual = is_individual_version(session, round_.questionnaire_id)
    counts = (
        respondent_counts(session, assessment_ids=[e.assessment_id for e in entries])
        if individual
        else {}
    )
    groups: dict[str | None, dict[str, Any]] = {}
    total: dict[str, Any] = {"value": None, "targeted": 0, "answering": 0, "respondents": 0}
    for entry in entries:
        value = entry.attributes.get(by)
        row = groups.setdefault(
            value, {"value": value, "targeted": 0, "answering": 0, "respondents": 0}
        )
        submitted = counts.get(entry.assessment_id, (0, 0))[0] if individual else 0
        answering = submitted > 0 if individual else entry.answering
        for target in (row, total):
            target["targeted"] += 1
            target["answering"] += int(answering)
            target["respondents"] += submitted
    rows = sorted(groups.values(), key=lambda r: (r["value"] is None, str(r["value"])))
    for row in (*rows, total):
        row["rate"] = row["answering"] / row["targeted"] if row["targeted"] else None
    return {"rows": rows, "total": total, "individual": individual}
