"""National follow-up aggregates (FO 3.2) with disclosure control (issue 8).

One publication per round: every breakdown (nation; region, organiser type, school form,
organiser; and each pair of them) is computed once by the statistics engine, then one
suppression pattern is decided for all of them together (``survey.stats.disclosure``), so
pages, API and files show the same cells hidden.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import combinations
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, func, select

from survey.errors import InvalidInput
from survey.models import Assessment, Respondent, Round, Unit, UnitSchoolForm, utcnow
from survey.questionnaire import Questionnaire
from survey.services.respondents import respondent_counts
from survey.services.results import answer_columns, column_tables
from survey.services.round_access import RoundScope
from survey.services.round_results import RoundUnit, main_school_form
from survey.stats.breakdowns import SEPARATOR, Breakdown, breakdowns
from survey.stats.disclosure import Tables, suppress

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
        raise InvalidInput(
            f"by: '{raw}' is not a breakdown; use nothing, one of {', '.join(DIMENSIONS)}, "
            "or two of them separated by a comma"
        )
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


def _round_entries(
    session: Session, *, round_: Round, owner_scope: RoundScope, individual: bool
) -> list[_Entry]:
    """:func:`round_units` with :func:`_attributes`, as one query of plain columns (no ORM
    object per unit: a national round has thousands)."""
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
    counts = respondent_counts(session, assessment_ids=[r[0] for r in rows]) if individual else {}
    entries = []
    for a_id, state, u_id, kind, _, u_type, p_id, p_county, p_type, g_county in rows:
        own = kind == "organiser"  # an organiser answers for itself; its parent is the region
        entries.append(
            _Entry(
                u_id,
                a_id,
                counts.get(a_id, (0, 0))[0] > 0 if individual else state == "submitted",
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


def _group_dict(columns: tuple[str, ...], label: str) -> dict[str, str]:
    if not columns:
        return {}
    return dict(zip(columns, label.split(SEPARATOR), strict=True))


def build_publication(
    session: Session, *, round_: Round, owner_scope: RoundScope, q: Questionnaire, k: int
) -> Publication:
    units = _round_entries(
        session, round_=round_, owner_scope=owner_scope, individual=q.is_individual
    )
    targeted: dict[tuple[str, str], int] = {}
    for columns in FAMILY:
        for entry in units:
            values = [entry.attributes[c] for c in columns]
            if all(values):
                key = (",".join(columns), SEPARATOR.join(values))  # type: ignore[arg-type]
                targeted[key] = targeted.get(key, 0) + 1
    answering = [entry for entry in units if entry.answering]
    # Columns straight from the database (no Python object per answer: a national teacher
    # round has millions), and no tests about single units inside groups: the publication
    # shows the distribution of every group, never a unit.
    answers = answer_columns(
        session,
        q=q,
        assessment_ids=[entry.assessment_id for entry in answering],
        submitted_only=True,
    )
    unit_table, answer_table = column_tables(
        units={entry.unit_id: entry.attributes for entry in answering},
        answers=answers,
        columns=DIMENSIONS,
    )
    results = breakdowns(q, unit_table, answer_table, by=FAMILY, tests=False)
    published: list[dict[str, Any]] = []
    by_scope: dict[tuple[str, str], list[tuple[Breakdown, dict[str, Any]]]] = {}
    for b in results:
        for row in b.rows:
            by_scope.setdefault((row["scope_type"], row["scope_id"]), []).append((b, row))
    for (scope_type, scope_id), entries in by_scope.items():
        tables = Tables()
        primary = []
        counts: dict[str, dict[Any, int]] = {}
        for b, row in entries:
            n = int(row["n_units"] or 0)
            counts.setdefault(b.by, {})[row["group"]] = n
            resp = b.respondents.get((row["round"], scope_type, scope_id, row["group"]), 0)
            if q.is_individual and resp < k:
                primary.append((b.by or "nation", row["group"] if b.columns else ""))
        tables.counts[("nation", "")] = counts.get("", {}).get("", 0)
        for d in DIMENSIONS:
            tables.add_one_way(d, counts.get(d, {}), ("nation", ""))
        for a, b2 in combinations(DIMENSIONS, 2):
            pair = {tuple(g.split(SEPARATOR)): n for g, n in counts.get(f"{a},{b2}", {}).items()}
            tables.add_two_way(f"{a},{b2}", pair, rows=a, columns=b2)
        hidden = suppress(tables, k, primary=primary)
        for b, row in entries:
            key = (
                ("nation", "")
                if not b.columns
                else (
                    (b.by, row["group"])
                    if len(b.columns) == 1
                    else (b.by, tuple(row["group"].split(SEPARATOR)))
                )
            )
            is_hidden = key in hidden
            n_targeted = targeted.get((b.by, row["group"] if b.columns else ""), 0)
            out: dict[str, Any] = {
                "round": row["round"],
                "by": b.by,
                "group": _group_dict(b.columns, row["group"]),
                "scope_type": scope_type,
                "scope_id": scope_id,
            }
            for name in STAT_FIELDS:
                out[name] = None if is_hidden else row[name]
            out["suppressed"] = is_hidden
            out["n_targeted"] = n_targeted
            out["response_rate"] = (
                None if is_hidden or not n_targeted else int(row["n_units"] or 0) / n_targeted
            )
            published.append(out)
    # Kruskal-Wallis and Theil's decomposition per breakdown, over every answering unit. The
    # per-value counts and medians ("values") are left out: they would bypass the suppression
    # of the cells above.
    comparisons = [
        {key: value for key, value in row.items() if key != "values"}
        for b in results
        for row in b.comparisons
    ]
    return Publication(round=round_, k=k, rows=published, comparisons=comparisons)


def submitted_count(session: Session, *, round_id: int) -> tuple[int, Any]:
    """A cheap fingerprint of the round's data: submitted assessments and the latest change."""
    return session.exec(
        select(func.count(), func.max(Assessment.updated_at)).where(
            Assessment.round_id == round_id, col(Assessment.state) == "submitted"
        )
    ).one()  # type: ignore[return-value]


def respondent_count(session: Session, *, round_id: int) -> tuple[int, Any]:
    """Submitted respondents of the round and the latest submit (individual questionnaires)."""
    return session.exec(
        select(func.count(), func.max(Respondent.submitted_at))
        .join(Assessment, col(Assessment.id) == Respondent.assessment_id)
        .where(Assessment.round_id == round_id, col(Respondent.state) == "submitted")
    ).one()  # type: ignore[return-value]


def recent_respondents(session: Session, *, round_id: int, since: datetime) -> int:
    """Respondents of the round submitted after ``since``: a range of the partial index
    ``ix_respondent_submitted`` (submitted_at first), however many submitted before."""
    return session.exec(
        select(func.count())
        .select_from(Respondent)
        .join(Assessment, col(Assessment.id) == Respondent.assessment_id)
        .where(
            col(Respondent.state) == "submitted",
            col(Respondent.submitted_at) > since,
            Assessment.round_id == round_id,
        )
    ).one()


# Submitted respondents are never removed and get ``submitted_at`` = now when they submit, so
# an individual round's data changed if and only if the number submitted after a moment
# shortly before its latest submit changed. The margin covers submits whose transaction
# commits after later ones (clocks of several app servers, slow commits).
RECENT = timedelta(minutes=10)


def _aware(moment: datetime) -> datetime:
    """SQLite returns naive UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class DataStamp:
    """What a round's submitted data looked like when a cached result was built."""

    assessments: tuple[int, Any]  # submitted_count
    since: datetime | None  # individual questionnaires: recent_respondents(since) …
    recent: int  # … was this many


def data_stamp(session: Session, *, round_id: int, individual: bool) -> DataStamp:
    assessments = tuple(submitted_count(session, round_id=round_id))
    since, recent = None, 0
    if individual:
        _, latest = respondent_count(session, round_id=round_id)
        now = utcnow()
        # Not after the present (clock changes, imported data): a later submit counts.
        latest = now if latest is None else min(_aware(latest), now)
        since = latest - RECENT
        recent = recent_respondents(session, round_id=round_id, since=since)
    return DataStamp(assessments, since, recent)  # type: ignore[arg-type]


def is_fresh(session: Session, stamp: DataStamp, *, round_id: int) -> bool:
    """Whether the round's submitted data are still those of ``stamp`` (index reads only)."""
    if tuple(submitted_count(session, round_id=round_id)) != stamp.assessments:
        return False
    return stamp.since is None or (
        recent_respondents(session, round_id=round_id, since=stamp.since) == stamp.recent
    )


@dataclass(frozen=True)
class _Cached:
    publication: Publication
    stamp: DataStamp


def _fresh(session: Session, cached: _Cached, round_id: int) -> bool:
    return is_fresh(session, cached.stamp, round_id=round_id)


_cache: dict[tuple[Any, ...], _Cached] = {}
_building = threading.Lock()


def publication_for(
    session: Session, *, round_: Round, owner_scope: RoundScope, q: Questionnaire, k: int
) -> Publication:
    """The round's publication, rebuilt only when its submitted data changed.

    The check on every call reads indexes only: for a unit-level questionnaire the count and
    latest change of submitted assessments (``ix_assessment_round_submitted``), for an
    individual one also the respondents submitted in the last minutes before the latest
    submit seen (``ix_respondent_submitted``). One build at a time: requests arriving while it
    runs wait for it instead of building it again."""
    key = (str(session.get_bind().url), round_.id, k)  # type: ignore[union-attr]
    cached = _cache.get(key)
    if cached is not None and _fresh(session, cached, round_.id):  # type: ignore[arg-type]
        return cached.publication
    with _building:
        cached = _cache.get(key)
        if cached is not None and _fresh(session, cached, round_.id):  # type: ignore[arg-type]
            return cached.publication
        stamp = data_stamp(session, round_id=round_.id, individual=q.is_individual)  # type: ignore[arg-type]
        built = build_publication(session, round_=round_, owner_scope=owner_scope, q=q, k=k)
        _cache.pop(key, None)
        while len(_cache) >= 32:  # the oldest first (dicts keep insertion order)
            _cache.pop(next(iter(_cache)))
        _cache[key] = _Cached(built, stamp)
        return built
