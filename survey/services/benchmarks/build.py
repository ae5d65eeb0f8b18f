"""Benchmarks of a national round: an organiser's units, or one unit, against the
groups around them — from the round's latest release, never from live data.

- Comparison groups (organiser, organiser type, region, nation) are rows of the release's
  publication, so a group is hidden here exactly when it is on the national pages and in the
  files ("–", never a number from fewer than k units; median and quartiles only from groups of
  at least the second threshold).
- The subject's own figures: an organiser sees the median and quartiles of its own units in the
  release (from at least the second threshold of units); a unit sees its own score, live (its
  own data only; for individual questionnaires its released respondents).
- The organiser's units against the rest of the population (the nation; for the organiser-level
  questionnaire, the organisers of the same type) are tested with the engine's Mann-Whitney U
  (:func:`survey.stats.one_vs_rest`, as ``scipy.stats.mannwhitneyu``) with Cliff's delta, Holm-
  adjusted within each scope type, on the release's snapshot. The test is reported only when the
  rest has at least k units.
- Before the round's first release there is nothing to compare with: every group shows "–".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlmodel import Session

from survey.errors import NotFound
from survey.models import Round, Unit, id_of
from survey.questionnaire import Questionnaire
from survey.services.access import Actor, AssessmentContext
from survey.services.engine import analyse, answer_columns, rows_by_scope
from survey.services.national.aggregates import Publication
from survey.services.national.releases import Release, ReleaseInfo, load_release, releases_of
from survey.services.rounds.access import RoundScope
from survey.services.rounds.results import RoundUnit, round_units
from survey.stats import Analysis, Coded, holm, one_vs_rest

SCOPE_TYPES = ("subgoal", "area", "total")


@dataclass(frozen=True)
class GroupStat:
    """One comparison group of one scope, as published (None where suppressed)."""

    key: str  # organiser | organiser_type | region | nation
    value: str  # the breakdown value: organiser id, type, county code, "" for the nation
    unit_name: str | None  # the organiser's or region's name
    n_units: int | None
    median: float | None
    q1: float | None
    q3: float | None
    n_targeted: int
    response_rate: float | None
    suppressed: bool


@dataclass(frozen=True)
class OwnStat:
    """The subject's own figures: its units' median and quartiles, or a unit's own score."""

    n_units: int
    median: float | None
    q1: float | None = None
    q3: float | None = None


@dataclass(frozen=True)
class RankTest:
    u: float | None
    p: float | None
    p_adj: float | None
    cliffs_delta: float | None
    n_mine: int
    n_rest: int


@dataclass
class Line:
    scope_type: str
    scope_id: str
    own: OwnStat
    groups: list[GroupStat]
    test: RankTest | None = None
    #: Why there is no test: "rest_below_k", "no_own_units" (None when there is one, or for units).
    test_missing: str | None = None


@dataclass
class Benchmark:
    round: Round
    subject: Unit
    #: "organiser": the organiser's units; "organiser_unit": the organiser's own answers (the
    #: organiser-level questionnaire); "unit": one unit's assessment.
    view: str
    k: int
    #: Whom the organiser's units are tested against: "nation" or "organiser_type".
    population: str | None
    #: The kind of the units compared (school, preschool, organiser), for the wording.
    unit_kind: str = "school"
    lines: list[Line] = field(default_factory=list)
    preliminary: bool = False
    #: The release the groups come from (None: none published yet, every group is "–").
    release: ReleaseInfo | None = None
    #: Unit view of an individual questionnaire with fewer than k respondents: no own score.
    own_suppressed: bool = False


def national_round(scope: RoundScope) -> Round:
    """Benchmarks exist for national rounds only; any other round is "not found"."""
    if scope.round.kind != "national":
        raise NotFound("err.round.not_found")
    return scope.round


def owner_scope(session: Session, round_: Round) -> RoundScope:
    owner = session.get(Unit, round_.owner_unit_id)
    assert owner is not None
    return RoundScope(round_, owner, None, False, False)


def _organiser_of(ru: RoundUnit) -> Unit | None:
    return ru.unit if ru.unit.kind == "organiser" else ru.organiser


def benchmark_organisers(session: Session, *, scope: RoundScope, actor: Actor) -> list[Unit]:
    """The organisers taking part in the round whose benchmark the actor may see."""
    found: dict[int, Unit] = {}
    for ru in round_units(session, scope=scope, individual=False):
        organiser = _organiser_of(ru)
        if organiser is not None and (actor.is_admin or actor.has("strategist", organiser)):
            found[id_of(organiser)] = organiser
    return sorted(found.values(), key=lambda u: u.name)


# ------------------------------------------------------------------------------ comparison groups


class _Groups:
    """Published rows of the round by (by, value, scope_type, scope_id)."""

    def __init__(self, publication: Publication | None, k: int):
        self.k = k
        self.rows: dict[tuple[str, str, str, str], dict[str, Any]] = {}
        for row in publication.rows if publication else []:
            if row["by"] in ("", "region", "organiser_type", "organiser"):
                value = row["group"].get(row["by"], "") if row["by"] else ""
                self.rows[(row["by"], value, row["scope_type"], row["scope_id"])] = row

    def stat(self, key: str, value: str, name: str | None, scope: tuple[str, str]) -> GroupStat:
        by = "" if key == "nation" else key
        row = self.rows.get((by, value, *scope))
        # A group shown outside the units it describes needs k units: the publication makes
        # sure of that (and of secondary suppression); a group it lacks counts as suppressed.
        hidden = row is None or row["suppressed"] or (row["n_units"] or 0) < self.k
        shown = None if hidden else row
        return GroupStat(
            key=key,
            value=value,
            unit_name=name,
            n_units=shown["n_units"] if shown else None,
            median=shown["median"] if shown else None,
            q1=shown["q1"] if shown else None,
            q3=shown["q3"] if shown else None,
            n_targeted=row["n_targeted"] if row else 0,
            response_rate=shown["response_rate"] if shown else None,
            suppressed=hidden,
        )


def _group_keys(session: Session, unit: Unit, *, view: str) -> list[tuple[str, str, str | None]]:
    """(key, value, name) of the groups the subject is compared with: its organiser (a unit's
    view) or organiser type (the organiser-level questionnaire), its region, the nation."""
    keys: list[tuple[str, str, str | None]] = []
    parent = session.get(Unit, unit.parent_id) if unit.parent_id else None
    region = parent
    if view == "organiser_unit" or (view == "unit" and unit.kind == "organiser"):
        if unit.organiser_type:
            keys.append(("organiser_type", unit.organiser_type, None))
    elif view == "unit":
        region = session.get(Unit, parent.parent_id) if parent and parent.parent_id else None
        if parent is not None and parent.kind == "organiser":
            keys.append(("organiser", str(parent.id), parent.name))
    if region is not None and region.county_code:
        keys.append(("region", region.county_code, region.name))
    keys.append(("nation", "", None))
    return keys


def _scopes(q: Questionnaire) -> list[tuple[str, str]]:
    return [
        *(("subgoal", s) for s in q.subgoal_ids),
        *(("area", a) for a in q.area_ids),
        ("total", "total"),
    ]


# --------------------------------------------------------------------------- organiser's benchmark


def _latest(session: Session, round_: Round) -> Release | None:
    if not releases_of(session, round_id=id_of(round_)):
        return None
    return load_release(session, round_=round_)


def _side_analysis(q: Questionnaire, release: Release, mine: set[int], rest: set[int]) -> Analysis:
    """The engine run on the release's units with a unit column "side" = mine | rest (the
    engine keeps the last analyses, keyed by their inputs)."""
    units: dict[int, dict[str, str | None]] = {
        uid: {"side": "mine" if uid in mine else "rest"} for uid in mine | rest
    }
    return analyse(q, units=units, answers=release.snapshot.answers, group_by="side")


def _tests(analysis: Analysis) -> dict[tuple[str, str], RankTest]:
    """Mann-Whitney U of the "mine" units against the "rest" per scope (engine's one_vs_rest),
    Holm-adjusted within each scope type."""
    cols = analysis.unit_columns
    scope_id, scope_type, group = cols["scope_id"], cols["scope_type"], cols["group"]
    assert isinstance(scope_id, Coded) and isinstance(scope_type, Coded)
    assert isinstance(group, Coded)
    score = np.asarray(cols["score"], dtype=np.float64)
    labels = list(group.labels)
    if "mine" not in labels or "rest" not in labels:
        return {}
    ok = (group.codes >= 0) & ~np.isnan(score)
    seg = scope_id.codes[ok]
    n_scopes = len(scope_id.labels)
    label = seg * 2 + (group.codes[ok] == labels.index("rest"))
    u, p, delta, n_mine = one_vs_rest(seg, label, score[ok], n_scopes, 2 * n_scopes)
    n_all = np.bincount(seg, minlength=n_scopes)
    types = sorted(set(scope_type.labels))
    type_of = np.array([types.index(t) for t in scope_type.labels], dtype=np.int64)
    mine_p = p[0::2]
    p_adj = holm(type_of, mine_p, len(types))
    out = {}
    for s in range(n_scopes):
        n1 = int(n_mine[2 * s])
        out[(scope_type.labels[s], scope_id.labels[s])] = RankTest(
            u=_num(u[2 * s]),
            p=_num(mine_p[s]),
            p_adj=_num(p_adj[s]),
            cliffs_delta=_num(delta[2 * s]),
            n_mine=n1,
            n_rest=int(n_all[s]) - n1,
        )
    return out


def _num(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def organiser_benchmark(
    session: Session, *, round_: Round, q: Questionnaire, organiser: Unit, k: int
) -> Benchmark:
    """The organiser's units (or, for the organiser-level questionnaire, the organiser itself)
    against the groups around it, with the rank test against the rest of the population."""
    scope = owner_scope(session, round_)
    release = _latest(session, round_)
    units = round_units(session, scope=scope, individual=False)
    organiser_level = any(ru.unit.id == organiser.id for ru in units)
    benchmark = Benchmark(
        round=round_,
        subject=organiser,
        view="organiser_unit" if organiser_level else "organiser",
        k=k,
        population="organiser_type" if organiser_level else "nation",
        unit_kind=Counter(ru.unit.kind for ru in units).most_common(1)[0][0] if units else "school",
        release=release.info if release else None,
    )
    groups = _Groups(release.publication if release else None, k)
    keys = _group_keys(session, organiser, view=benchmark.view)
    own_rows: dict[tuple[str, str], dict[str, Any]] = {}
    tests: dict[tuple[str, str], RankTest] = {}
    if release is not None:
        snap = release.snapshot.units
        ids = snap.ids.tolist()
        if organiser_level:
            types = snap.attributes["organiser_type"]
            population = {
                u for u, t in zip(ids, types, strict=True) if t == organiser.organiser_type
            }
            mine = {int(organiser.id or 0)} & population
        else:
            population = set(ids)
            owners = snap.attributes["organiser"]
            mine = {u for u, o in zip(ids, owners, strict=True) if o == str(organiser.id)}
        if mine:
            analysis = _side_analysis(q, release, mine, population - mine)
            own_rows = {
                (r["scope_type"], r["scope_id"]): r for r in analysis.groups if r["group"] == "mine"
            }
            tests = _tests(analysis)
    for scope_key in _scopes(q):
        # The organiser's own units (each of which its strategists see anyway), as released.
        row = own_rows.get(scope_key)
        own = (
            OwnStat(int(row["n_units"]), row["median"], row["q1"], row["q3"])
            if row
            else OwnStat(0, None)
        )
        line = Line(*scope_key, own, [groups.stat(*key, scope=scope_key) for key in keys])
        test = tests.get(scope_key)
        if not own.n_units or test is None or test.n_mine == 0:
            line.test_missing = "no_own_units"
        elif test.n_rest < k:
            line.test_missing = "rest_below_k"
        else:
            line.test = test
        benchmark.lines.append(line)
    return benchmark


# ------------------------------------------------------------------------------- a unit's benchmark


def unit_benchmark(
    session: Session, *, ctx: AssessmentContext, q: Questionnaire, k: int
) -> Benchmark:
    """One unit's assessment against its organiser (or, for an organiser, organisers of its
    type), its region and the nation (groups from the round's latest release)."""
    round_ = ctx.round
    release = _latest(session, round_)
    answers = answer_columns(
        session,
        q=q,
        assessment_ids=[id_of(ctx.assessment)],
        submitted_only=q.is_individual,
        released_only=q.is_individual,
    )
    benchmark = Benchmark(
        round=round_,
        subject=ctx.unit,
        view="unit",
        k=k,
        population=None,
        unit_kind=ctx.unit.kind,
        preliminary=not q.is_individual and ctx.assessment.state != "submitted",
        release=release.info if release else None,
    )
    own: dict[tuple[str, str], dict[str, Any]] = {}
    if q.is_individual and answers.n_respondents < k:
        benchmark.own_suppressed = True
    elif len(answers):
        unit_id = id_of(ctx.unit)
        units: dict[int, dict[str, str | None]] = {unit_id: {"parent_id": str(ctx.unit.parent_id)}}
        own = rows_by_scope(
            analyse(q, units=units, answers=answers, keep=False),
            unit_id=unit_id,
            round_id=id_of(round_),
        )
    groups = _Groups(release.publication if release else None, k)
    keys = _group_keys(session, ctx.unit, view="unit")
    for scope_key in _scopes(q):
        score = own.get(scope_key, {}).get("score")
        stats = [groups.stat(*key, scope=scope_key) for key in keys]
        benchmark.lines.append(
            Line(*scope_key, OwnStat(1 if score is not None else 0, score), stats)
        )
    return benchmark
