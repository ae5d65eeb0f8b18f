"""The action plan page and the exports of an assessment: generation, edits (htmx and plain),
own rows, filters, print, XLSX/CSV, and who may see what."""

from __future__ import annotations

import csv
import io

import openpyxl
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from survey.models import ActionPlanRow, Assessment, Respondent
from survey.questionnaire import load_directory
from survey.services.access import load_assessment
from survey.services.assessments.answers import save_answer, submit
from survey.services.questionnaires import questionnaire_for
from tests.factories import answer_all, build_world, end_collections, login, make_round

HX = {"HX-Request": "true"}
# Levels given to skola items (the rest get the top level 4). L.01, L.05 and I.01 weigh 2.
LEVELS: dict[str, int | str] = {
    "L.01": 2,
    "L.02": 1,
    "L.03": 1,
    "L.05": 1,
    "I.01": 3,
    "I.02": 3,
    "K.01": "na",
}
EXPECTED = ["L.05", "L.02", "L.03", "L.01", "I.01", "I.02"]
COMMENT = 'Ingen plan ännu – ämneslagen diskuterar, "citat", komma'
SKOLA = {q.key: q for q in load_directory()[0]}["skola"]


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def submitted(client: TestClient, engine, *, levels: dict[str, int | str] = LEVELS):  # type: ignore[no-untyped-def]
    """School A's skola assessment answered with ``levels`` (and a comment on L.02), submitted."""
    world = build_world(engine)
    _, assessments = make_round(
        engine,
        questionnaire_id=world.questionnaires["skola"],
        owner=world.org_a,
        units=[world.school_a, world.school_a2],
        title="Självvärdering 2026",
    )
    aid = assessments[world.school_a]
    answer_all(
        engine,
        aid,
        lambda item: levels.get(item.id, 4),
        user_id=world.users["principal-a@example.org"],
    )
    csrf = login(client, "principal-a@example.org")
    saved = client.post(
        f"/assessments/{aid}/items/L.02",
        data={"comment-L.02": COMMENT},
        headers={**HX, "X-CSRF-Token": csrf},
    )
    assert saved.status_code == 200
    response = client.post(
        f"/assessments/{aid}/submit", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code == 303, response.text
    return world, aid, csrf


def rows_by_item(engine, aid: int) -> dict[str | None, ActionPlanRow]:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        rows = session.exec(select(ActionPlanRow).where(ActionPlanRow.assessment_id == aid)).all()
        return {r.item_id or r.title: r for r in rows}


def shown_items(page: BeautifulSoup) -> list[str]:
    return [
        h3.get_text(" ", strip=True).split(" ")[0] for h3 in page.select("ol.plan-rows > li h3")
    ]


def test_submit_generates_the_plan_lowest_level_and_highest_weight_first(
    client: TestClient, engine
) -> None:  # type: ignore[no-untyped-def]
    _, aid, _ = submitted(client, engine)
    response = client.get(f"/assessments/{aid}/plan")
    assert response.status_code == 200
    page = soup(response.text)
    assert page.select_one("h1").get_text(" ", strip=True).startswith("Handlingsplan")
    assert shown_items(page) == EXPECTED
    rows = rows_by_item(engine, aid)
    assert set(rows) == set(EXPECTED)  # nothing for top-level or not-applicable answers
    assert [rows[i].priority for i in EXPECTED] == [1, 1, 1, 2, 3, 3]
    item = SKOLA.item_by_id["L.05"]
    assert rows["L.05"].title == item.text.sv
    assert rows["L.05"].activity == item.actions[1].sv
    first = page.select_one("ol.plan-rows > li")
    assert item.actions[1].sv in first.select_one(".activity").get_text()
    assert "Nuvarande nivå: 1 Inte påbörjat" in first.select_one(".meta").get_text(" ", strip=True)
    # English texts come from the questionnaire, not from the stored Swedish copy.
    english = soup(client.get(f"/assessments/{aid}/plan?lang=en").text)
    assert english.select_one("h1").get_text(" ", strip=True).startswith("Action plan")
    assert item.actions[1].en in english.select_one("ol.plan-rows > li .activity").get_text()


def test_page_is_accessible_and_printable(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, aid, _ = submitted(client, engine)
    page = soup(client.get(f"/assessments/{aid}/plan").text)
    main = page.select_one("main")
    for control in main.select("input:not([type=hidden]), select, textarea"):
        assert main.select_one(f'label[for="{control["id"]}"]') is not None, control
    for fieldset in main.select("fieldset"):
        assert fieldset.legend is not None and fieldset.legend.get_text(strip=True)
    assert [h.name for h in main.select("h1, h2")][:1] == ["h1"]
    assert main.select_one("button[data-print]").get_text(strip=True) == "Skriv ut"
    editor = main.select_one("ol.plan-rows > li details.plan-edit")
    assert (
        editor.summary.get_text(" ", strip=True).startswith("Ändra raden")
        and "no-print" in editor["class"]
    )
    status = main.select_one("ol.plan-rows select[name=status]")
    assert [o.get_text(strip=True) for o in status.select("option")] == [
        "Inte påbörjad",
        "Pågår",
        "Klar",
    ]
    assert main.select_one('ol.plan-rows input[name="due_date"]')["type"] == "date"
    filters = main.select_one("form.plan-filters")
    assert filters["method"] == "get" and {s["name"] for s in filters.select("select")} == {
        "area",
        "subgoal",
        "tag",
    }
    for link in ("plan.xlsx", "plan.csv", "export.xlsx", "export.csv"):
        assert main.select_one(f'a[href="/assessments/{aid}/{link}"]') is not None
    assert "section" in main.get_text()  # the combined CSV is documented
    assert page.select_one("link[rel=stylesheet][media=print]") is not None
    print_css = client.get("/static/print.css").text
    assert ".plan-rows" in print_css
    assert 'style="' not in client.get(f"/assessments/{aid}/plan").text  # CSP: no inline styles


def test_edit_with_a_plain_post_then_redirect(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, aid, csrf = submitted(client, engine)
    row = rows_by_item(engine, aid)["L.02"]
    page = soup(client.get(f"/assessments/{aid}/plan").text)
    version = page.select_one(f"#version-{row.id}")["value"]
    response = client.post(
        f"/assessments/{aid}/plan/rows/{row.id}",
        data={
            "csrf_token": csrf,
            "version": version,
            "priority": "2",
            "owner": "Anna Ek",
            "due_date": "2026-06-30",
            "status": "in_progress",
            "note": "Börjar i vår",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/assessments/{aid}/plan?done=saved#row-{row.id}"
    saved = rows_by_item(engine, aid)["L.02"]
    assert (saved.priority, saved.owner, saved.due_date.isoformat(), saved.status, saved.note) == (
        2,
        "Anna Ek",
        "2026-06-30",
        "in_progress",
        "Börjar i vår",
    )
    page = soup(client.get(response.headers["location"]).text)
    assert page.select_one('.notice.ok[role="status"]').get_text(strip=True) == "Raden är sparad."
    assert page.select_one(f"#owner-{row.id}")["value"] == "Anna Ek"
    shown = page.select_one(f"#values-{row.id}").get_text(" ", strip=True)
    assert "Ansvarig: Anna Ek" in shown and "Status: Pågår" in shown and "Börjar i vår" in shown
    assert page.select_one(f"#rowstatus-{row.id} option[selected]")["value"] == "in_progress"
    # Bad values change nothing and say why.
    bad = client.post(
        f"/assessments/{aid}/plan/rows/{row.id}",
        data={"csrf_token": csrf, "due_date": "30/6", "owner": "Någon annan"},
    )
    assert bad.status_code == 422
    assert "due_date" in soup(bad.text).select_one('[role="alert"]').get_text()
    assert rows_by_item(engine, aid)["L.02"].owner == "Anna Ek"


def test_edit_with_htmx_saves_one_field_and_updates_counts(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, aid, csrf = submitted(client, engine)
    row = rows_by_item(engine, aid)["L.03"]
    url = f"/assessments/{aid}/plan/rows/{row.id}"
    headers = {**HX, "X-CSRF-Token": csrf}
    response = client.post(url, data={"owner": "Bo"}, headers=headers)
    assert response.status_code == 200
    fragment = soup(response.text)
    status = fragment.select_one(f"#status-plan-{row.id}-owner")
    assert status.get_text(strip=True) == "Sparat" and status["hx-swap-oob"] == "true"
    assert fragment.select_one(f"#version-{row.id}")["hx-swap-oob"] == "true"
    assert fragment.select_one(f"#owner-{row.id}") is None  # never swap the field being edited
    values = fragment.select_one(f"#values-{row.id}")  # the row's summary line follows
    assert values["hx-swap-oob"] == "true" and "Ansvarig: Bo" in values.get_text(" ", strip=True)
    saved = rows_by_item(engine, aid)["L.03"]
    assert (saved.owner, saved.status, saved.priority) == ("Bo", "not_started", 1)
    done = soup(client.post(url, data={"status": "done"}, headers=headers).text)
    assert "1 klara" in done.select_one("#plan-counts").get_text()
    assert rows_by_item(engine, aid)["L.03"].owner == "Bo"  # other fields untouched
    refused = client.post(url, data={"priority": "9"}, headers=headers)
    assert refused.status_code == 422
    alert = soup(refused.text).select_one(f"#status-plan-{row.id}-priority")
    assert alert["role"] == "alert" and "Kunde inte spara" in alert.get_text()
    assert rows_by_item(engine, aid)["L.03"].priority == 1
    # The version sent back keeps the no-JavaScript save button usable after autosaves.
    version = soup(client.post(url, data={"note": "Klart i maj"}, headers=headers).text).select_one(
        f"#version-{row.id}"
    )["value"]
    plain = client.post(
        url,
        data={
            "csrf_token": csrf,
            "version": version,
            "priority": "1",
            "owner": "Bo",
            "due_date": "",
            "status": "done",
            "note": "Klart i maj, uppföljt",
        },
        follow_redirects=False,
    )
    assert plain.status_code == 303


def test_stale_plain_post_is_refused_with_current_values(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, aid, csrf = submitted(client, engine)
    row = rows_by_item(engine, aid)["L.01"]
    page = soup(client.get(f"/assessments/{aid}/plan").text)
    old_version = page.select_one(f"#version-{row.id}")["value"]
    client.post(
        f"/assessments/{aid}/plan/rows/{row.id}",
        data={"owner": "Cecilia"},
        headers={**HX, "X-CSRF-Token": csrf},
    )  # someone else, meanwhile
    response = client.post(
        f"/assessments/{aid}/plan/rows/{row.id}",
        data={
            "csrf_token": csrf,
            "version": old_version,
            "priority": "2",
            "owner": "David",
            "due_date": "",
            "status": "not_started",
            "note": "",
        },
    )
    assert response.status_code == 409
    page = soup(response.text)
    assert "Någon annan har ändrat raden" in page.select_one('[role="alert"]').get_text()
    assert page.select_one(f"#owner-{row.id}")["value"] == "Cecilia"
    assert page.select_one(f"#row-{row.id} details").has_attr("open")  # the editor is shown
    assert rows_by_item(engine, aid)["L.01"].owner == "Cecilia"


def test_the_plan_survives_reopen_and_resubmit(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world, aid, csrf = submitted(client, engine)
    before = rows_by_item(engine, aid)
    headers = {**HX, "X-CSRF-Token": csrf}
    client.post(
        f"/assessments/{aid}/plan/rows/{before['L.02'].id}", data={"owner": "Anna"}, headers=headers
    )
    client.post(
        f"/assessments/{aid}/plan/rows/{before['L.02'].id}",
        data={"status": "done"},
        headers=headers,
    )
    client.post(
        f"/assessments/{aid}/plan/rows", data={"csrf_token": csrf, "title": "Egen workshop"}
    )
    strategist = TestClient(client.app, base_url="https://testserver")
    s_csrf = login(strategist, "strategist-a@example.org")
    assert (
        strategist.post(
            f"/assessments/{aid}/reopen", data={"csrf_token": s_csrf}, follow_redirects=False
        ).status_code
        == 303
    )
    page = soup(client.get(f"/assessments/{aid}/plan").text)
    assert [i for i in shown_items(page) if i != "Egen"] == EXPECTED  # kept while reopened
    assert "öppnad igen" in page.get_text()
    # L.02 improves to the top (its row was edited: kept), L.03 too (untouched: goes away),
    # L.01 drops to level 1 (untouched: follows), K.02 is new at level 2.
    for item_id, value in (("L.02", "4"), ("L.03", "4"), ("L.01", "1"), ("K.02", "2")):
        client.post(
            f"/assessments/{aid}/items/{item_id}",
            data={f"answer-{item_id}": value},
            headers=headers,
        )
    assert (
        client.post(
            f"/assessments/{aid}/submit", data={"csrf_token": csrf}, follow_redirects=False
        ).status_code
        == 303
    )
    after = rows_by_item(engine, aid)
    assert set(after) == {"L.05", "L.02", "L.01", "I.01", "I.02", "K.02", "Egen workshop"}
    assert after["L.02"].id == before["L.02"].id
    assert (after["L.02"].owner, after["L.02"].status) == ("Anna", "done")
    assert after["L.01"].id == before["L.01"].id and after["L.01"].priority == 1
    assert after["L.01"].activity == SKOLA.item_by_id["L.01"].actions[1].sv
    assert after["K.02"].priority == 2
    page = soup(client.get(f"/assessments/{aid}/plan").text)
    # L.01 now shares level 1 and weight 2 with L.05 and comes first in the questionnaire; the
    # kept L.02 row follows the generated ones of its priority; the own row has priority 2.
    assert shown_items(page) == ["L.01", "L.05", "L.02", "K.02", "Egen", "I.01", "I.02"]
    # Submitting again with the same answers changes nothing (idempotent).
    strategist.post(f"/assessments/{aid}/reopen", data={"csrf_token": s_csrf})
    client.post(f"/assessments/{aid}/submit", data={"csrf_token": csrf})
    again = rows_by_item(engine, aid)
    assert {k: (r.id, r.priority, r.position, r.owner) for k, r in again.items()} == {
        k: (r.id, r.priority, r.position, r.owner) for k, r in after.items()
    }


def test_own_rows_can_be_added_and_deleted(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, aid, csrf = submitted(client, engine)
    response = client.post(
        f"/assessments/{aid}/plan/rows",
        data={
            "csrf_token": csrf,
            "title": "Studiedag om AI",
            "activity": "Boka föreläsare",
            "priority": "1",
            "owner": "Rektor",
            "due_date": "2026-09-01",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303 and "done=added" in response.headers["location"]
    own = rows_by_item(engine, aid)["Studiedag om AI"]
    assert own.item_id is None and (own.priority, own.owner, own.activity) == (
        1,
        "Rektor",
        "Boka föreläsare",
    )
    page = soup(client.get(f"/assessments/{aid}/plan").text)
    item = page.select_one(f"#row-{own.id}")
    assert "Egen rad" in item.select_one(".meta").get_text()
    assert (
        item.select_one(f'form[action="/assessments/{aid}/plan/rows/{own.id}/delete"]') is not None
    )
    generated = rows_by_item(engine, aid)["L.05"]
    assert (
        page.select_one(f'form[action="/assessments/{aid}/plan/rows/{generated.id}/delete"]')
        is None
    )
    empty = client.post(
        f"/assessments/{aid}/plan/rows", data={"csrf_token": csrf, "title": "  ", "owner": "Kvar"}
    )
    assert empty.status_code == 422
    form = soup(empty.text)
    assert "rubrik" in form.select_one('[role="alert"]').get_text()
    assert form.select_one("#add-owner")["value"] == "Kvar"  # what was typed is kept
    refused = client.post(
        f"/assessments/{aid}/plan/rows/{generated.id}/delete", data={"csrf_token": csrf}
    )
    assert refused.status_code == 409 and "L.05" in rows_by_item(engine, aid)
    deleted = client.post(
        f"/assessments/{aid}/plan/rows/{own.id}/delete",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert deleted.status_code == 303
    assert "Studiedag om AI" not in rows_by_item(engine, aid)
    assert (
        client.post(
            f"/assessments/{aid}/plan/rows/{own.id}/delete", data={"csrf_token": csrf}
        ).status_code
        == 404
    )


def test_filters_by_area_subgoal_and_tag(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, aid, csrf = submitted(client, engine)
    client.post(f"/assessments/{aid}/plan/rows", data={"csrf_token": csrf, "title": "Egen rad A"})
    everything = soup(client.get(f"/assessments/{aid}/plan").text)
    assert len(everything.select("ol.plan-rows > li")) == len(EXPECTED) + 1
    by_area = soup(client.get(f"/assessments/{aid}/plan?area=infrastruktur").text)
    assert shown_items(by_area) == ["I.01", "I.02"]
    assert by_area.select_one("#f-area option[selected]")["value"] == "infrastruktur"
    assert "Visar 2 av 7 rader" in by_area.get_text()
    assert shown_items(soup(client.get(f"/assessments/{aid}/plan?subgoal=FO2.1").text)) == ["I.02"]
    assert shown_items(soup(client.get(f"/assessments/{aid}/plan?tag=kvalitetsarbete").text)) == [
        "L.05",
        "L.01",
    ]
    assert shown_items(
        soup(client.get(f"/assessments/{aid}/plan?area=ledning&tag=support").text)
    ) == ["L.02"]
    assert "Egen" in shown_items(
        soup(client.get(f"/assessments/{aid}/plan?area=&subgoal=&tag=").text)
    )
    for bad in ("area=kaffe", "subgoal=FO9.9", "tag=%3Cscript%3E"):
        response = client.get(f"/assessments/{aid}/plan?{bad}")
        assert response.status_code == 422, bad
        assert "Ogiltigt filter" in soup(response.text).select_one('[role="alert"]').get_text()
        assert "<script>" not in response.text
    exported = client.get(f"/assessments/{aid}/plan.csv?area=ledning")
    items = [r[1] for r in list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))[1:]]
    assert items == ["L.05", "L.02", "L.03", "L.01"]
    assert client.get(f"/assessments/{aid}/plan.xlsx?tag=nope").status_code == 422
    # A filtered edit returns to the filtered page.
    row = rows_by_item(engine, aid)["I.01"]
    response = client.post(
        f"/assessments/{aid}/plan/rows/{row.id}?area=infrastruktur",
        data={"csrf_token": csrf, "owner": "IT"},
        follow_redirects=False,
    )
    assert response.headers["location"].startswith(
        f"/assessments/{aid}/plan?area=infrastruktur&done=saved"
    )


def test_posts_without_csrf_token_are_refused(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, aid, _ = submitted(client, engine)
    row = rows_by_item(engine, aid)["L.05"]
    for url, data in (
        (f"/assessments/{aid}/plan/rows/{row.id}", {"owner": "Mallory"}),
        (f"/assessments/{aid}/plan/rows", {"title": "Mallory"}),
        (f"/assessments/{aid}/plan/rows/{row.id}/delete", {}),
    ):
        assert client.post(url, data=data).status_code == 403, url
        assert client.post(url, data=data, headers=HX).status_code == 403, url
    rows = rows_by_item(engine, aid)
    assert rows["L.05"].owner == "" and "Mallory" not in rows


def test_other_schools_get_404_on_every_plan_and_export_route(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, aid, csrf = submitted(client, engine)
    row = rows_by_item(engine, aid)["L.05"]
    reads = [
        f"/assessments/{aid}/{p}"
        for p in ("plan", "plan.xlsx", "plan.csv", "export.xlsx", "export.csv")
    ]
    writes = [
        f"/assessments/{aid}/plan/rows/{row.id}",
        f"/assessments/{aid}/plan/rows",
        f"/assessments/{aid}/plan/rows/{row.id}/delete",
    ]
    for email in ("principal-b@example.org", "strategist-b@example.org", "national@example.org"):
        other = TestClient(client.app, base_url="https://testserver")
        other_csrf = login(other, email)
        for url in reads:
            assert other.get(url).status_code == 404, (email, url)
        for url in writes:
            response = other.post(url, data={"csrf_token": other_csrf, "owner": "X", "title": "X"})
            assert response.status_code == 404, (email, url)
    # The organiser's strategist reads (not edits) the plan once the result is shared.
    strategist = TestClient(client.app, base_url="https://testserver")
    s_csrf = login(strategist, "strategist-a@example.org")
    assert strategist.get(f"/assessments/{aid}/plan").status_code == 404
    client.post(f"/assessments/{aid}/share", data={"csrf_token": csrf, "shared": "1"})
    page = soup(strategist.get(f"/assessments/{aid}/plan").text)
    assert shown_items(page) == EXPECTED and page.select_one("ol.plan-rows form") is None
    assert page.select_one(".plan-values") is not None
    assert strategist.get(f"/assessments/{aid}/export.xlsx").status_code == 200
    assert (
        strategist.post(
            f"/assessments/{aid}/plan/rows/{row.id}", data={"csrf_token": s_csrf, "owner": "X"}
        ).status_code
        == 404
    )
    assert rows_by_item(engine, aid)["L.05"].owner == ""
    # Signed out: sent to the sign-in page.
    anonymous = TestClient(client.app, base_url="https://testserver")
    assert anonymous.get(f"/assessments/{aid}/plan", follow_redirects=False).status_code == 303


def test_plan_exports_to_xlsx_and_csv(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, aid, csrf = submitted(client, engine)
    row = rows_by_item(engine, aid)["L.05"]
    client.post(
        f"/assessments/{aid}/plan/rows/{row.id}",
        data={"note": '=HYPERLINK("x")'},
        headers={**HX, "X-CSRF-Token": csrf},
    )
    response = client.get(f"/assessments/{aid}/plan.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert response.headers["content-disposition"] == (
        'attachment; filename="kvarnbackaskolan-sjalvvardering-2026-handlingsplan.xlsx"'
    )
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Handlingsplan"]
    rows = list(book["Handlingsplan"].iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("Prioritet", "Påstående-id", "Område")
    assert [r[1] for r in rows[1:]] == EXPECTED
    note = book["Handlingsplan"].cell(row=2, column=header.index("Anteckning") + 1)
    assert note.value == '=HYPERLINK("x")' and note.data_type == "s"  # text, never a formula
    plain = client.get(f"/assessments/{aid}/plan.csv")
    assert plain.headers["content-type"] == "text/csv; charset=utf-8"
    assert plain.headers["content-disposition"].endswith('handlingsplan.csv"')
    assert plain.content.startswith(b"\xef\xbb\xbf")
    records = list(csv.DictReader(io.StringIO(plain.content.decode("utf-8-sig"))))
    assert [r["Påstående-id"] for r in records] == EXPECTED
    assert records[0]["Anteckning"] == '\'=HYPERLINK("x")'
    assert records[0]["Status"] == "Inte påbörjad"
    english = client.get(f"/assessments/{aid}/plan.csv?lang=en")
    assert english.headers["content-disposition"].endswith('action-plan.csv"')
    assert english.content.decode("utf-8-sig").startswith("Priority,Statement id,Area")


def test_whole_assessment_export_holds_answers_comments_scores_and_plan(
    client: TestClient, engine
) -> None:  # type: ignore[no-untyped-def]
    _, aid, _ = submitted(client, engine)
    response = client.get(f"/assessments/{aid}/export.xlsx")
    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith('-bedomning.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Om exporten", "Svar", "Resultat", "Handlingsplan"]
    answers = list(book["Svar"].iter_rows(values_only=True))
    head = answers[0]
    by_item = {r[0]: dict(zip(head, r, strict=True)) for r in answers[1:]}
    assert len(by_item) == len(SKOLA.items)
    assert by_item["L.02"]["Kommentar"] == COMMENT
    assert by_item["L.02"]["Svar"] == "Inte påbörjat" and by_item["L.02"]["Svar (nivå)"] == 1
    assert by_item["L.02"]["Besvarat av"] == "principal-a@example.org"
    assert by_item["L.02"]["Besvarat (UTC)"] is not None
    assert by_item["K.01"]["Svar"] == "Ej tillämpligt" and by_item["K.01"]["Svar (nivå)"] is None
    scores = list(book["Resultat"].iter_rows(values_only=True))
    total = dict(zip(scores[0], scores[-1], strict=True))
    assert total["Typ"] == "Totalt" and 0 <= total["Index (0–100)"] <= 100
    assert len(scores) == 1 + len(SKOLA.area_ids) + len(SKOLA.subgoal_ids) + 1
    # The same numbers as the summary page (both from the statistics engine).
    summary = soup(client.get(f"/assessments/{aid}/summary").text)
    ledning = [r for r in scores if r[2] == "Ledning"][0]
    shown = [
        tr
        for tr in summary.select("table.results tbody tr")
        if tr.th.get_text(strip=True) == "Ledning"
    ][0]
    assert shown.select("td")[1].get_text(strip=True) == f"{ledning[5]:.0f}"
    plan = list(book["Handlingsplan"].iter_rows(values_only=True))
    assert [r[1] for r in plan[1:]] == EXPECTED
    text = client.get(f"/assessments/{aid}/export.csv").content.decode("utf-8-sig")
    records = list(csv.DictReader(io.StringIO(text)))
    assert list(records[0])[0] == "section"
    assert [s for s in dict.fromkeys(r["section"] for r in records)] == [
        "about",
        "answers",
        "scores",
        "plan",
    ]
    commented = [r for r in records if r["section"] == "answers" and r["Påstående-id"] == "L.02"][0]
    assert (
        commented["Kommentar"] == COMMENT and commented["Besvarat av"] == "principal-a@example.org"
    )
    assert sum(1 for r in records if r["section"] == "plan") == len(EXPECTED)


def test_individual_questionnaires_export_aggregates_only_from_k_respondents(
    client: TestClient, engine, settings
) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    _, assessments = make_round(
        engine,
        questionnaire_id=world.questionnaires["larare"],
        owner=world.org_a,
        units=[world.school_a],
        title="Lärarenkät",
    )
    aid = assessments[world.school_a]
    k = settings.min_group_size

    def respond(count: int, start: int) -> None:
        with Session(engine, expire_on_commit=False) as session:
            ctx = load_assessment(session, assessment_id=aid)
            q = questionnaire_for(session, questionnaire_id=ctx.round.questionnaire_id)
            for n in range(start, start + count):
                respondent = Respondent(assessment_id=aid, token_hash=f"{n:064d}")
                session.add(respondent)
                session.flush()
                for item in q.items:
                    save_answer(
                        session,
                        ctx=ctx,
                        q=q,
                        respondent=respondent,
                        item_id=item.id,
                        choice_raw=str(1 + n % 4),
                        comment=f"HEMLIGT-{n}",
                        user_id=None,
                    )
                submit(session, ctx=ctx, q=q, respondent=respondent, actor=None)
            session.commit()

    respond(k - 1, 0)
    login(client, "principal-a@example.org")
    for url in ("plan", "plan.xlsx", "plan.csv"):
        assert client.get(f"/assessments/{aid}/{url}").status_code == 404
    text = client.get(f"/assessments/{aid}/export.csv").content.decode("utf-8-sig")
    records = list(csv.DictReader(io.StringIO(text)))
    assert {r["section"] for r in records} == {"about"}  # no answers, no scores below k
    assert "HEMLIGT" not in text and f"minst {k}" in text
    book = openpyxl.load_workbook(io.BytesIO(client.get(f"/assessments/{aid}/export.xlsx").content))
    assert book.sheetnames == ["Om exporten", "Resultat"]
    assert len(list(book["Resultat"].iter_rows())) == 1  # the header only
    respond(1, k - 1)
    text = client.get(f"/assessments/{aid}/export.csv").content.decode("utf-8-sig")
    records = list(csv.DictReader(io.StringIO(text)))
    assert {r["section"] for r in records} == {"about"}  # k answered, none released yet
    end_collections(engine, assessments_round(engine, aid), k=k)
    text = client.get(f"/assessments/{aid}/export.csv").content.decode("utf-8-sig")
    records = list(csv.DictReader(io.StringIO(text)))
    assert {r["section"] for r in records} == {"about", "scores"}
    assert "HEMLIGT" not in text
    total = [r for r in records if r["section"] == "scores"][-1]
    assert total["Antal svarande"] == str(k) and total["95 % KI, nedre"]


def assessments_round(engine, assessment_id: int) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        found = session.get(Assessment, assessment_id)
        assert found is not None
        return found.round_id
