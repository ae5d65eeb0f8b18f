"""Team consensus pages (survey/web/assessments/team.py): invite, a member's own rating page
(autosave and no-JavaScript), the principal's consensus view, agreeing, the plan button, 404s, and
that members' ratings never reach exports or the organiser's results."""

from __future__ import annotations

import io
import zipfile

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from survey.models import Assessment, OutboxMessage, User
from survey.services.access import load_assessment
from survey.services.assessments.answers import submit
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.store import unit_respondent
from tests.factories import PASSWORD, _password_hash, build_world, login, make_round

HX = {"HX-Request": "true"}
SECRET = "MEDLEMSHEMLIS"


def _setup(client: TestClient, engine):  # type: ignore[no-untyped-def]
    world = build_world(engine)
    round_id, assessments = make_round(
        engine,
        questionnaire_id=world.questionnaires["skola"],
        owner=world.org_a,
        units=[world.school_a, world.school_b],
        title="Självvärdering 2026",
    )
    with Session(engine) as session:
        for email in ("anna@example.org", "bo@example.org"):
            name = email.split("@")[0].title() + " Lärare"
            session.add(User(email=email, name=name, password_hash=_password_hash()))
        session.commit()
    return world, round_id, assessments


def _invite(client: TestClient, aid: int, csrf: str, email: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/assessments/{aid}/team/members",
        data={"email": email, "csrf_token": csrf},
        follow_redirects=False,
    )


def _rate_all(client: TestClient, engine, aid: int, csrf: str, value: str) -> None:  # type: ignore[no-untyped-def]
    """Rate every item through the no-JavaScript area form."""
    with Session(engine) as session:
        ctx = load_assessment(session, assessment_id=aid)
        q = questionnaire_for(session, questionnaire_id=ctx.round.questionnaire_id)
    for area in q.area_ids:
        data = {f"answer-{i.id}": value for i in q.items_in("area", area)}
        data[f"comment-{q.items_in('area', area)[0].id}"] = SECRET
        data["csrf_token"] = csrf
        r = client.post(f"/assessments/{aid}/rate/areas/{area}", data=data, follow_redirects=False)
        assert r.status_code == 303, r.text


def test_invite_rate_and_agree(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world, _, assessments = _setup(client, engine)
    aid, other = assessments[world.school_a], assessments[world.school_b]
    csrf = login(client, "principal-a@example.org")
    page = BeautifulSoup(client.get(f"/assessments/{aid}").text, "html.parser")
    assert page.select_one(f'a[href="/assessments/{aid}/team"]') is not None
    assert _invite(client, aid, csrf, "anna@example.org").status_code == 303
    assert _invite(client, aid, csrf, "bo@example.org").status_code == 303
    bad = _invite(client, aid, csrf, "inte-en-adress")
    assert bad.status_code == 422 and "E-postadress" in bad.text
    again = _invite(client, aid, csrf, "anna@example.org")
    assert again.status_code == 422 and "redan med i teamet" in again.text
    # A new address: an account without roles and a mail with a link to set a password.
    assert _invite(client, aid, csrf, "ny@example.org").status_code == 303
    with Session(engine) as session:
        mails = session.exec(
            select(OutboxMessage).where(OutboxMessage.kind == "team_invitation")
        ).all()
        assert {m.recipient for m in mails} == {
            "anna@example.org",
            "bo@example.org",
            "ny@example.org",
        }
        new_mail = next(m for m in mails if m.recipient == "ny@example.org")
        assert (
            "/password/reset/" in new_mail.body_text
            and f"/assessments/{aid}/rate" in new_mail.body_text
        )
        assert (
            "/password/reset/"
            not in next(m for m in mails if m.recipient == "anna@example.org").body_text
        )

    # Anna rates 1 everywhere (no JavaScript), Bo rates 3 with autosave.
    client.cookies.clear()
    csrf = login(client, "anna@example.org", PASSWORD)
    start = BeautifulSoup(client.get("/").text, "html.parser")
    assert start.select_one(f'a[href="/assessments/{aid}/rate"]') is not None
    rate = client.get(f"/assessments/{aid}/rate")
    assert rate.status_code == 200
    soup = BeautifulSoup(rate.text, "html.parser")
    assert soup.select_one("#names-notice") is not None  # said before rating
    assert soup.select_one(".team-spread") is None
    _rate_all(client, engine, aid, csrf, "1")
    # A member opens no other page of the assessment, nor another assessment.
    for path in (f"/assessments/{aid}", f"/assessments/{aid}/team", f"/assessments/{aid}/summary",
                 f"/assessments/{other}/rate"):  # fmt: skip
        assert client.get(path).status_code == 404, path
    assert (
        client.post(f"/assessments/{aid}/rate/submit", data={"csrf_token": csrf}).status_code == 200
    )
    after = BeautifulSoup(client.get(f"/assessments/{aid}/rate").text, "html.parser")
    assert after.select(".team-spread")  # the others (here only herself so far) are shown
    closed = client.post(
        f"/assessments/{aid}/rate/items/L.01", data={"answer-L.01": "2", "csrf_token": csrf}
    )
    assert closed.status_code == 409

    client.cookies.clear()
    csrf = login(client, "bo@example.org", PASSWORD)
    r = client.post(
        f"/assessments/{aid}/rate/items/L.01",
        data={"answer-L.01": "3", "comment-L.01": "", "csrf_token": csrf},
        headers=HX,
    )
    assert r.status_code == 200 and 'id="status-L-01"' in r.text
    # Before handing in, Bo sees none of Anna's ratings.
    assert "Anna Lärare" not in client.get(f"/assessments/{aid}/rate").text
    _rate_all(client, engine, aid, csrf, "3")
    client.post(f"/assessments/{aid}/rate/submit", data={"csrf_token": csrf})
    assert "Anna Lärare" in client.get(f"/assessments/{aid}/rate").text

    # The principal's consensus view: spread, names, the marker; agree; the plan button.
    client.cookies.clear()
    csrf = login(client, "principal-a@example.org")
    team = BeautifulSoup(client.get(f"/assessments/{aid}/team").text, "html.parser")
    item = team.select_one("#team-L-01")
    text = item.get_text(" ", strip=True)
    assert "Anna Lärare: 1" in text and "Bo Lärare: 3" in text and "Olika uppfattningar" in text
    assert "Spridning: 1–3" in text
    only = BeautifulSoup(client.get(f"/assessments/{aid}/team?only=differ").text, "html.parser")
    assert len(only.select("article.team-item")) == len(team.select("article.team-item"))
    r = client.post(
        f"/assessments/{aid}/team/items/L.01",
        data={"agreed": "2", "note": "Enade", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    with Session(engine) as session:
        respondent = unit_respondent(session, assessment=session.get(Assessment, aid))
        from survey.services.assessments.answers import answers_of

        answers = answers_of(session, respondent_id=respondent.id)
        assert (answers["L.01"].value, answers["L.01"].comment) == (2, "Enade")
    summary = BeautifulSoup(client.get(f"/assessments/{aid}/summary").text, "html.parser")
    differing = summary.select_one("section.team-differing")
    assert differing is not None and "L.01" in differing.get_text()
    r = client.post(
        f"/assessments/{aid}/team/plan", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert r.status_code == 303 and "/plan" in r.headers["location"]
    plan = client.get(r.headers["location"]).text
    assert "L.01" in plan
    # Bad input: an unknown level changes nothing and says why.
    r = client.post(f"/assessments/{aid}/team/items/L.01", data={"agreed": "9", "csrf_token": csrf})
    assert r.status_code == 422
    assert (
        client.post(f"/assessments/{aid}/team/items/L.01", data={"agreed": "2"}).status_code == 403
    )


def test_members_ratings_never_reach_exports_or_the_organiser(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world, round_id, assessments = _setup(client, engine)
    aid = assessments[world.school_a]
    csrf = login(client, "principal-a@example.org")
    _invite(client, aid, csrf, "anna@example.org")
    client.cookies.clear()
    csrf = login(client, "anna@example.org")
    _rate_all(client, engine, aid, csrf, "4")
    client.post(f"/assessments/{aid}/rate/submit", data={"csrf_token": csrf})
    # The principal agrees on 2 everywhere and submits and shares.
    client.cookies.clear()
    csrf = login(client, "principal-a@example.org")
    with Session(engine) as session:
        ctx = load_assessment(session, assessment_id=aid)
        q = questionnaire_for(session, questionnaire_id=ctx.round.questionnaire_id)
    for item in q.items:
        r = client.post(
            f"/assessments/{aid}/team/items/{item.id}",
            data={"agreed": "2", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert r.status_code == 303
    with Session(engine) as session:
        from survey.services.access import load_actor

        ctx = load_assessment(session, assessment_id=aid)
        principal = load_actor(
            session,
            user=session.exec(select(User).where(User.email == "principal-a@example.org")).one(),
        )
        submit(session, ctx=ctx, q=q, respondent=unit_respondent(session, assessment=ctx.assessment),
               actor=principal, ip=None)  # fmt: skip
        ctx.assessment.shared = True
        session.add(ctx.assessment)
        session.commit()
    summary = client.get(f"/assessments/{aid}/summary").text
    assert "Anna" not in summary
    for fmt in ("csv", "xlsx"):
        export = client.get(f"/assessments/{aid}/export.{fmt}")
        assert export.status_code == 200
        body = export.content if fmt == "csv" else _xlsx_text(export.content)
        assert SECRET.encode() not in body and b"Anna" not in body
    # The organiser: the results API and the answers export hold the unit's answers only.
    client.cookies.clear()
    login(client, "strategist-a@example.org")
    results = client.get(f"/api/v1/rounds/{round_id}/results")
    assert results.status_code == 200 and SECRET not in results.text and "Anna" not in results.text
    school = [u for u in results.json()["units"] if int(u["unit_id"]) == world.school_a]
    assert school and all(u["n_respondents"] in (None, 1) for u in school)
    exported = client.get(f"/api/v1/rounds/{round_id}/export", params={"format": "zip"})
    with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
        answers = archive.read("answers.csv").decode()
    rows = [line.split(",") for line in answers.splitlines()[1:]]
    mine = [r for r in rows if int(r[1]) == world.school_a]
    assert mine and {r[4] for r in mine} == {"2"} and len({r[2] for r in mine}) == 1
    assert SECRET not in answers


def _xlsx_text(content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"".join(archive.read(n) for n in archive.namelist() if n.endswith(".xml"))


def test_team_pages_answer_404(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world, _, assessments = _setup(client, engine)
    aid, other = assessments[world.school_a], assessments[world.school_b]
    login(client, "principal-a@example.org")
    assert client.get(f"/assessments/{other}/team").status_code == 404
    assert client.get(f"/assessments/{aid}/rate").status_code == 404  # not a member
    assert client.get("/assessments/999999/team").status_code == 404
    # A teacher (individual) round has no team page.
    _, teacher = make_round(
        engine, questionnaire_id=world.questionnaires["larare"], owner=world.org_a,
        units=[world.school_a], kind="organiser",
    )  # fmt: skip
    assert client.get(f"/assessments/{teacher[world.school_a]}/team").status_code == 404
