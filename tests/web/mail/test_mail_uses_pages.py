"""Mail from the pages, delivered to a real SMTP server (aiosmtpd): "a round has opened" to the
principals of an organiser round and of a national round (each in their language, with a link to
their assessment); reminders with a preview, once per unit and day, audited; teachers' links by
mail (a bad line refused with its number and nothing sent; each address one working link; the
outbox keeps nothing once sent, and /admin/mail hides recipient and body while queued)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from survey.models import AuditLog, OutboxMessage, Respondent, Round, RoundReminder, User
from survey.services.mail.sender import parse_smtp_url, send_pending
from tests.factories import build_world, login, make_round
from tests.mail_server import Received, smtp_server


def _deliver(engine, tmp_path) -> list[Received]:  # type: ignore[no-untyped-def]
    with smtp_server(tmp_path) as server:
        send_pending(engine, config=parse_smtp_url(server.url), sender="s@example.org",
                     max_attempts=3)  # fmt: skip
        return sorted(server.handler.received, key=lambda r: r.recipients[0])


def _count(engine, model, *where) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model).where(*where)).one())


def _english(engine, email: str) -> None:
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == email)).one()
        user.language = "en"
        session.add(user)
        session.commit()


def test_round_opened_mail_for_organiser_and_national_rounds(
    client: TestClient, engine, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    _english(engine, "principal-b@example.org")
    settings.base_url = "https://survey.example.se"
    csrf = login(client, "strategist-a@example.org")
    data = {"csrf_token": csrf, "owner": str(world.org_a), "questionnaire": "skola@2026.1",
            "title": "Självvärdering HT", "opens": "2026-01-10", "closes": "2099-06-30",
            "selection": "all"}  # fmt: skip
    created = client.post("/rounds", data=data, follow_redirects=False)
    assert created.status_code == 303, created.text
    [mail] = _deliver(engine, tmp_path)  # school A2 has no principal: no mail for it
    assert mail.recipients == ["principal-a@example.org"]
    assert mail.message["Subject"] == "Ny omgång: Självvärdering HT – Digital självvärdering"
    assert "Omgången Självvärdering HT har öppnat" in mail.text and "till 2099-06-30" in mail.text
    link = mail.link("/assessments/")
    assert link.startswith("https://survey.example.se/assessments/")
    principal = TestClient(client.app, base_url="https://testserver")
    login(principal, "principal-a@example.org")
    assert principal.get(urlsplit(link).path).status_code == 200

    national = TestClient(client.app, base_url="https://testserver")
    csrf = login(national, "national@example.org")
    data = {"csrf_token": csrf, "questionnaire": "skola@2026.1", "title": "Nationell HT",
            "opens": "2026-09-01", "closes": "2099-12-01", "school_forms": ["grundskola"]}  # fmt: skip
    assert national.post("/national/rounds", data=data, follow_redirects=False).status_code == 303
    a, b = _deliver(engine, tmp_path)
    assert a.recipients == ["principal-a@example.org"] and "Nationell HT" in a.text
    assert b.recipients == ["principal-b@example.org"]
    assert b.message["Subject"] == "New round: Nationell HT – Digital self-assessment"
    assert "The round Nationell HT has opened" in b.text and b.message["Content-Language"] == "en"


def _reminder_round(engine):  # type: ignore[no-untyped-def]
    world = build_world(engine)
    round_id, _ = make_round(engine, questionnaire_id=world.questionnaires["skola"],
                             owner=world.org_a, units=[world.school_a, world.school_a2],
                             title="VT 2026")  # fmt: skip
    return world, round_id


def test_reminders_preview_then_send_once_a_day(client: TestClient, engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    _, round_id = _reminder_round(engine)
    csrf = login(client, "strategist-a@example.org")
    listing = BeautifulSoup(client.get(f"/rounds/{round_id}/reminders").text, "html.parser")
    form = listing.select_one("#remind-form")
    assert form["method"] == "get" and form["action"] == f"/rounds/{round_id}/reminders/send"
    preview = client.get(f"/rounds/{round_id}/reminders/send")
    assert preview.status_code == 200
    page = BeautifulSoup(preview.text, "html.parser")
    assert page.select_one("#remind-counts").get_text() == "1 enheter, 1 e-postadresser"
    assert "Kvarnbackaskolan" in page.select_one("#remind-units").get_text()
    assert "Lindskolan" in page.select_one("#remind-without").get_text()
    assert "inte lämnat in sin självvärdering i omgången VT 2026" in page.select_one(
        "#sample-text-sv").get_text()  # fmt: skip
    assert "has not yet submitted" in page.select_one("#sample-text-en").get_text()
    assert _count(engine, OutboxMessage) == 0  # the preview sends nothing

    assert client.post(f"/rounds/{round_id}/reminders/send", data={}).status_code == 403  # CSRF
    sent = client.post(f"/rounds/{round_id}/reminders/send", data={"csrf_token": csrf},
                       follow_redirects=False)  # fmt: skip
    assert sent.status_code == 303
    assert sent.headers["location"] == f"/rounds/{round_id}/reminders?sent=1&units=1"
    notice = BeautifulSoup(client.get(sent.headers["location"]).text, "html.parser")
    assert "1 adresser (1 enheter)" in notice.select_one("#remind-sent").get_text()
    again = client.post(f"/rounds/{round_id}/reminders/send", data={"csrf_token": csrf},
                        follow_redirects=False)  # fmt: skip
    assert again.headers["location"] == f"/rounds/{round_id}/reminders?sent=0&units=0"
    skipped = BeautifulSoup(client.get(f"/rounds/{round_id}/reminders/send").text, "html.parser")
    assert "Kvarnbackaskolan" in skipped.select_one("#remind-skipped").get_text()
    assert skipped.select_one("#remind-nothing") is not None
    [mail] = _deliver(engine, tmp_path)
    assert mail.recipients == ["principal-a@example.org"]
    assert mail.message["Subject"] == "Påminnelse: VT 2026 – Digital självvärdering"
    assert "/assessments/" in mail.link("/assessments/")
    assert _count(engine, RoundReminder) == 1
    assert (
        _count(engine, AuditLog, AuditLog.action == "round.remind") == 1
    )  # nothing sent: no entry

    # Closed: no button, and sending is refused.
    client.post(f"/rounds/{round_id}/close", data={"csrf_token": csrf})
    closed = client.post(f"/rounds/{round_id}/reminders/send", data={"csrf_token": csrf})
    assert closed.status_code == 409 and "Omgången är stängd" in closed.text
    assert 'id="remind-form"' not in client.get(f"/rounds/{round_id}/reminders").text
    # Another organiser's strategist does not see the round at all.
    other = TestClient(client.app, base_url="https://testserver")
    other_csrf = login(other, "strategist-b@example.org")
    assert other.get(f"/rounds/{round_id}/reminders/send").status_code == 404
    refused = other.post(f"/rounds/{round_id}/reminders/send", data={"csrf_token": other_csrf})
    assert refused.status_code == 404


def _teacher_round(engine) -> int:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    _, assessments = make_round(engine, questionnaire_id=world.questionnaires["larare"],
                                owner=world.org_a, units=[world.school_a], title="Lärarenkät")  # fmt: skip
    return assessments[world.school_a]


def test_teacher_links_by_mail(client: TestClient, engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    aid = _teacher_round(engine)
    csrf = login(client, "principal-a@example.org")
    page = BeautifulSoup(client.get(f"/assessments/{aid}").text, "html.parser")
    assert page.select_one("#mail-links")["action"] == f"/assessments/{aid}/links/mail"
    bad = client.post(f"/assessments/{aid}/links/mail", data={
        "csrf_token": csrf, "emails": "anna@example.org, bo@example.org\nnot-an-address\n"})  # fmt: skip
    assert bad.status_code == 422
    errors = BeautifulSoup(bad.text, "html.parser")
    assert "Rad 2: not-an-address är inte en giltig e-postadress." in errors.select_one(
        "#mail-links-errors").get_text()  # fmt: skip
    assert "anna@example.org, bo@example.org" in errors.select_one("#emails").get_text()
    assert _count(engine, Respondent) == 0 and _count(engine, OutboxMessage) == 0  # nothing

    emails = "anna@example.org, bo@example.org\ncecilia@example.org\n"
    done = client.post(f"/assessments/{aid}/links/mail",
                       data={"csrf_token": csrf, "emails": emails}, follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == f"/assessments/{aid}?mailed=3"
    assert "3 länkar skickas" in client.get(done.headers["location"]).text
    assert _count(engine, Respondent, Respondent.token_hash.is_not(None)) == 3  # type: ignore[union-attr]
    assert _count(engine, OutboxMessage, OutboxMessage.kind == "teacher_link") == 3

    # /admin/mail shows that they exist, not to whom or what.
    admin = TestClient(client.app, base_url="https://testserver")
    login(admin, "admin@example.org")
    listing = admin.get("/admin/mail").text
    assert "anna@example.org" not in listing and listing.count("(dolt)") == 3
    with Session(engine) as session:
        message_id = session.exec(select(OutboxMessage.id)).first()
    detail = admin.get(f"/admin/mail/{message_id}").text
    assert (
        'id="mail-hidden"' in detail and "/r/" not in detail and "@example.org</dd>" not in detail
    )

    mails = _deliver(engine, tmp_path)
    assert [m.recipients for m in mails] == [["anna@example.org"], ["bo@example.org"],
                                             ["cecilia@example.org"]]  # fmt: skip
    links = {urlsplit(m.link("/r/")).path for m in mails}
    assert len(links) == 3
    assert mails[0].message["Subject"] == "Lärarenkät: Kvarnbackaskolan – Digital självvärdering"
    teacher = TestClient(client.app, base_url="https://testserver")
    for link in links:
        assert teacher.get(link).status_code == 200
    # Once sent, nothing in the database names the addresses or holds the links.
    assert _count(engine, OutboxMessage) == 0
    with Session(engine) as session:
        audit = session.exec(select(AuditLog.detail)).all()
    assert not re.search(r"(anna|bo|cecilia)@example\.org", repr(audit))


def test_teacher_links_refused_on_a_unit_level_assessment_or_a_closed_round(
    client: TestClient, engine
) -> None:  # type: ignore[no-untyped-def]
    aid = _teacher_round(engine)
    csrf = login(client, "principal-a@example.org")
    with Session(engine) as session:
        round_ = session.exec(select(Round)).one()
        round_.state = "closed"
        session.add(round_)
        session.commit()
    closed = client.post(f"/assessments/{aid}/links/mail",
                         data={"csrf_token": csrf, "emails": "anna@example.org"})  # fmt: skip
    assert closed.status_code == 409
    empty = client.post(f"/assessments/{aid}/links/mail", data={"csrf_token": csrf, "emails": ""})
    assert empty.status_code == 409  # the closed round is refused first
    other = TestClient(client.app, base_url="https://testserver")
    other_csrf = login(other, "principal-b@example.org")
    assert other.post(f"/assessments/{aid}/links/mail",
                      data={"csrf_token": other_csrf, "emails": "a@example.org"}).status_code == 404  # fmt: skip
    assert _count(engine, OutboxMessage) == 0
