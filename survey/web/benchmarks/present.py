"""A benchmark as plain data with labels and sentences, in Swedish or English.

One shape for the page and for the JSON twin (``describe``); formatting only, every number comes
from :mod:`survey.services.benchmarks.build`.
"""

from __future__ import annotations

from typing import Any

from survey.questionnaire import Framework, Questionnaire
from survey.services.benchmarks.build import Benchmark, GroupStat, Line
from survey.web.comparison.present import Tr, fmt, fmt_p
from survey.web.i18n import N_, translate
from survey.web.labels import BENCHMARK_NOUN

ALPHA = 0.05
NOUNS = {"school": "schools", "preschool": "preschools", "organiser": "organisers"}

ORGANISER_TYPES = {
    "municipal": N_("bm.otype.municipal"),
    "independent": N_("bm.otype.independent"),
    "state": N_("bm.otype.state"),
    None: N_("bm.otype.None"),
}
PLACES = {  # "i riket (2,80)", "hos Uppsala kommun (3,10)" … by the group
    "nation": N_("bm.place.nation"),
    "region": N_("bm.place.region"),
    "organiser": N_("bm.place.organiser"),
    "organiser_type": N_("bm.place.organiser_type"),
}
RELATIONS = (  # the own value against the groups' medians
    (N_("bm.rel.above"), 1),
    (N_("bm.rel.equal"), 0),
    (N_("bm.rel.below"), -1),
)
SUBJECTS = {  # "Era skolor", "Er huvudman" … by the view and the units' noun
    ("organiser", "schools"): N_("bm.subject.organiser.schools"),
    ("organiser", "preschools"): N_("bm.subject.organiser.preschools"),
    ("organiser", "organisers"): N_("bm.subject.organiser.organisers"),
    ("organiser", "units"): N_("bm.subject.organiser.units"),
    ("organiser_unit", "schools"): N_("bm.subject.organiser_unit.schools"),
    ("organiser_unit", "preschools"): N_("bm.subject.organiser_unit.preschools"),
    ("organiser_unit", "organisers"): N_("bm.subject.organiser_unit.organisers"),
    ("organiser_unit", "units"): N_("bm.subject.organiser_unit.units"),
}
RESTS = {"nation": N_("bm.rest.nation"), "organiser_type": N_("bm.rest.organiser_type")}
TEST_MISSING = {
    "no_own_units": N_("bm.test.no_own_units"),
    "rest_below_k": N_("bm.test.rest_below_k"),
}
TESTS = {  # the test's outcome, by its direction and the view (the subject's grammatical number)
    ("above", "organiser"): N_("bm.test.above.organiser"),
    ("below", "organiser"): N_("bm.test.below.organiser"),
    ("none", "organiser"): N_("bm.test.none.organiser"),
    ("above", "organiser_unit"): N_("bm.test.above.organiser_unit"),
    ("below", "organiser_unit"): N_("bm.test.below.organiser_unit"),
    ("none", "organiser_unit"): N_("bm.test.none.organiser_unit"),
}


def scope_label(line: Line, framework: Framework, lang: str) -> str:
    if line.scope_type == "subgoal":
        short = framework.subgoal_by_id[line.scope_id].short.get(lang)
        return f"{line.scope_id.replace('FO', 'FO ')} {short}"
    if line.scope_type == "area":
        return framework.area_by_id[line.scope_id].title.get(lang)
    return translate("scope.total", lang)


def group_name(g: GroupStat, tr: Tr) -> str:
    if g.key in ("organiser", "region"):
        return g.unit_name or g.value
    if g.key == "organiser_type":
        return tr(ORGANISER_TYPES[g.value])
    return tr("bm.group.nation")


def where(line: Line, label: str, tr: Tr) -> str:
    """ "i FO 2.1 Digital kompetens" / "in …"; "totalt sett" / "overall" for the total."""
    return tr("bm.in_total") if line.scope_type == "total" else tr("bm.in_scope", scope=label)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _place(g: GroupStat, tr: Tr, lang: str) -> str:
    """ "riket (2,80)", "hos Uppsala kommun (3,10)" … with the group's median."""
    name = group_name(g, tr)
    if g.key == "organiser_type":
        name = name.lower()
    return tr(PLACES[g.key], name=name, median=fmt(g.median, 2, lang))


def position_sentence(b: Benchmark, line: Line, label: str, tr: Tr, lang: str) -> str | None:
    """Where the subject's value lies against the medians of the groups shown."""
    own = line.own.median
    shown = [g for g in line.groups if not g.suppressed and g.median is not None]
    if own is None or not shown:
        return None
    # Compared as shown (two decimals), so the words never contradict the figures beside them.
    mine = round(own, 2)
    sign = {g.key: (mine > round(g.median, 2)) - (mine < round(g.median, 2)) for g in shown}  # type: ignore[arg-type]
    parts = []
    for relation, wanted in RELATIONS:
        places = [_place(g, tr, lang) for g in shown if sign[g.key] == wanted]
        if places:
            joined = (
                places[0]
                if len(places) == 1
                else ", ".join(places[:-1]) + tr("bm.and") + places[-1]
            )
            parts.append(tr(relation, places=joined))
    subject = tr("bm.subject.organiser_median") if b.view == "organiser" else b.subject.name
    return tr(
        "bm.position",
        Where=_capital(where(line, label, tr)),
        subject=subject,
        own=fmt(own, 2, lang),
        parts=", ".join(parts),
    )


def test_sentence(b: Benchmark, line: Line, label: str, noun: str, tr: Tr, lang: str) -> str | None:
    """The organiser's units against the rest: "Era skolor ligger över övriga riket i FO 2.1:
    Cliff's δ = 0,41, p = 0,003 (Holm-justerat p = 0,02); 24 skolor mot 180."."""
    if b.view == "unit" or b.population is None:
        return None
    subject = tr(SUBJECTS[b.view, noun])
    rest = tr(RESTS[b.population], type=tr(ORGANISER_TYPES[b.subject.organiser_type]).lower())
    t = line.test
    if t is None:
        if line.test_missing is None:
            return None
        return tr(
            TEST_MISSING[line.test_missing],
            Where=_capital(where(line, label, tr)),
            k=b.k,
            rest=rest,
            noun=tr(BENCHMARK_NOUN[noun]),
        )
    significant = t.p_adj is not None and t.p_adj < ALPHA and t.cliffs_delta
    direction = ("above" if t.cliffs_delta > 0 else "below") if significant else "none"  # type: ignore[operator]
    return tr(
        TESTS[direction, b.view],
        subject=subject,
        rest=rest,
        where=where(line, label, tr),
        delta=fmt(t.cliffs_delta, 2, lang),
        p=fmt_p(t.p, lang),
        p_adj=fmt_p(t.p_adj, lang),
        n_mine=t.n_mine,
        n_rest=t.n_rest,
        noun=tr(BENCHMARK_NOUN[noun]),
    )


def _group(g: GroupStat, tr: Tr) -> dict[str, Any]:
    return {
        "key": g.key,
        "value": g.value,
        "name": group_name(g, tr),
        "n_units": g.n_units,
        "median": g.median,
        "q1": g.q1,
        "q3": g.q3,
        "n_targeted": g.n_targeted,
        "response_rate": g.response_rate,
        "suppressed": g.suppressed,
    }


def describe(
    b: Benchmark, *, q: Questionnaire, framework: Framework, tr: Tr, lang: str
) -> dict[str, Any]:
    """Everything the page shows, as JSON-ready data."""
    noun = NOUNS.get(b.unit_kind, "units")
    lines = []
    for line in b.lines:
        label = scope_label(line, framework, lang)
        t = line.test
        lines.append(
            {
                "scope_type": line.scope_type,
                "scope_id": line.scope_id,
                "label": label,
                "own": {
                    "n_units": line.own.n_units,
                    "median": line.own.median,
                    "q1": line.own.q1,
                    "q3": line.own.q3,
                },
                "groups": [_group(g, tr) for g in line.groups],
                "test": None
                if t is None
                else {
                    "u": t.u,
                    "p": t.p,
                    "p_adj": t.p_adj,
                    "cliffs_delta": t.cliffs_delta,
                    "n_mine": t.n_mine,
                    "n_rest": t.n_rest,
                },
                "test_missing": line.test_missing,
                "sentences": [
                    s
                    for s in (
                        test_sentence(b, line, label, noun, tr, lang),
                        position_sentence(b, line, label, tr, lang),
                    )
                    if s
                ],
            }
        )
    first = b.lines[0].groups if b.lines else []
    return {
        "round": {"id": b.round.id, "title": b.round.title, "kind": b.round.kind},
        "questionnaire": {"key": q.key, "version": q.version},
        "subject": {"id": b.subject.id, "name": b.subject.name, "kind": b.subject.kind},
        "view": b.view,
        "k": b.k,
        "population": b.population,
        "unit_noun": noun,
        "preliminary": b.preliminary,
        "own_suppressed": b.own_suppressed,
        "release": None
        if b.release is None
        else {
            "number": b.release.number,
            "kind": b.release.kind,
            "created_at": b.release.created_at.isoformat(),
            "k_detail": b.release.k_detail,
        },
        "scale": {"min": 1, "max": q.scale.size, "floor_level": q.scoring.floor_level},
        "groups": [{"key": g.key, "value": g.value, "name": group_name(g, tr)} for g in first],
        "lines": lines,
    }
