"""Class sessions (issue 18): pupils answer an individual questionnaire with a code, without
accounts, and nothing identifying is stored with their answers."""

from __future__ import annotations

import re
from datetime import timedelta

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from survey.clock import utcnow
from survey.models import Answer, AuditLog, ClassPupil, ClassSession, Respondent
from survey.services.assessments.class_sessions import ALPHABET
from tests.factories import build_world, login, make_round

AREAS = ("ledning", "infrastruktur", "kompetens", "anvandning")


def _teacher_round(client: TestClient, engine) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    _, assessments = make_round(
        engine,
        questionnaire_id=world.questionnaires["larare"],
        owner=world.org_a,
        units=[world.school_a],
        title="Lärarenkät",
    )
    return assessments[world.school_a], login(client, "principal-a@example.org")


def open_class(client: TestClient, aid: int, csrf: str, pupils: int = 3) -> tuple[str, str]:
    """Open a session; return the board page's URL and the code read from it."""
    data = {"csrf_token": csrf, "label": "7B", "minutes": "60", "pupils": str(pupils)}
    opened = client.post(f"/assessments/{aid}/class-sessions", data=data, follow_redirects=False)
    assert opened.status_code == 303
    board = client.get(opened.headers["location"])
    assert board.status_code == 200
    page = BeautifulSoup(board.text, "html.parser")
    code = page.select_one("#class-code").get_text(strip=True)
    assert page.select_one("#class-qr svg") is not None
    assert f"https://testserver/elev/{code}" in page.select_one("#class-url").get_text()
    return opened.headers["location"], code


def _csrf(html: str) -> str:
    return BeautifulSoup(html, "html.parser").select_one('input[name="csrf_token"]')["value"]


def pupil_answers(app, code: str, value: str, *, submit: bool = True) -> TestClient:  # type: ignore[no-untyped-def]
    pupil = TestClient(app, base_url="https://testserver")  # no account
    entry = pupil.get("/elev")
    assert entry.status_code == 200
    went = pupil.post("/elev", data={"csrf_token": _csrf(entry.text), "code": code.lower()},
                      follow_redirects=False)  # fmt: skip
    assert went.status_code == 303 and went.headers["location"] == f"/elev/{code}"
    start = pupil.get(f"/elev/{code}")
    assert start.status_code == 200 and "7B" in start.text
    token = _csrf(start.text)
    began = pupil.post(f"/elev/{code}/start", data={"csrf_token": token}, follow_redirects=False)
    assert began.status_code == 303
    cookie = began.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and f"Path=/elev/{code}" in cookie
    for area in AREAS:
        form = BeautifulSoup(pupil.get(f"/elev/{code}?area={area}").text, "html.parser")
        data = {"csrf_token": token}
        for fieldset in form.select("fieldset.item"):
            data[fieldset.select_one('input[type="radio"]')["name"]] = value
        saved = pupil.post(f"/elev/{code}/areas/{area}", data=data, follow_redirects=False)
        assert saved.status_code == 303
    if submit:
        done = pupil.post(f"/elev/{code}/submit", data={"csrf_token": token},
                          follow_redirects=False)  # fmt: skip
        assert done.status_code == 303
        assert "Tack för dina svar" in pupil.get(f"/elev/{code}").text
    return pupil


def test_pupils_answer_with_a_code_and_results_wait_for_a_batch(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    aid, csrf = _teacher_round(client, engine)
    _, code = open_class(client, aid, csrf, pupils=6)
    assert len(code) == 6 and set(code) <= set(ALPHABET)
    for _ in range(5):
        pupil_answers(client.app, code, "3")
    page = BeautifulSoup(client.get(f"/assessments/{aid}").text, "html.parser")
    assert "5 av 6 elever" in page.select_one("#class-list").get_text(" ")
    summary = BeautifulSoup(client.get(f"/assessments/{aid}/summary").text, "html.parser")
    assert summary.select("table.results") == []  # released only when the collection ends
    closed = client.post(f"/assessments/{aid}/collection/close", data={"csrf_token": csrf},
                         follow_redirects=False)  # fmt: skip
    assert closed.status_code == 303
    summary = BeautifulSoup(client.get(f"/assessments/{aid}/summary").text, "html.parser")
    assert summary.select("table.results")
    # The collection has ended: the session takes nobody, and its list says so.
    listed = BeautifulSoup(client.get(f"/assessments/{aid}").text, "html.parser")
    assert "Avslutat" in listed.select_one("#class-list").get_text(" ")
    assert (
        TestClient(client.app, base_url="https://testserver").get(f"/elev/{code}").status_code
        == 410
    )


def test_the_same_browser_resumes_and_submits_once(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    aid, csrf = _teacher_round(client, engine)
    _, code = open_class(client, aid, csrf, pupils=2)
    pupil = pupil_answers(client.app, code, "2", submit=False)
    resumed = BeautifulSoup(pupil.get(f"/elev/{code}?area=ledning").text, "html.parser")
    assert resumed.select('input[type="radio"][value="2"][checked]')  # the answers are back
    token = _csrf(str(resumed))
    # Starting again on the same browser goes back to the same place.
    again = pupil.post(f"/elev/{code}/start", data={"csrf_token": token}, follow_redirects=False)
    assert again.status_code == 303 and "set-cookie" not in again.headers
    assert pupil.post(f"/elev/{code}/submit", data={"csrf_token": token},
                      follow_redirects=False).status_code == 303  # fmt: skip
    late = pupil.post(f"/elev/{code}/areas/ledning", data={"csrf_token": token})
    assert late.status_code == 409  # submitted answers are read-only
    with Session(engine) as session:
        row = session.exec(select(ClassSession)).one()
        assert row.used == 1
        assert session.exec(select(Respondent).where(Respondent.state == "submitted")).all()


def test_full_expired_closed_and_unknown_sessions(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    aid, csrf = _teacher_round(client, engine)
    board, code = open_class(client, aid, csrf, pupils=1)
    pupil_answers(client.app, code, "1", submit=False)
    newcomer = TestClient(client.app, base_url="https://testserver")
    full = newcomer.get(f"/elev/{code}")
    assert full.status_code == 410 and "fullt" in full.text
    assert newcomer.get("/elev/ABCDEF").status_code == 404  # well-formed but unknown
    assert newcomer.get("/elev/0OI1xx").status_code == 404
    bad = newcomer.post("/elev", data={"csrf_token": _csrf(newcomer.get("/elev").text),
                                       "code": "0O-1I"})  # fmt: skip
    assert bad.status_code == 422 and "6 tecken" in bad.text
    # No CSRF token: refused, nothing changes.
    assert newcomer.post(f"/elev/{code}/start", follow_redirects=False).status_code == 403
    _, code2 = open_class(client, aid, csrf, pupils=5)
    assert code2 != code
    with Session(engine, expire_on_commit=False) as session:
        row = session.exec(select(ClassSession).where(ClassSession.code == code2)).one()
        row.expires_at = utcnow() - timedelta(minutes=1)
        session.add(row)
        session.commit()
    expired = newcomer.get(f"/elev/{code2}")
    assert expired.status_code == 410 and "tid har gått ut" in expired.text
    sid = board.rsplit("/", 1)[1]
    closed = client.post(f"/assessments/{aid}/class-sessions/{sid}/close",
                         data={"csrf_token": csrf}, follow_redirects=False)  # fmt: skip
    assert closed.status_code == 303
    gone = TestClient(client.app, base_url="https://testserver").get(f"/elev/{code}")
    assert gone.status_code == 410 and "avslutat" in gone.text


def test_bad_input_names_the_field_and_opens_nothing(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    aid, csrf = _teacher_round(client, engine)
    for data, field in (
        ({"label": "7B", "minutes": "60", "pupils": "41"}, "Antal elever"),
        ({"label": "7B", "minutes": "601", "pupils": "20"}, "Giltig i minuter"),
        ({"label": " ", "minutes": "60", "pupils": "20"}, "Klass eller grupp"),
        ({"label": "7B", "minutes": "x", "pupils": "20"}, "Giltig i minuter"),
    ):
        response = client.post(
            f"/assessments/{aid}/class-sessions", data={"csrf_token": csrf, **data}
        )
        assert response.status_code == 422
        assert field in BeautifulSoup(response.text, "html.parser").select_one("#class-error").text
    with Session(engine) as session:
        assert session.exec(select(ClassSession)).all() == []


def test_nothing_identifying_is_stored_for_pupils(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    aid, csrf = _teacher_round(client, engine)
    _, code = open_class(client, aid, csrf, pupils=2)
    with Session(engine) as session:
        before = len(session.exec(select(AuditLog)).all())
    pupil = pupil_answers(client.app, code, "3")
    cookie = pupil.cookies.get("survey_pupil")
    assert cookie
    with Session(engine) as session:
        respondents = session.exec(select(Respondent)).all()
        assert len(respondents) == 1 and respondents[0].token_hash != cookie  # only its hash
        assert all(a.answered_by is None for a in session.exec(select(Answer)))
        assert len(session.exec(select(ClassPupil)).all()) == 1
        audit = session.exec(select(AuditLog).order_by(AuditLog.id)).all()  # type: ignore[arg-type]
        pupils = audit[before:]  # what the pupil's answering wrote (today: nothing)
        opened = [a for a in audit if a.action == "class_session.open"]
        assert len(opened) == 1 and opened[0].user_id is not None  # the principal
        for entry in pupils:  # the submit's entry: nobody, no IP address
            assert entry.user_id is None and entry.ip is None, entry.action
        text = " ".join(str(a.detail) for a in audit)
        assert cookie not in text and code not in text and "testclient" not in text
    assert re.fullmatch(r"[\w-]+", cookie)
