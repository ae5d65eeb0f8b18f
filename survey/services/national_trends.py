"""Trends over the national rounds of one questionnaire (issue 8), per breakdown.

- Cross-sectional: the publication of every national round with the same questionnaire key,
  side by side — the very rows the pages, the API and the files show, suppression included.
- Paired: the units answering both this round and the previous national round of the key. The
  statistics engine (``run_analysis`` on both rounds together, grouped by the breakdown) gives
  per group and scope the improved / unchanged / declined counts and the Wilcoxon signed-rank
  test (its ``trend`` entries). A cell is shown only with at least k pairs; and because the pairs
  of the groups add up to the nation's, the pair counts of the whole breakdown family go through
  the publication's secondary suppression too, so no hidden cell can be recovered by
  subtraction; a group this round's publication hides is hidden here as well.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from sqlmodel import Session, col, select

from survey.models import QuestionnaireVersion, Round, Unit
from survey.questionnaire import Framework, Questionnaire
from survey.services.national import (
    DIMENSIONS,
    FAMILY,
    Publication,
    _attributes,
    submitted_count,
)
from survey.services.national_files import round_publication
from survey.services.results import answer_rows, run_analysis
from survey.services.round_access import RoundScope
from survey.services.round_results import RoundUnit, round_units
from survey.stats.breakdowns import SEPARATOR
from survey.stats.disclosure import Cell, Tables, suppress

GROUP = "breakdown"
NATION = "all"
TREND_FIELDS = ("n_pairs", "improved", "unchanged", "declined", "wilcoxon_statistic", "wilcoxon_p")


def same_key_rounds(session: Session, *, round_: Round) -> list[Round]:
    """The national rounds of the round's questionnaire key, oldest first."""
    stored = session.get(QuestionnaireVersion, round_.questionnaire_id)
    assert stored is not None
    return list(
        session.exec(
            select(Round)
            .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == col(Round.questionnaire_id))
            .where(Round.kind == "national", QuestionnaireVersion.key == stored.key)
            .order_by(col(Round.opens), col(Round.id))
        )
    )


def previous_of(rounds: list[Round], round_: Round) -> Round | None:
    """The latest round of ``rounds`` (oldest first) that opened before ``round_``."""
    earlier = [r for r in rounds if r.id != round_.id and r.opens < round_.opens]
    return earlier[-1] if earlier else None


# ------------------------------------------------------------------------------------ paired


@dataclass
class Paired:
    earlier: Round
    later: Round
    by: tuple[str, ...]
    k: int
    #: group, scope_type, scope_id, the TREND_FIELDS (None where suppressed), suppressed
    rows: list[dict[str, Any]] = field(default_factory=list)

    def select(self, scope_type: str | None = None) -> list[dict[str, Any]]:
        return [r for r in self.rows if scope_type is None or r["scope_type"] == scope_type]


def _answering(session: Session, round_: Round, q: Questionnaire) -> dict[int, RoundUnit]:
    owner = session.get(Unit, round_.owner_unit_id)
    assert owner is not None
    scope = RoundScope(round_, owner, None, False, False)
    return {
        ru.unit.id: ru  # type: ignore[misc]
        for ru in round_units(session, scope=scope, individual=q.is_individual)
        if (ru.respondents[0] > 0 if q.is_individual else ru.assessment.state == "submitted")  # type: ignore[index]
    }


def _cell(columns: tuple[str, ...], values: list[str]) -> Cell:
    if not columns:
        return ("nation", "")
    if len(columns) == 1:
        return (columns[0], values[0])
    return (",".join(columns), tuple(values))


def hidden_cells(
    paired: set[int], attributes: dict[int, dict[str, str | None]], k: int
) -> set[Cell]:
    """The cells of the breakdown family to hide, given which units are paired: below k pairs,
    and the secondary cells that keep every line safe (as in the publication)."""
    counts: dict[Cell, int] = {}
    for columns in FAMILY:
        for uid in paired:
            values = [attributes[uid][c] for c in columns]
            if all(values):
                cell = _cell(columns, values)  # type: ignore[arg-type]
                counts[cell] = counts.get(cell, 0) + 1
    tables = Tables()
    tables.counts[("nation", "")] = counts.get(("nation", ""), 0)
    for d in DIMENSIONS:
        tables.add_one_way(d, {c[1]: n for c, n in counts.items() if c[0] == d}, ("nation", ""))
    for a, b in combinations(DIMENSIONS, 2):
        name = f"{a},{b}"
        pair = {c[1]: n for c, n in counts.items() if c[0] == name}
        tables.add_two_way(name, pair, rows=a, columns=b)  # type: ignore[arg-type]
    return suppress(tables, k)


def _label(attributes: dict[str, str | None], by: tuple[str, ...]) -> str | None:
    if not by:
        return NATION
    values = [attributes[c] for c in by]
    return None if not all(values) else SEPARATOR.join(values)  # type: ignore[arg-type]


def _clean(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


def build_paired(
    session: Session,
    *,
    earlier: Round,
    later: Round,
    q: Questionnaire,
    by: tuple[str, ...],
    k: int,
) -> Paired:
    """Units answering both rounds, their change per group of ``by`` and scope."""
    before, after = _answering(session, earlier, q), _answering(session, later, q)
    both = sorted(before.keys() & after.keys())
    attributes = {uid: _attributes(after[uid]) for uid in both}
    result = Paired(earlier, later, by, k)
    if not both:
        return result
    units = {uid: {GROUP: _label(attributes[uid], by)} for uid in both}
    rows = answer_rows(
        session,
        assessment_ids=[r[uid].assessment.id for r in (before, after) for uid in both],  # type: ignore[misc]
        submitted_only=True,
    )
    analysis = run_analysis(q, units=units, rows=rows, group_by=GROUP)  # type: ignore[arg-type]
    # The engine pairs consecutive rounds in id order; the trend sits on the higher id.
    reverse = earlier.id > later.id  # type: ignore[operator]
    to_round = str(max(earlier.id, later.id))  # type: ignore[type-var]
    scored: dict[tuple[str, str], dict[str, set[int]]] = {}
    for rnd, uid, stype, sid, score in zip(
        *(analysis.unit_column(c) for c in ("round", "unit_id", "scope_type", "scope_id", "score")),
        strict=True,
    ):
        if score is not None:
            scored.setdefault((stype, sid), {}).setdefault(str(rnd), set()).add(int(uid))
    hidden: dict[tuple[str, str], set[Cell]] = {}
    for scope, per_round in scored.items():
        paired = per_round.get(str(earlier.id), set()) & per_round.get(str(later.id), set())
        hidden[scope] = hidden_cells(paired, attributes, k)
    for row in analysis.groups:
        if str(row["round"]) != to_round:
            continue
        entry = next(iter(row["trend"] or []), None) or {}
        values = {f: _clean(entry.get(f)) for f in TREND_FIELDS}
        if reverse:
            values["improved"], values["declined"] = values["declined"], values["improved"]
        group_values = [] if not by else row["group"].split(SEPARATOR)
        scope = (row["scope_type"], row["scope_id"])
        is_hidden = (values["n_pairs"] or 0) < k or _cell(by, group_values) in hidden.get(
            scope, set()
        )
        out: dict[str, Any] = {
            "group": dict(zip(by, group_values, strict=True)),
            "scope_type": row["scope_type"],
            "scope_id": row["scope_id"],
        }
        out |= {f: None if is_hidden else values[f] for f in TREND_FIELDS}
        out["suppressed"] = is_hidden
        result.rows.append(out)
    return result


_cache: dict[tuple[Any, ...], Paired] = {}


def paired_for(
    session: Session,
    *,
    earlier: Round,
    later: Round,
    q: Questionnaire,
    by: tuple[str, ...],
    k: int,
) -> Paired:
    """``build_paired``, rebuilt only when either round's submitted data changed."""
    key = (
        str(session.get_bind().url),  # type: ignore[union-attr]
        earlier.id,
        later.id,
        by,
        k,
        *submitted_count(session, round_id=earlier.id),  # type: ignore[arg-type]
        *submitted_count(session, round_id=later.id),  # type: ignore[arg-type]
    )
    if key not in _cache:
        if len(_cache) > 32:
            _cache.clear()
        _cache[key] = build_paired(session, earlier=earlier, later=later, q=q, by=by, k=k)
    return _cache[key]


# ------------------------------------------------------------------------------------ together


@dataclass
class Trends:
    round: Round
    q: Questionnaire
    k: int
    by: tuple[str, ...]
    rounds: list[Round]  # national rounds of the key, oldest first (this one included)
    publications: list[Publication]  # one per round, same order
    paired: Paired | None  # None: no earlier national round of the key

    def side_by_side(
        self, scope_type: str | None = None
    ) -> dict[tuple[str, str], dict[tuple[str, ...], list[dict[str, Any] | None]]]:
        """Scope → group values → each round's published row (None: no such group then)."""
        out: dict[tuple[str, str], dict[tuple[str, ...], list[dict[str, Any] | None]]] = {}
        for i, pub in enumerate(self.publications):
            for row in pub.select(by=self.by, scope_type=scope_type):
                scope = (row["scope_type"], row["scope_id"])
                group = tuple(row["group"].get(c, "") for c in self.by)
                cells = out.setdefault(scope, {}).setdefault(group, [None] * len(self.rounds))
                cells[i] = row
        return out


def national_trends(
    session: Session, *, round_: Round, framework: Framework, by: tuple[str, ...], k: int
) -> Trends:
    """Cross-sectional and paired trends of a national round for the breakdown ``by``."""
    rounds = same_key_rounds(session, round_=round_)
    pubs = []
    q = None
    for r in rounds:
        rq, pub = round_publication(session, round_=r, framework=framework, k=k)
        pubs.append(pub)
        if r.id == round_.id:
            q = rq
    assert q is not None
    earlier = previous_of(rounds, round_)
    paired = None
    if earlier is not None:
        paired = paired_for(session, earlier=earlier, later=round_, q=q, by=by, k=k)
        paired = hidden_as_published(paired, pubs[rounds.index(round_)])
    return Trends(round_, q, k, by, rounds, pubs, paired)


def hidden_as_published(paired: Paired, pub: Publication) -> Paired:
    """Also hide the pairs of a group whose aggregates this round's publication hides: a page
    never shows anything of a group it hides elsewhere (the pair count would bound its size)."""
    hidden = {
        (r["scope_type"], r["scope_id"], tuple(r["group"].values()))
        for r in pub.select(by=paired.by)
        if r["suppressed"]
    }
    rows = []
    for row in paired.rows:
        if (row["scope_type"], row["scope_id"], tuple(row["group"].values())) in hidden:
            row = {**row, **dict.fromkeys(TREND_FIELDS), "suppressed": True}
        rows.append(row)
    return Paired(paired.earlier, paired.later, paired.by, paired.k, rows)
