"""The organiser's comparison views of one round: the engine's results loaded and indexed for
the views, and the heat map (the equity panel is in :mod:`.equity`, the trend in
:mod:`.round_trend`).

Every number comes from the statistics engine through :func:`round_results`; this module only
picks the engine's rows, sorts and filters them. Two conversions are not statistics: the group
median score is put on the index scale with the engine's own ``index_of``, and a unit's change
between rounds is the difference of its two engine indices.

Filters: school form and unit kind choose which units are *shown* (the organiser's median and the
equity statistics always cover every unit with a result). An item tag instead changes what is
*measured*: the round is analysed on the sub-questionnaire of the items with that tag (same
scoring rules), so each sub-goal's score comes from its tagged items only and sub-goals without
such items disappear. Dropping answer rows against the full questionnaire would count the untagged
items as unanswered and push most scores under the coverage rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from sqlmodel import Session

from survey.errors import InvalidInput, msg
from survey.models import SCHOOL_FORMS, UNIT_KINDS, Round, Unit
from survey.questionnaire import Questionnaire
from survey.services.access import Actor, can_view_results
from survey.services.questionnaires import VersionLink, version_link
from survey.services.rounds.access import RoundScope
from survey.services.rounds.results import RoundResults, RoundUnit, previous_round, round_results
from survey.stats.publication import small_cell
from survey.stats.scoring import index_of

VIEWS = ("subgoal", "area")
# Unit attributes the engine compares by (Theil between/within, Kruskal-Wallis); school form always,
# the others when the round's units differ in them.
COMPARE_BY = ("school_form", "kind", "parent_id", "organiser_type", "region")
FIXED_SORTS = ("name", "form", "n")
_SWEDISH = str.maketrans({"å": "z\x01", "ä": "z\x02", "ö": "z\x03", "æ": "z\x02", "ø": "z\x03"})


def name_key(name: str) -> str:
    """Swedish alphabetical order (å, ä, ö after z)."""
    return name.casefold().translate(_SWEDISH)


# ------------------------------------------------------------------------------------ inputs


@dataclass(frozen=True)
class Filters:
    form: str | None = None
    kind: str | None = None
    tag: str | None = None

    def query(self) -> dict[str, str]:
        return {k: v for k, v in (("form", self.form), ("kind", self.kind), ("tag", self.tag)) if v}


def parse_filters(
    q: Questionnaire, *, form: str | None, kind: str | None, tag: str | None
) -> Filters:
    """Filters from query parameters; empty means "all", an unknown value is refused."""
    problems = []
    for name, value, allowed in (
        ("form", form, SCHOOL_FORMS),
        ("kind", kind, UNIT_KINDS),
        ("tag", tag, q.tags),
    ):
        if value and value not in allowed:
            problems.append(
                msg("err.field.not_one_of", field=name, value=value, allowed=", ".join(allowed))
            )
    if problems:
        raise InvalidInput("err.cmp.filter", problems=problems)
    return Filters(form or None, kind or None, tag or None)


def tagged_questionnaire(q: Questionnaire, tag: str | None) -> Questionnaire:
    """The sub-questionnaire of the items carrying ``tag`` (``q`` itself without a tag)."""
    if not tag:
        return q
    return replace(q, items=tuple(item for item in q.items if tag in item.tags))


@dataclass(frozen=True)
class ScopeColumn:
    """A scope of the questionnaire (its names are the web's: survey.web.scopes)."""

    scope_type: str  # subgoal | area | total
    scope_id: str

    @property
    def key(self) -> str:
        return self.scope_id


def scope_columns(q: Questionnaire, view: str | None = None) -> list[ScopeColumn]:
    """The view's scopes then the total; without a view every sub-goal, area and the total."""
    columns = []
    if view in (None, "subgoal"):
        columns += [ScopeColumn("subgoal", sid) for sid in q.subgoal_ids]
    if view in (None, "area"):
        columns += [ScopeColumn("area", aid) for aid in q.area_ids]
    return [*columns, ScopeColumn("total", "total")]


# ----------------------------------------------------------------------------------- results


@dataclass
class Results:
    """The engine's analysis of one round, indexed for the views."""

    round: Round
    q: Questionnaire  # the analysed questionnaire (the tag's sub-questionnaire when filtered)
    k: int
    raw: RoundResults
    previous: Round | None = None
    #: the previous round answered another version: how it relates (see trend)
    link: VersionLink | None = None
    unit_rows: dict[tuple[str, str, str, str], dict[str, Any]] = field(default_factory=dict)
    group_rows: dict[tuple[str, str, str, str], dict[str, Any]] = field(default_factory=dict)
    comparisons: dict[tuple[str, str, str, str], dict[str, Any]] = field(default_factory=dict)
    group_names: dict[str, str] = field(default_factory=dict)
    group_types: dict[str, str | None] = field(default_factory=dict)

    @property
    def units(self) -> list[RoundUnit]:
        return self.raw.units

    @property
    def rid(self) -> str:
        return str(self.round.id)

    def unit_row(
        self, unit_id: int, column: ScopeColumn, round_id: str | None = None
    ) -> dict[str, Any]:
        key = (round_id or self.rid, str(unit_id), column.scope_type, column.scope_id)
        return self.unit_rows.get(key, {})

    def groups(self) -> list[str]:
        """Group labels of this round, the owner first, then by name."""
        labels: set[str] = {g for (r, g, _, _) in self.group_rows if r == self.rid}
        owner = str(self.round.owner_unit_id)

        def order(g: str) -> tuple[bool, str]:
            return g != owner, name_key(self.group_names.get(g) or g)

        return sorted(labels, key=order)

    def group_row(
        self, group: str, column: ScopeColumn, round_id: str | None = None
    ) -> dict[str, Any]:
        key = (round_id or self.rid, group, column.scope_type, column.scope_id)
        return self.group_rows.get(key, {})

    def index(self, score: float | None) -> float | None:
        """A score (e.g. the group median) on the index scale, by the engine's definition."""
        if score is None:
            return None
        return float(index_of(np.array([score], dtype=np.float64), self.q.scale.size)[0])


def load_results(
    session: Session,
    *,
    scope: RoundScope,
    q: Questionnaire,
    k: int,
    k_detail: int,
    tag: str | None = None,
    with_previous: bool = False,
    compare_by: tuple[str, ...] = (),
) -> Results:
    """Run the engine on the round (and, for trends, the previous round of the questionnaire);
    ``compare_by`` names the unit attributes to decompose by (the equity panel's). Groups of
    fewer than ``k_detail`` units get no order statistics or dispersion (the small-cell rule of
    every published table, ``survey.stats.publication.small_cell``)."""
    analysed = tagged_questionnaire(q, tag)
    previous = previous_round(session, round_=scope.round, key=q.key) if with_previous else None
    link = None
    if previous is not None:
        link = version_link(session, q=q, earlier_questionnaire_id=previous.questionnaire_id)
        if link is not None and link.comparison is not None:
            # another version: both rounds on the items comparable by the crosswalk
            analysed = tagged_questionnaire(link.comparison.common, tag)
    linked = link is None or link.comparison is not None
    raw = round_results(
        session,
        scope=scope,
        q=analysed,
        k=k,
        compare_by=compare_by,
        extra_rounds=[previous] if previous is not None and linked else [],
        extra_item_map=link.comparison.old_to_new if link and link.comparison else None,
    )
    result = Results(scope.round, analysed, k, raw, previous, link)
    for ru in raw.units:
        if ru.organiser is not None:
            result.group_names[str(ru.organiser.id)] = ru.organiser.name
            result.group_types[str(ru.organiser.id)] = ru.organiser.organiser_type
    if raw.analysis is None:
        return result
    for row in raw.analysis.units:
        key = (str(row["round"]), row["unit_id"], row["scope_type"], row["scope_id"])
        result.unit_rows[key] = row
    for row in raw.analysis.groups:
        key = (str(row["round"]), row["group"], row["scope_type"], row["scope_id"])
        result.group_rows[key] = small_cell(row, k_detail)
    for row in raw.analysis.comparisons:
        key = (str(row["round"]), row["by"], row["scope_type"], row["scope_id"])
        values = [
            v if (v.get("n") or 0) >= k_detail else {**v, "median": None}
            for v in row["values"] or []
        ]
        result.comparisons[key] = {**row, "values": values}
    return result


def unit_names(results: Results) -> dict[str, RoundUnit]:
    return {str(ru.unit.id): ru for ru in results.units}


def summary_link(actor: Actor, ru: RoundUnit) -> int | None:
    """The assessment whose summary the actor may open from a cell, if any."""
    return ru.assessment.id if can_view_results(actor, ru.unit, ru.assessment) else None


# ---------------------------------------------------------------------------------- heat map


@dataclass(frozen=True)
class Cell:
    level: int | None
    index: float | None
    reason: str | None  # not_shared | not_submitted | below_k | insufficient (no score)


@dataclass
class HeatRow:
    unit: Unit
    form: str | None
    n_respondents: int | None  # individual questionnaires: submitted respondents
    reason: str | None
    summary_id: int | None
    cells: dict[str, Cell]


@dataclass
class MedianRow:
    group: str
    name: str
    n_units: int
    cells: dict[str, float | None]  # the median on the index scale


@dataclass
class HeatMap:
    results: Results
    view: str
    columns: list[ScopeColumn]
    rows: list[HeatRow]
    medians: list[MedianRow]
    filters: Filters
    sort: str
    direction: str
    forms: list[str]  # filter options present in the round
    kinds: list[str]
    reasons: dict[str, int]  # reason → shown units with at least one such cell
    n_units: int  # units in the round the actor sees


def _cell(results: Results, ru: RoundUnit, column: ScopeColumn) -> Cell:
    unit_id = ru.unit_id
    reason = results.raw.excluded.get(unit_id)
    if reason:
        return Cell(None, None, reason)
    row = results.unit_row(unit_id, column)
    if row.get("index") is None:
        return Cell(None, None, "insufficient")
    return Cell(row["level"], row["index"], None)


def check_sort(sort: str, direction: str, columns: list[ScopeColumn]) -> tuple[str, str]:
    if sort not in FIXED_SORTS and sort not in {c.key for c in columns}:
        problems = [msg("err.field.unknown", field="sort", value=sort)]
        raise InvalidInput("err.cmp.sort", problems=problems)
    if direction not in ("asc", "desc"):
        problems = [msg("err.field.unknown", field="dir", value=direction)]
        raise InvalidInput("err.cmp.sort", problems=problems)
    return sort, direction


def sort_rows(rows: list[HeatRow], sort: str, direction: str) -> list[HeatRow]:
    """By the chosen column; units without a value last whatever the direction."""
    rows = sorted(rows, key=lambda r: name_key(r.unit.name))
    if sort == "name":
        return rows[::-1] if direction == "desc" else rows

    def value(row: HeatRow) -> Any:
        if sort == "form":
            return row.form
        if sort == "n":
            return row.n_respondents
        return row.cells[sort].index

    present = [r for r in rows if value(r) is not None]
    missing = [r for r in rows if value(r) is None]
    return sorted(present, key=value, reverse=direction == "desc") + missing


def median_rows(results: Results, columns: list[ScopeColumn]) -> list[MedianRow]:
    out = []
    for group in results.groups():
        rows = {c.key: results.group_row(group, c) for c in columns}
        n = max((r.get("n_units") or 0 for r in rows.values()), default=0)
        cells = {key: results.index(row.get("median")) for key, row in rows.items()}
        out.append(MedianRow(group, results.group_names.get(group, group), n, cells))
    return out


def check_view(view: str) -> None:
    """``view`` is one of VIEWS, else InvalidInput naming the field and the allowed values."""
    if view not in VIEWS:
        allowed = ", ".join(VIEWS)
        problems = [msg("err.field.not_one_of", field="view", value=view, allowed=allowed)]
        raise InvalidInput("err.cmp.view", problems=problems)


def heat_map(
    session: Session,
    *,
    scope: RoundScope,
    q: Questionnaire,
    actor: Actor,
    k: int,
    k_detail: int,
    view: str,
    filters: Filters,
    sort: str,
    direction: str,
) -> HeatMap:
    check_view(view)
    results = load_results(session, scope=scope, q=q, k=k, tag=filters.tag, k_detail=k_detail)
    columns = scope_columns(results.q, view)
    if sort not in {c.key for c in columns} and sort in {c.key for c in scope_columns(q, view)}:
        sort, direction = "name", "asc"  # a column the tag filter removed
    sort, direction = check_sort(sort, direction, columns)
    if sort == "n" and not q.is_individual:
        sort = "name"
    rows = []
    reasons: dict[str, int] = {}
    for ru in results.units:
        if filters.form and filters.form not in ru.forms:
            continue
        if filters.kind and ru.unit.kind != filters.kind:
            continue
        cells = {c.key: _cell(results, ru, c) for c in columns}
        for reason in {cell.reason for cell in cells.values() if cell.reason}:
            reasons[reason] = reasons.get(reason, 0) + 1
        rows.append(
            HeatRow(
                ru.unit,
                ru.school_form,
                ru.respondents[0] if ru.respondents else None,
                results.raw.excluded.get(ru.unit_id),
                summary_link(actor, ru),
                cells,
            )
        )
    forms = sorted({f for ru in results.units for f in ru.forms}, key=SCHOOL_FORMS.index)
    kinds = sorted({ru.unit.kind for ru in results.units}, key=UNIT_KINDS.index)
    return HeatMap(
        results,
        view,
        columns,
        sort_rows(rows, sort, direction),
        median_rows(results, columns),
        filters,
        sort,
        direction,
        forms,
        kinds,
        reasons,
        len(results.units),
    )
