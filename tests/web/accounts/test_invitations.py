"""Invitations end to end: the form and the CSV upload, the mail through a real SMTP server, the
link to set a name and password, signing in with the granted role; resend, revoke, scope."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from survey.models import AuditLog, Invitation, OutboxMessage, RoleGrant, User
from survey.services.mail.sender import parse_smtp_url, send_pending
from tests.factories import build_world, csrf_of, login
from tests.mail_server import Received, smtp_server


def _count(engine, model) -> int:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def _deliver(engine, tmp_path) -> list[Received]:  # type: ignore[no-untyped-def]
    with smtp_server(tmp_path) as server:
        send_pending(engine, config=parse_smtp_url(server.url), sender="s@example.org",
                     max_attempts=3)  # fmt: skip
        return list(server.handler.received)


def _invite(client: TestClient, csrf: str, **values: str):  # type: ignore[no-untyped-def]
    data = {"email": "ny.rektor@example.org", "role": "principal", "unit": "11111111",
            "language": "sv", "csrf_token": csrf, **values}  # fmt: skip
    return client.post("/invitations", data=data, follow_redirects=False)


def _path(link: str) -> str:
    return urlsplit(link).path


def test_invitation_by_form_mail_link_password_and_sign_in(
    client, engine, settings, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    settings.base_url = "https://survey.example.se/"
    csrf = login(client, "admin@example.org")
    response = _invite(client, csrf, language="en")
    assert response.status_code == 303, response.text
    assert "Pending" not in client.get("/invitations").text  # Swedish page
    assert "Väntar" in client.get(response.headers["location"]).text
    [mail] = _deliver(engine, tmp_path)
    assert mail.recipients == ["ny.rektor@example.org"]
    assert mail.message["Subject"] == "Invitation to Digital self-assessment: Kvarnbackaskolan"
    assert "invited you as principal for Kvarnbackaskolan" in mail.text
    link = mail.link("/invite/")
    assert link.startswith("https://survey.example.se/invite/")
    assert f'href="{link}"' in mail.html and "Kvarnbackaskolan" in mail.html

    invitee = TestClient(client.app, base_url="https://testserver")
    page = invitee.get(_path(link))
    assert page.status_code == 200 and 'name="password2"' in page.text
    form = {"csrf_token": csrf_of(page.text), "name": "Nora Rektor", "password": "nytt-lösen",
            "password2": "annat"}  # fmt: skip
    mismatch = invitee.post(_path(link), data=form, follow_redirects=False)
    assert mismatch.status_code == 422 and _count(engine, User) == 6
    form["password2"] = "nytt-lösen"
    done = invitee.post(_path(link), data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/login?done=invited"
    login(invitee, "ny.rektor@example.org", "nytt-lösen")
    assert "Nora Rektor" in invitee.get("/").text
    with Session(engine) as session:
        user = session.exec(select(User).where(User.email == "ny.rektor@example.org")).one()
        assert user.language == "en"
        grant = session.exec(select(RoleGrant).where(RoleGrant.user_id == user.id)).one()
        assert grant.role == "principal"
        actions = set(session.exec(select(AuditLog.action)))
        assert {"invitation.create", "invitation.accept", "role.grant"} <= actions
    # Single use.
    again = invitee.get(_path(link))
    assert again.status_code == 410
    assert 'data-state="accepted"' in client.get("/invitations").text


def test_existing_account_accepts_without_a_new_password(client, engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    csrf = login(client, "strategist-a@example.org")
    response = _invite(client, csrf, email="principal-b@example.org", role="strategist",
                       unit=str(_org_a(engine)))  # fmt: skip
    assert response.status_code == 303
    [mail] = _deliver(engine, tmp_path)
    invitee = TestClient(client.app, base_url="https://testserver")
    page = invitee.get(_path(mail.link("/invite/")))
    assert 'name="password"' not in page.text
    response = invitee.post(_path(mail.link("/invite/")), data={"csrf_token": csrf_of(page.text)},
                            follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    login(invitee, "principal-b@example.org")  # the old password still works
    with Session(engine) as session:
        roles = set(session.exec(
            select(RoleGrant.role).join(User, User.id == RoleGrant.user_id).where(User.email == "principal-b@example.org")
        ))  # fmt: skip
    assert roles == {"principal", "strategist"}


def _org_a(engine) -> int:  # type: ignore[no-untyped-def]
    from survey.models import Unit

    with Session(engine) as session:
        return session.exec(select(Unit.id).where(Unit.name == "Uppsala kommun")).one()  # type: ignore[return-value]


def test_form_problems_name_the_field_and_change_nothing(client, engine) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    csrf = login(client, "strategist-a@example.org")
    response = _invite(client, csrf, email="inte en adress", role="admin", unit="22222222")
    assert response.status_code == 422
    text = response.text
    assert 'href="#f-email"' in text and 'href="#f-role"' in text and 'href="#f-unit"' in text
    assert "Ekskolan" not in text  # another organiser's unit reads as unknown
    assert _count(engine, Invitation) == 0 and _count(engine, OutboxMessage) == 0
    # A second pending invitation to the same person, role and unit is refused.
    assert _invite(client, csrf).status_code == 303
    assert _invite(client, csrf).status_code == 422
    assert _count(engine, Invitation) == 1


def test_csv_every_bad_row_with_its_line_then_preview_then_write(client, engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    csrf = login(client, "strategist-a@example.org")
    bad = (
        "email,role,unit\n"
        "a@example.org,principal,11111111\n"
        "b@example.org,admin,11111112\n"
        "c@example.org,principal,22222222\n"
        "inte-en-adress,principal,11111111\n"
        "a@example.org,principal,11111111\n"
    )
    response = client.post(
        "/invitations/upload",
        data={"csrf_token": csrf, "language": "sv"},
        files={"file": ("inbjudningar.csv", bad.encode(), "text/csv")},
    )
    assert response.status_code == 422
    for line in (3, 4, 5, 6):
        assert f"invitations.csv:{line}:" in response.text, line
    assert "invitations.csv:2:" not in response.text
    assert _count(engine, Invitation) == 0

    good = "\ufeffEmail,Role,Unit\na@example.org,principal,11111111\nb@example.org,strategist,Lindskolan-x\n"
    response = client.post(
        "/invitations/upload",
        data={"csrf_token": csrf, "language": "en"},
        files={"file": ("i.csv", good.encode(), "text/csv")},
    )
    assert response.status_code == 422 and "invitations.csv:3:" in response.text
    good = good.replace("Lindskolan-x", "11111112")
    preview = client.post(
        "/invitations/upload",
        data={"csrf_token": csrf, "language": "en"},
        files={"file": ("i.csv", good.encode(), "text/csv")},
    )
    assert preview.status_code == 200 and "Lindskolan" in preview.text
    assert _count(engine, Invitation) == 0  # a preview writes nothing
    written = client.post(
        "/invitations/import",
        data={"csrf_token": csrf, "language": "en", "csv_text": good},
        follow_redirects=False,
    )
    assert written.status_code == 303
    assert _count(engine, Invitation) == 2
    mails = _deliver(engine, tmp_path)
    assert sorted(m.recipients[0] for m in mails) == ["a@example.org", "b@example.org"]
    assert all(m.message["Content-Language"] == "en" for m in mails)


def test_resend_replaces_the_link_and_revoke_ends_it(client, engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    csrf = login(client, "strategist-a@example.org")
    assert _invite(client, csrf).status_code == 303
    with Session(engine) as session:
        invitation_id = session.exec(select(Invitation.id)).one()
    [first] = _deliver(engine, tmp_path)
    # Another organiser's strategist cannot touch it.
    other = TestClient(client.app, base_url="https://testserver")
    other_csrf = login(other, "strategist-b@example.org")
    assert other.post(f"/invitations/{invitation_id}/revoke",
                      data={"csrf_token": other_csrf}).status_code == 404  # fmt: skip
    assert "ny.rektor@example.org" not in other.get("/invitations").text

    resent = client.post(f"/invitations/{invitation_id}/resend", data={"csrf_token": csrf},
                         follow_redirects=False)  # fmt: skip
    assert resent.status_code == 303
    [second] = _deliver(engine, tmp_path)
    invitee = TestClient(client.app, base_url="https://testserver")
    assert invitee.get(_path(first.link("/invite/"))).status_code == 410
    assert invitee.get(_path(second.link("/invite/"))).status_code == 200
    revoked = client.post(f"/invitations/{invitation_id}/revoke", data={"csrf_token": csrf},
                          follow_redirects=False)  # fmt: skip
    assert revoked.status_code == 303
    assert invitee.get(_path(second.link("/invite/"))).status_code == 410
    assert 'data-state="revoked"' in client.get("/invitations").text
    with Session(engine) as session:
        actions = list(
            session.exec(select(AuditLog.action).where(AuditLog.object_type == "invitation"))
        )
    assert actions == ["invitation.create", "invitation.resend", "invitation.revoke"]


def test_expired_invitation_shows_as_expired_and_its_link_is_gone(client, engine) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from survey.clock import utcnow
    from survey.security import token_digest

    build_world(engine)
    csrf = login(client, "admin@example.org")
    assert _invite(client, csrf).status_code == 303
    with Session(engine) as session:
        invitation = session.exec(select(Invitation)).one()
        invitation.expires_at = utcnow() - timedelta(minutes=1)
        invitation.token_hash = token_digest("known-token")
        session.add(invitation)
        session.commit()
    assert 'data-state="expired"' in client.get("/invitations").text
    assert client.get("/invite/known-token").status_code == 410
