"""The trend of a round: each unit's change since the previous round of the same questionnaire,
and per group and scope the engine's counts (improved / unchanged / declined) and Wilcoxon test.

The previous round is passed to the engine as an extra round, so it computes the trend entries;
a unit's change is the difference of its two engine indices.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session

from survey.models import Unit, id_of
from survey.questionnaire import Questionnaire
from survey.services.access import Actor
from survey.services.comparison.heatmap import (
    Results,
    ScopeColumn,
    check_view,
    load_results,
    name_key,
    scope_columns,
    summary_link,
)
from survey.services.rounds.access import RoundScope


@dataclass(frozen=True)
class TrendCount:
    column: ScopeColumn
    n_pairs: int
    improved: int
    unchanged: int
    declined: int
    statistic: float | None
    p: float | None


@dataclass
class TrendRow:
    unit: Unit
    form: str | None
    summary_id: int | None
    changes: dict[str, float | None]  # index now - index in the previous round


@dataclass
class TrendGroup:
    group: str
    name: str
    counts: list[TrendCount]


@dataclass
class Trend:
    results: Results
    view: str
    columns: list[ScopeColumn]  # the view's scopes (unit table)
    all_columns: list[ScopeColumn]  # every scope (counts)
    groups: list[TrendGroup]
    rows: list[TrendRow]
    #: the previous round answered another version of the questionnaire (else None)
    previous_version: str | None = None
    #: that version has no valid crosswalk to this one: no trend
    no_crosswalk: bool = False
    #: per scope key (sub-goal id, area id, "total"): comparable items, items in the scope;
    #: empty unless the previous round answered another version
    comparable: dict[str, tuple[int, int]] = field(default_factory=dict)


def _trend_count(
    results: Results, group: str, column: ScopeColumn, before: str
) -> TrendCount | None:
    """The engine's trend entry from ``before`` to this round.

    The engine orders rounds by their label (the round id); a previous round created after this
    one therefore carries the entry from this round to it, with improved and declined swapped
    (Wilcoxon's two-sided statistic min(T+, T-) and p are the same both ways)."""
    entries = results.group_row(group, column).get("trend") or []
    entry = next((e for e in entries if str(e["from_round"]) == before), None)
    swap = False
    if entry is None:
        entries = results.group_row(group, column, before).get("trend") or []
        entry = next((e for e in entries if str(e["from_round"]) == results.rid), None)
        swap = True
    if entry is None:
        return None
    improved, declined = entry["improved"], entry["declined"]
    if swap:
        improved, declined = declined, improved
    return TrendCount(
        column,
        entry["n_pairs"],
        improved,
        entry["unchanged"],
        declined,
        entry["wilcoxon_statistic"],
        entry["wilcoxon_p"],
    )


def trend(
    session: Session,
    *,
    scope: RoundScope,
    q: Questionnaire,
    actor: Actor,
    k: int,
    k_detail: int,
    view: str,
) -> Trend:
    check_view(view)
    results = load_results(session, scope=scope, q=q, k=k, with_previous=True, k_detail=k_detail)
    all_columns = scope_columns(results.q)
    columns = scope_columns(results.q, view)
    out = Trend(results, view, columns, all_columns, [], [])
    if results.link is not None:
        out.previous_version = results.link.old_version
        out.no_crosswalk = results.link.comparison is None
        if results.link.comparison is not None:
            out.comparable = {
                scope_id: n for (_, scope_id), n in results.link.comparison.counts.items()
            }
    if results.previous is None or out.no_crosswalk:
        return out
    before = str(results.previous.id)
    for group in results.groups():
        counts = []
        for column in all_columns:
            count = _trend_count(results, group, column, before)
            if count is not None:
                counts.append(count)
        out.groups.append(TrendGroup(group, results.group_names.get(group, group), counts))
    for ru in results.raw.included:
        changes: dict[str, float | None] = {}
        for column in columns:
            now = results.unit_row(id_of(ru.unit), column).get("index")
            then = results.unit_row(id_of(ru.unit), column, before).get("index")
            changes[column.key] = now - then if now is not None and then is not None else None
        out.rows.append(TrendRow(ru.unit, ru.school_form, summary_link(actor, ru), changes))
    out.rows.sort(key=lambda r: name_key(r.unit.name))
    return out
