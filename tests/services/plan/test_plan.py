"""The action plan service: generation, edits, filters, and the export writers."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest
from sqlmodel import Session, select

from survey.errors import Conflict, InvalidInput
from survey.models import ActionPlanRow
from survey.questionnaire import load_directory
from survey.services.access import load_assessment
from survey.services.assessments.answers import answers_of
from survey.services.plan.actions import (
    add_row,
    delete_row,
    parse_filters,
    priority_for,
    sync_plan,
    update_row,
)
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.store import unit_respondent
from survey.sheets import Sheet, csv_bytes, xlsx_bytes
from tests.factories import answer_all, build_world, make_round

SKOLA = {q.key: q for q in load_directory()[0]}["skola"]


def test_priority_follows_the_level() -> None:
    assert [priority_for(level) for level in (1, 2, 3, 4)] == [1, 2, 3, 3]


def test_filters_accept_known_values_and_refuse_others() -> None:
    filters = parse_filters(SKOLA, area="ledning", subgoal="", tag=None)
    assert (filters.area, filters.subgoal, filters.tag, filters.active) == (
        "ledning",
        None,
        None,
        True,
    )
    assert filters.query() == {"area": "ledning"}
    assert not parse_filters(SKOLA, area="", subgoal="", tag="").active
    with pytest.raises(InvalidInput) as caught:
        parse_filters(SKOLA, area="nope", subgoal="FO1.1", tag="nope")
    assert [p.params["field"] for p in caught.value.problems] == ["area", "tag"]


def test_csv_has_a_bom_a_section_column_and_neutralised_formulas() -> None:
    sheets = [
        Sheet("about", "Om", ["Uppgift", "Värde"], [["Enhet", "Åsa skola"]]),
        Sheet(
            "plan",
            "Plan",
            ["Rubrik", "Klart senast", "Prioritet"],
            [["=1+1", date(2026, 5, 1), 1], ["-minus, med komma", None, 2]],
        ),
    ]
    content = csv_bytes(sheets)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == ["section", "Uppgift", "Värde", "Rubrik", "Klart senast", "Prioritet"]
    assert rows[1] == ["about", "Enhet", "Åsa skola", "", "", ""]
    assert rows[2] == ["plan", "", "", "'=1+1", "2026-05-01", "1"]
    assert rows[3] == ["plan", "", "", "'-minus, med komma", "", "2"]
    single = list(csv.reader(io.StringIO(csv_bytes(sheets[1:]).decode("utf-8-sig"))))
    assert single[0] == ["Rubrik", "Klart senast", "Prioritet"]


def test_xlsx_keeps_text_as_text_and_dates_as_dates() -> None:
    sheet = Sheet(
        "plan",
        "Handlingsplan: 2026/27",
        ["Rubrik", "Datum", "Tid"],
        [["=SUM(A1:A9)\x07", date(2026, 5, 1), datetime(2026, 5, 1, 8, 30)]],
    )
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes([sheet])))
    assert book.sheetnames == ["Handlingsplan  2026 27"]
    ws = book.active
    assert [c.value for c in ws[1]] == ["Rubrik", "Datum", "Tid"] and ws["A1"].font.b
    assert ws["A2"].value == "=SUM(A1:A9)" and ws["A2"].data_type == "s"
    assert ws["B2"].value == datetime(2026, 5, 1) and ws["C2"].value == datetime(2026, 5, 1, 8, 30)


def test_sync_is_idempotent_and_edits_are_validated_before_anything_changes(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    _, assessments = make_round(
        engine,
        questionnaire_id=world.questionnaires["skola"],
        owner=world.org_a,
        units=[world.school_a],
    )
    aid = assessments[world.school_a]
    answer_all(engine, aid, lambda item: {"A.14": 1, "A.13": 1, "L.05": 2}.get(item.id, 4))
    with Session(engine, expire_on_commit=False) as session:
        ctx = load_assessment(session, assessment_id=aid)
        q = questionnaire_for(session, questionnaire_id=ctx.round.questionnaire_id)
        answers = answers_of(
            session, respondent_id=unit_respondent(session, assessment=ctx.assessment).id
        )
        sync_plan(session, ctx=ctx, q=q, answers=answers)

        def stored() -> dict[str | None, tuple[int | None, int, int]]:
            rows = session.exec(select(ActionPlanRow).where(ActionPlanRow.assessment_id == aid))
            return {r.item_id: (r.id, r.position, r.priority) for r in rows}

        first = stored()
        assert sorted(first, key=lambda i: first[i][1]) == ["A.13", "A.14", "L.05"]
        sync_plan(session, ctx=ctx, q=q, answers=answers)
        assert stored() == first
        row_id = first["A.13"][0]
        with pytest.raises(InvalidInput):
            update_row(session, ctx=ctx, row_id=row_id, values={"owner": "Ny", "status": "klar"})
        unchanged = update_row(session, ctx=ctx, row_id=row_id, values={})
        assert unchanged.owner == "" and unchanged.updated_at == unchanged.created_at
        with pytest.raises(Conflict):
            delete_row(session, ctx=ctx, row_id=row_id)
        own = add_row(session, ctx=ctx, title=" Egen ", due_date="2026-08-01")
        assert (own.title, own.priority, own.due_date) == ("Egen", 2, date(2026, 8, 1))
        with pytest.raises(InvalidInput):
            add_row(session, ctx=ctx, title="x" * 501)
