"""Answering a unit's assessment: autosave, the no-JavaScript form, conflicts, submit, sharing."""

from __future__ import annotations

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from survey.models import Answer, Assessment, AuditLog
from tests.factories import answer_all, build_world, login, make_round

HX = {"HX-Request": "true"}


def setup(
    client: TestClient, engine, *, kind: str = "organiser", email: str = "principal-a@example.org"
):  # type: ignore[no-untyped-def]
    world = build_world(engine)
    _, assessments = make_round(
        engine,
        questionnaire_id=world.questionnaires["skola"],
        owner=world.org_a,
        units=[world.school_a, world.school_a2],
        kind=kind,
        title="Självvärdering 2026",
    )
    csrf = login(client, email)
    return world, assessments[world.school_a], csrf


def stored(engine, assessment_id: int) -> dict[str, Answer]:  # type: ignore[no-untyped-def]
    from survey.services.assessments.answers import answers_of
    from survey.services.rounds.store import unit_respondent

    with Session(engine) as session:
        respondent = unit_respondent(session, assessment=session.get(Assessment, assessment_id))
        return answers_of(session, respondent_id=respondent.id)


def test_start_page_lists_the_assessment(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, aid, _ = setup(client, engine)
    page = BeautifulSoup(client.get("/").text, "html.parser")
    link = page.select_one(f'a[href="/assessments/{aid}"]')
    assert link is not None and link.get_text(strip=True) == "Kvarnbackaskolan"
    row = link.find_parent("tr").get_text(" ", strip=True)
    assert "Självvärdering 2026" in row and "0 / 45" in row and "Utkast" in row


def test_form_shows_items_as_labelled_radio_groups(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, aid, _ = setup(client, engine)
    page = BeautifulSoup(client.get(f"/assessments/{aid}?area=ledning").text, "html.parser")
    fieldsets = page.select("fieldset.item")
    assert len(fieldsets) == 9  # skola has nine ledning items
    first = fieldsets[0]
    assert first.legend.get_text(" ", strip=True).startswith("L.01")
    radios = first.select('input[type="radio"][name="answer-L.01"]')
    assert [r["value"] for r in radios][:4] == ["1", "2", "3", "4"]
    for radio in radios:
        assert page.select_one(f'label[for="{radio["id"]}"]') is not None
    assert (
        page.select_one('nav.tabs a[aria-current="page"]')
        .get_text(" ", strip=True)
        .startswith("Ledning")
    )


def test_autosave_stores_the_answer_and_updates_progress(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, aid, csrf = setup(client, engine)
    response = client.post(
        f"/assessments/{aid}/items/L.01",
        data={"answer-L.01": "3"},
        headers={**HX, "X-CSRF-Token": csrf},
    )
    assert response.status_code == 200
    fragment = BeautifulSoup(response.text, "html.parser")
    assert fragment.select_one("#status-L-01").get_text(strip=True) == "Sparat"
    assert fragment.select_one("#progress")["hx-swap-oob"] == "true"
    assert fragment.select_one("#progress-overall")["value"] == "1"
    client.post(
        f"/assessments/{aid}/items/L.01",
        data={"comment-L.01": "Plan finns i utkast"},
        headers={**HX, "X-CSRF-Token": csrf},
    )
    answer = stored(engine, aid)["L.01"]
    assert (answer.kind, answer.value, answer.comment) == ("level", 3, "Plan finns i utkast")
    # Kept on reload.
    page = BeautifulSoup(client.get(f"/assessments/{aid}?area=ledning").text, "html.parser")
    assert page.select_one("#a-L-01-3").has_attr("checked")
    assert page.select_one("#c-L-01").get_text() == "Plan finns i utkast"


def test_invalid_value_is_refused_and_nothing_changes(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, aid, csrf = setup(client, engine)
    response = client.post(
        f"/assessments/{aid}/items/L.01",
        data={"answer-L.01": "7"},
        headers={**HX, "X-CSRF-Token": csrf},
    )
    assert response.status_code == 422
    assert "Kunde inte spara" in response.text
    assert stored(engine, aid) == {}


def test_plain_form_post_without_javascript(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, aid, csrf = setup(client, engine)
    page = BeautifulSoup(client.get(f"/assessments/{aid}?area=infrastruktur").text, "html.parser")
    version = page.select_one('input[name="version"]')["value"]
    response = client.post(
        f"/assessments/{aid}/areas/infrastruktur",
        data={
            "csrf_token": csrf,
            "version": version,
            "answer-I.01": "2",
            "answer-I.02": "na",
            "comment-I.02": "Delas med annan skola",
            "go": "next",
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith(f"/assessments/{aid}?area=kompetens")
    answers = stored(engine, aid)
    assert answers["I.01"].value == 2 and answers["I.02"].kind == "na"
    assert answers["I.02"].comment == "Delas med annan skola"


def test_stale_full_form_is_refused_with_current_values(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world, aid, csrf = setup(client, engine)
    page = BeautifulSoup(client.get(f"/assessments/{aid}?area=ledning").text, "html.parser")
    old_version = page.select_one('input[name="version"]')["value"]
    # Someone else saves L.02 meanwhile.
    answer_all(engine, aid, value=lambda item: 4 if item.id == "L.02" else 1)
    response = client.post(
        f"/assessments/{aid}/areas/ledning",
        data={"csrf_token": csrf, "version": old_version, "answer-L.02": "2"},
    )
    assert response.status_code == 409
    page = BeautifulSoup(response.text, "html.parser")
    assert "Någon annan har sparat" in page.select_one('[role="alert"]').get_text()
    assert page.select_one("#a-L-02-4").has_attr("checked")  # the current value is shown
    assert stored(engine, aid)["L.02"].value == 4  # and nothing was overwritten


def test_later_autosave_wins_and_the_other_editor_is_told(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, aid, csrf = setup(client, engine)
    page = BeautifulSoup(client.get(f"/assessments/{aid}?area=ledning").text, "html.parser")
    synced = page.select_one("#synced")["value"]
    answer_all(engine, aid, value=lambda item: 3)  # another editor answers everything
    response = client.post(
        f"/assessments/{aid}/items/L.01",
        data={"answer-L.01": "1", "synced": synced},
        headers={**HX, "X-CSRF-Token": csrf},
    )
    fragment = BeautifulSoup(response.text, "html.parser")
    assert stored(engine, aid)["L.01"].value == 1  # the later save of the same item wins
    refreshed = fragment.select_one("fieldset#item-L-02")
    assert refreshed is not None and refreshed["hx-swap-oob"] == "true"
    assert refreshed.select_one("#a-L-02-3").has_attr("checked")
    assert fragment.select_one("fieldset#item-L-01") is None  # never swap the input being edited
    assert "Någon annan har ändrat" in fragment.select_one("#others-notice").get_text()


def test_submit_checks_coverage_then_locks(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, aid, csrf = setup(client, engine)
    client.post(
        f"/assessments/{aid}/items/L.01",
        data={"answer-L.01": "2"},
        headers={**HX, "X-CSRF-Token": csrf},
    )
    page = client.get(f"/assessments/{aid}/submit")
    assert "FO 1.1" in page.text and "För få svar" not in page.text
    refused = client.post(f"/assessments/{aid}/submit", data={"csrf_token": csrf})
    assert refused.status_code == 422 and "För få svar för att ge ett resultat" in refused.text
    # Answer all but one item: still a score everywhere, so submitting is allowed.
    answer_all(engine, aid, value=2)
    client.post(
        f"/assessments/{aid}/items/A.01",
        data={"answer-A.01": ""},
        headers={**HX, "X-CSRF-Token": csrf},
    )
    page = BeautifulSoup(client.get(f"/assessments/{aid}/submit").text, "html.parser")
    assert "1 påstående är inte besvarat" in page.get_text()  # singular (it said "1 påståenden")
    response = client.post(
        f"/assessments/{aid}/submit", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"].endswith("/summary")
    locked = client.post(
        f"/assessments/{aid}/items/L.01",
        data={"answer-L.01": "4"},
        headers={**HX, "X-CSRF-Token": csrf},
    )
    assert locked.status_code == 409 and stored(engine, aid)["L.01"].value == 2
    with Session(engine) as session:
        assert session.get(Assessment, aid).state == "submitted"
        assert session.exec(select(AuditLog).where(AuditLog.action == "assessment.submit")).one()


def test_national_round_warns_before_submitting(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    _, aid, _ = setup(client, engine, kind="national")
    answer_all(engine, aid, value=3)
    page = BeautifulSoup(client.get(f"/assessments/{aid}/submit").text, "html.parser")
    assert "nationella uppföljningsstatistiken" in page.select_one("#national-notice").get_text()


def test_summary_share_and_reopen(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world, aid, csrf = setup(client, engine)
    answer_all(engine, aid, value=2)
    client.post(f"/assessments/{aid}/submit", data={"csrf_token": csrf})
    page = BeautifulSoup(client.get(f"/assessments/{aid}/summary").text, "html.parser")
    rows = {
        tr.th.get_text(strip=True): [td.get_text(" ", strip=True) for td in tr.select("td")]
        for tr in page.select("table.results tbody tr")
    }
    # All items at level 2 of 4: score 2, index 100·(2−1)/3 = 33, level 2, full coverage.
    assert rows["Ledning"][:4] == ["2 Påbörjat", "33", "2,00", "100\u00a0%"]
    assert page.select_one("figure.chart svg[role=img] title") is not None
    # The strategist cannot see it until it is shared.
    strategist = TestClient(client.app, base_url="https://testserver")
    s_csrf = login(strategist, "strategist-a@example.org")
    assert strategist.get(f"/assessments/{aid}/summary").status_code == 404
    client.post(f"/assessments/{aid}/share", data={"csrf_token": csrf, "shared": "1"})
    assert strategist.get(f"/assessments/{aid}/summary").status_code == 200
    response = strategist.post(
        f"/assessments/{aid}/reopen", data={"csrf_token": s_csrf}, follow_redirects=False
    )
    assert response.status_code == 303
    with Session(engine) as session:
        assert session.get(Assessment, aid).state == "reopened"
        assert session.exec(select(AuditLog).where(AuditLog.action == "assessment.reopen")).one()
        assert session.exec(select(AuditLog).where(AuditLog.action == "assessment.share")).one()
    # The principal can answer again.
    again = client.post(
        f"/assessments/{aid}/items/L.01",
        data={"answer-L.01": "4"},
        headers={**HX, "X-CSRF-Token": csrf},
    )
    assert again.status_code == 200
