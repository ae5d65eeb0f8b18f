"""Onboarding pages in a real browser with axe: forgotten password, the invitation acceptance
page (with and without JavaScript), then signing in as the new user."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from survey.clock import utcnow
from survey.db import make_engine
from survey.models import Invitation, Unit, User
from survey.security import token_digest
from tests.browser.conftest import LiveServer, check_axe, login, screenshot


def _invitation(server: LiveServer, token: str) -> None:
    """An invitation whose link token is known (the mail itself is tested in tests/web)."""
    engine = make_engine(server.database_url)
    try:
        with Session(engine) as session:
            school = session.exec(select(Unit).where(Unit.kind == "school")).first()
            admin = session.exec(select(User).where(User.email == "admin@example.org")).one()
            session.add(Invitation(email="ny.rektor@example.org", role="principal",
                                   unit_id=school.id, language="sv",  # type: ignore[union-attr]
                                   token_hash=token_digest(token), created_by=admin.id,
                                   expires_at=utcnow() + timedelta(days=14)))  # fmt: skip
            session.commit()
    finally:
        engine.dispose()


def test_forgot_password_page(page: Page) -> None:
    page.goto("/login")
    page.get_by_role("link", name="Glömt lösenordet?").click()
    expect(page.locator("main h1")).to_have_text("Glömt lösenordet")
    check_axe(page, "password-forgot")
    page.get_by_label("E-postadress").fill("nobody@example.org")
    page.get_by_role("button", name="Skicka länk").click()
    expect(page.locator("#forgot-sent")).to_be_visible()
    check_axe(page, "password-forgot-sent")
    screenshot(page, "password-forgot-sent")


def test_invitation_acceptance_page_without_javascript(
    page_nojs: Page, fresh_server: LiveServer
) -> None:
    _invitation(fresh_server, "browser-token")
    page = page_nojs
    response = page.goto("/invite/browser-token")
    assert response is not None and response.status == 200
    expect(page.locator("main h1")).to_have_text("Inbjudan")
    check_axe(page, "invite-accept-nojs")
    screenshot(page, "invite-accept")
    page.get_by_label("Ditt namn").fill("Nora Rektor")
    page.get_by_label("Nytt lösenord").fill("nytt-lösen")
    page.get_by_label("Upprepa lösenordet").fill("annat")
    page.get_by_role("button", name="Acceptera inbjudan").click()
    expect(page.locator("#accept-error")).to_be_visible()
    check_axe(page, "invite-accept-error")
    page.get_by_label("Ditt namn").fill("Nora Rektor")
    page.get_by_label("Nytt lösenord").fill("nytt-lösen")
    page.get_by_label("Upprepa lösenordet").fill("nytt-lösen")
    page.get_by_role("button", name="Acceptera inbjudan").click()
    expect(page.locator("#login-done")).to_be_visible()
    login(page, "ny.rektor@example.org", "nytt-lösen")
    expect(page.locator(".whoami")).to_have_text("Nora Rektor")


def test_invitations_page_for_an_administrator(page: Page) -> None:
    login(page, "admin@example.org")
    page.goto("/invitations")
    expect(page.locator("main h1")).to_have_text("Inbjudningar")
    check_axe(page, "invitations")
    page.goto("/admin/mail")
    expect(page.locator("#no-smtp")).to_be_visible()
    check_axe(page, "admin-mail")
