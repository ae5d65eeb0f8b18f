"""The comparison services pick and sort the engine's numbers: heat map, equity panel, trend."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlmodel import Session, select

from survey.config import get_settings
from survey.errors import InvalidInput
from survey.models import User
from survey.questionnaire import load_framework
from survey.services.access import load_actor
from survey.services.comparison.equity import equity, parse_scope
from survey.services.comparison.heatmap import Filters, heat_map, parse_filters
from survey.services.comparison.trend import trend
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.access import get_round_units_view
from survey.services.rounds.results import round_results
from survey.stats.scoring import index_of
from survey.web.comparison.present import (
    fmt,
    fmt_p,
    icc_sentence,
    missing_messages,
    note_sentence,
)
from survey.web.i18n import translate
from survey.web.scopes import ScopeNames
from tests.comparison_worlds import TAG, add_earlier_round, teacher_world, unit_level_world

FRAMEWORK = load_framework(get_settings().questionnaire_dir / "framework.yaml")


def tr(key: str, **values: Any) -> str:
    return translate(key, "sv", **values)


def _view(session: Session, round_id: int, email: str = "strategist-a@example.org"):  # type: ignore[no-untyped-def]
    user = session.exec(select(User).where(User.email == email)).one()
    actor = load_actor(session, user=user)
    scope = get_round_units_view(session, actor=actor, round_id=round_id)
    q = questionnaire_for(session, questionnaire_id=scope.round.questionnaire_id)
    return actor, scope, q


def _heat_map(session: Session, round_id: int, **options: Any):  # type: ignore[no-untyped-def]
    actor, scope, q = _view(session, round_id)
    args: dict[str, Any] = {
        "view": "subgoal",
        "filters": Filters(),
        "sort": "name",
        "direction": "asc",
    }
    args.update(options)
    return heat_map(
        session,
        scope=scope,
        q=q,
        actor=actor,
        k=5,
        k_detail=5,
        **args,
    )


def _equity(session: Session, round_id: int, **options: Any):  # type: ignore[no-untyped-def]
    actor, scope, q = _view(session, round_id)
    return equity(
        session,
        scope=scope,
        q=q,
        actor=actor,
        k=5,
        k_detail=5,
        **options,
    )


def _row(hm, name: str):  # type: ignore[no-untyped-def]
    return next(r for r in hm.rows if r.unit.name == name)


def test_cells_are_the_engines_rows(engine) -> None:  # type: ignore[no-untyped-def]
    cmp = unit_level_world(engine)
    with Session(engine) as session:
        hm = _heat_map(session, cmp.round_id)
        _, scope, q = _view(session, cmp.round_id)
        analysis = round_results(session, scope=scope, q=q, k=5).analysis
    assert analysis is not None
    engine_rows = {
        (r["unit_id"], r["scope_id"]): r
        for r in analysis.units
        if r["scope_type"] in ("subgoal", "total")
    }
    checked = 0
    for row in hm.rows:
        for column in hm.columns:
            cell = row.cells[column.key]
            if row.reason:
                assert (cell.level, cell.index, cell.reason) == (None, None, row.reason)
                continue
            expected = engine_rows[(str(row.unit.id), column.scope_id)]
            assert (cell.level, cell.index) == (expected["level"], expected["index"])
            checked += 1
    assert checked == 6 * len(hm.columns)
    # By hand: every answer 2 on a 4-level scale -> level 2, index 100 * (2 - 1) / 3.
    kvarn = _row(hm, "Kvarnbackaskolan")
    for column in hm.columns:
        assert kvarn.cells[column.key].level == 2
        assert kvarn.cells[column.key].index == pytest.approx(100 / 3)


def test_units_without_a_result_say_why(engine) -> None:  # type: ignore[no-untyped-def]
    cmp = unit_level_world(engine)
    with Session(engine) as session:
        hm = _heat_map(session, cmp.round_id)
    assert _row(hm, "Dalskolan").reason == "not_shared"
    assert _row(hm, "Furuskolan").reason == "not_submitted"
    assert {c.reason for c in _row(hm, "Dalskolan").cells.values()} == {"not_shared"}
    assert hm.reasons == {"not_shared": 1, "not_submitted": 1}
    assert _row(hm, "Dalskolan").summary_id is None  # not shared: no link
    assert _row(hm, "Kvarnbackaskolan").summary_id == cmp.assessments[cmp.units["Kvarnbackaskolan"]]


def test_median_row_is_the_engines_group_median(engine) -> None:  # type: ignore[no-untyped-def]
    cmp = unit_level_world(engine)
    with Session(engine) as session:
        hm = _heat_map(session, cmp.round_id)
    [median] = hm.medians
    assert (median.name, median.n_units) == ("Uppsala kommun", 6)
    group = {
        (r["scope_id"]): r
        for r in hm.results.raw.analysis.groups  # type: ignore[union-attr]
    }
    for column in hm.columns:
        expected = index_of(group[column.scope_id]["median"], 4)
        assert median.cells[column.key] == pytest.approx(float(expected))
    # By hand, FO 1.2 (no tagged items): scores 2, 3, 3, 4, 4, 1 -> median 3 -> index 66.7.
    assert median.cells["FO1.2"] == pytest.approx(200 / 3)


def test_sorting_puts_missing_values_last(engine) -> None:  # type: ignore[no-untyped-def]
    cmp = unit_level_world(engine)
    with Session(engine) as session:
        down = _heat_map(session, cmp.round_id, sort="FO1.2", direction="desc")
        up = _heat_map(session, cmp.round_id, sort="FO1.2", direction="asc")
        by_name = _heat_map(session, cmp.round_id, direction="desc")
    names = [r.unit.name for r in down.rows]
    assert names == [
        "Björkskolan", "Cederskolan", "Almskolan", "Lindskolan", "Kvarnbackaskolan", "Komvux",
        "Dalskolan", "Furuskolan",
    ]  # fmt: skip
    assert [r.unit.name for r in up.rows][:6] == [
        "Komvux", "Kvarnbackaskolan", "Almskolan", "Lindskolan", "Björkskolan", "Cederskolan",
    ]  # fmt: skip
    assert [r.unit.name for r in up.rows][6:] == ["Dalskolan", "Furuskolan"]
    assert [r.unit.name for r in by_name.rows][0] == "Lindskolan"


def test_school_form_and_kind_filters_choose_rows(engine) -> None:  # type: ignore[no-untyped-def]
    cmp = unit_level_world(engine)
    with Session(engine) as session:
        gymnasium = _heat_map(session, cmp.round_id, filters=Filters(form="gymnasieskola"))
        leisure = _heat_map(session, cmp.round_id, filters=Filters(form="fritidshem"))
        adults = _heat_map(session, cmp.round_id, filters=Filters(kind="adult_education"))
        whole = _heat_map(session, cmp.round_id)
    assert [r.unit.name for r in gymnasium.rows] == ["Cederskolan"]
    assert [r.unit.name for r in leisure.rows] == ["Björkskolan"]
    assert [r.unit.name for r in adults.rows] == ["Komvux"]
    # The organiser's median still covers every unit with a result.
    assert gymnasium.medians[0].cells == whole.medians[0].cells
    assert gymnasium.forms == ["grundskola", "gymnasieskola", "vuxenutbildning", "fritidshem"]


def test_tag_filter_analyses_the_tagged_items_only(engine) -> None:  # type: ignore[no-untyped-def]
    cmp = unit_level_world(engine)
    with Session(engine) as session:
        plain = _heat_map(session, cmp.round_id)
        tagged = _heat_map(session, cmp.round_id, filters=Filters(tag=TAG))
        # A sort on a column the tag removes falls back to the name.
        fallback = _heat_map(session, cmp.round_id, filters=Filters(tag=TAG), sort="FO1.2")
    assert [c.key for c in tagged.columns] == ["FO1.1", "FO2.1", "FO2.3", "FO2.4", "total"]
    assert all(TAG in item.tags for item in tagged.results.q.items)
    ceder_plain = _row(plain, "Cederskolan").cells
    ceder = _row(tagged, "Cederskolan").cells
    # Cederskolan answered 1 on every tagged item and 4 on the others.
    assert ceder_plain["FO2.3"].level == 4
    for cell in ceder.values():
        assert (cell.level, cell.index) == (1, 0.0)
    assert _row(tagged, "Kvarnbackaskolan").cells["FO2.1"].level == 2
    assert fallback.sort == "name"


def test_unknown_filter_sort_or_scope_is_refused(engine) -> None:  # type: ignore[no-untyped-def]
    cmp = unit_level_world(engine)
    with Session(engine) as session:
        _, _, q = _view(session, cmp.round_id)
        with pytest.raises(InvalidInput):
            parse_filters(q, form="hogskola", kind=None, tag=None)
        with pytest.raises(InvalidInput):
            parse_filters(q, form=None, kind=None, tag="no-such-tag")
        with pytest.raises(InvalidInput):
            _heat_map(session, cmp.round_id, sort="FO9.9")
        with pytest.raises(InvalidInput):
            _heat_map(session, cmp.round_id, view="items")
        eq = _equity(session, cmp.round_id)
    with pytest.raises(InvalidInput):
        parse_scope("subgoal:FO9.9", eq.columns)
    assert parse_scope("subgoal:FO2.1", eq.columns).key == "FO2.1"
    assert parse_scope(None, eq.columns).key == "total"


def test_outliers_of_a_unit_level_round(engine) -> None:  # type: ignore[no-untyped-def]
    cmp = unit_level_world(engine)
    with Session(engine) as session:
        eq = _equity(session, cmp.round_id)
    panel = eq.panels["total"]
    engine_outliers = {o["unit_id"]: o for o in panel.stats["outliers"]}
    assert set(engine_outliers) == {str(cmp.units["Komvux"]), str(cmp.units["Kvarnbackaskolan"])}
    notes = {n.ru.unit.name: n for n in panel.notes}
    assert set(notes) == {"Komvux", "Kvarnbackaskolan"}
    komvux = notes["Komvux"]
    out = engine_outliers[str(cmp.units["Komvux"])]
    assert komvux.values["robust_z"] == out["robust_z"]
    assert komvux.values["level_gap"] == out["level_gap"] == 2
    assert komvux.values["median_index"] == pytest.approx(index_of(panel.stats["median"], 4))
    text = note_sentence(komvux, panel, tr, ScopeNames(FRAMEWORK, "sv"))
    median = fmt(komvux.values["median_index"], 0, "sv")
    z = fmt(out["robust_z"], 2, "sv")
    assert text == (
        "Komvux ligger 2 nivåer under mediannivån bland kommunens övriga enheter totalt sett "
        f"(nivå 1, index 0 mot medianen {median}, robust z = {z})."
    )
    kvarn = note_sentence(notes["Kvarnbackaskolan"], panel, tr, ScopeNames(FRAMEWORK, "sv"))
    assert kvarn.startswith("Kvarnbackaskolan ligger en nivå under mediannivån")
    # The points of the strip plot: every unit with a result, lowest first, outliers marked.
    assert [p.ru.unit.name for p in panel.points][0] == "Komvux"
    assert {p.ru.unit.name for p in panel.points if p.mark == "outlier"} == set(notes)
    # Unit-level rounds have no ICC: nothing is said about it, nothing is missing.
    assert icc_sentence(panel, tr, ScopeNames(FRAMEWORK, "sv")) is None
    splits = {s.by for s in panel.splits}
    assert {"school_form", "kind"} <= splits


def test_flagged_school_of_a_teacher_round(engine) -> None:  # type: ignore[no-untyped-def]
    cmp = teacher_world(engine)
    with Session(engine) as session:
        eq = _equity(session, cmp.teacher_round)
        hm = _heat_map(session, cmp.teacher_round)
    panel = eq.panels["FO2.1"]
    [flag] = panel.stats["flagged"]
    assert flag["unit_id"] == str(cmp.units["Almskolan"])
    [note] = panel.notes
    # By hand: Almskolan's teachers (1, 1, 1, 2, 1, 1, 1, 1) against the 24 others (all >= 2,
    # six of them 2): delta = (0 - (7 * 24 + 18)) / (8 * 24).
    assert note.values["delta"] == pytest.approx(-186 / 192)
    assert note.values["p_adj"] == flag["p_adj"] < 0.05
    assert note.values["n"] == 8
    assert note_sentence(note, panel, tr, ScopeNames(FRAMEWORK, "sv")) == (
        "Almskolan ligger klart under kommunens övriga skolor i FO 2.1 "
        f"(Cliff's δ = −0,97, justerat {fmt_p(flag['p_adj'], 'sv')}, 8 svarande)."
    )
    assert note_sentence(
        note, panel, lambda k, **v: translate(k, "en", **v), ScopeNames(FRAMEWORK, "en")
    ) == (
        "Almskolan is clearly below the municipality's other schools in FO 2.1 "
        f"(Cliff's δ = −0.97, adjusted {fmt_p(flag['p_adj'], 'en')}, 8 respondents)."
    )
    icc = panel.stats["icc1"]
    assert icc_sentence(panel, tr, ScopeNames(FRAMEWORK, "sv")) == (
        f"{fmt(100 * icc, 0, 'sv')}\u00a0% av variationen i lärarnas svar ligger mellan skolorna, "
        f"resten inom dem (ICC(1) = {fmt(icc, 2, 'sv')})."
    )
    # Björkskolan has 3 teachers, fewer than k = 5: "–" in the heat map, not in the analysis.
    assert _row(hm, "Björkskolan").reason == "below_k"
    assert _row(hm, "Björkskolan").n_respondents == 3
    assert panel.stats["n_units"] == 4


def test_too_little_data_says_what_is_missing(engine) -> None:  # type: ignore[no-untyped-def]
    cmp = teacher_world(engine)
    with Session(engine) as session:
        eq = _equity(session, cmp.teacher_round)
    panel = eq.panels["FO2.1"]
    assert missing_messages(panel, individual=True, tr=tr) == []
    [by_form] = [s for s in panel.splits if s.by == "school_form"]
    one_form = replace(by_form, row={**by_form.row, "h": None}, values=by_form.values[:1])
    assert missing_messages(replace(panel, splits=[one_form]), individual=True, tr=tr) == [
        "Uppdelning efter Skolform: alla enheter har samma värde, så det finns inga grupper att "
        "jämföra."
    ]
    lonely = replace(panel, stats={"n_units": 1, "icc1": None, "n_test_units": 1}, splits=[])
    assert missing_messages(lonely, individual=True, tr=tr) == [
        "Spridningsmåtten kräver minst två enheter med resultat (nu 1).",
        "ICC(1) och testerna mellan enheterna kräver minst två enheter med minst två svarande "
        "var (nu 1).",
    ]
    empty = replace(panel, stats={})
    assert missing_messages(empty, individual=True, tr=tr) == [
        "Ingen enhet har ett resultat här, så det finns inget att jämföra."
    ]


@pytest.mark.parametrize("earlier_first", [True, False])
def test_trend_counts_and_changes(engine, earlier_first: bool) -> None:  # type: ignore[no-untyped-def]
    before = {"Kvarnbackaskolan": 1, "Lindskolan": 3, "Almskolan": 4, "Björkskolan": 4}
    if earlier_first:
        cmp = unit_level_world(engine, earlier=before)
    else:
        cmp = unit_level_world(engine)
        add_earlier_round(engine, cmp, before)
    with Session(engine) as session:
        actor, scope, q = _view(session, cmp.round_id)
        t = trend(
            session, scope=scope, q=q, actor=actor, k=5, k_detail=5,
            view="subgoal",
        )  # fmt: skip
    assert t.results.previous is not None and t.results.previous.id == cmp.earlier_round
    [group] = t.groups
    total = next(c for c in group.counts if c.column.key == "total")
    assert (total.n_pairs, total.improved, total.unchanged, total.declined) == (4, 1, 2, 1)
    assert total.statistic is not None and total.p is not None
    changes = {r.unit.name: r.changes["FO1.1"] for r in t.rows}
    assert changes["Kvarnbackaskolan"] == pytest.approx(100 / 3)  # 33.3 - 0
    assert changes["Almskolan"] == pytest.approx(-100 / 3)  # 66.7 - 100
    assert changes["Lindskolan"] == 0
    assert changes["Komvux"] is None  # no earlier result


def test_trend_without_a_previous_round(engine) -> None:  # type: ignore[no-untyped-def]
    cmp = unit_level_world(engine)
    with Session(engine) as session:
        actor, scope, q = _view(session, cmp.round_id)
        t = trend(
            session, scope=scope, q=q, actor=actor, k=5, k_detail=5,
            view="area",
        )  # fmt: skip
    assert t.results.previous is None
    assert t.groups == [] and t.rows == []


def test_number_formatting() -> None:
    assert fmt(-0.45, 2, "sv") == "−0,45"
    assert fmt(-0.45, 2, "en") == "−0.45"
    assert fmt(-0.001, 2, "sv") == "0,00"
    assert fmt(33.3, 0, "sv", sign=True) == "+33"
    assert fmt(None, 2, "sv") == "–"
    assert fmt_p(0.012, "sv") == "p = 0,01"
    assert fmt_p(0.0042, "en") == "p = 0.004"
    assert fmt_p(0.00001, "sv") == "p < 0,001"
