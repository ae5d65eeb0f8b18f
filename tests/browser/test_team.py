"""Team consensus in a real browser: the principal invites a member and agrees on a value without
JavaScript; the member rates with autosave and hands in; axe on every page of the feature.

The demo principal (principal@example.org) has an open draft in "Nationell uppföljning 2026"; the
member is an account without any role, made here in the test's own database."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import Session

from survey.db import make_engine
from survey.models import User
from survey.security import hash_password
from tests.browser.conftest import DEMO_PASSWORD, LiveServer, check_axe, login, screenshot

PRINCIPAL = "principal@example.org"
MEMBER = "lena@example.org"
NATIONAL_ROUND = "Nationell uppföljning 2026"


def _add_member_account(server: LiveServer) -> None:
    engine = make_engine(server.database_url)
    with Session(engine) as session:
        session.add(
            User(email=MEMBER, name="Lena Lärare", password_hash=hash_password(DEMO_PASSWORD))
        )
        session.commit()
    engine.dispose()


def test_team_consensus(fresh_server: LiveServer, page: Page, page_nojs: Page) -> None:
    _add_member_account(fresh_server)
    principal = page_nojs  # the principal's part works without JavaScript
    login(principal, PRINCIPAL)
    principal.goto("/")
    link = principal.locator("table.assessments tr", has_text=NATIONAL_ROUND).get_by_role("link")
    link.click()
    match = re.search(r"/assessments/(\d+)", principal.url)
    assert match, principal.url
    aid = int(match.group(1))
    principal.get_by_role("link", name="Teamets samsyn").click()
    expect(principal.locator("main h1")).to_contain_text("Teamets samsyn")
    check_axe(principal, "team-empty")
    principal.fill("#team-email", "inte en adress")
    principal.get_by_role("button", name="Bjud in").click()
    expect(principal.locator("#invite-error")).to_contain_text("E-postadress")
    check_axe(principal, "team-invite-error")
    principal.fill("#team-email", MEMBER)
    principal.get_by_role("button", name="Bjud in").click()
    expect(principal.locator("main")).to_contain_text("Inbjudan är skickad.")

    # The member: told about names before rating; autosave; hand in.
    login(page, MEMBER)
    page.goto(f"/assessments/{aid}/rate")
    expect(page.locator("#names-notice")).to_contain_text("ser rektor ditt namn")
    check_axe(page, "team-rate")
    with page.expect_response(lambda r: r.url.endswith("/rate/items/L.01")) as saved:
        page.locator("label[for='a-L-01-1']").click()
    assert saved.value.status == 200, saved.value.text()
    expect(page.locator("#status-L-01")).to_have_text("Sparat")
    page.get_by_role("button", name="Lämna in min bedömning").click()
    expect(page.locator("main")).to_contain_text("Din bedömning är inlämnad.")
    check_axe(page, "team-rate-submitted")
    screenshot(page, "team-rate-submitted")

    # The principal sees the rating with the member's name and agrees on a value.
    principal.goto(f"/assessments/{aid}/team")
    item = principal.locator("#team-L-01")
    expect(item).to_contain_text("Lena Lärare: 1")
    check_axe(principal, "team-consensus")
    screenshot(principal, "team-consensus")
    item.locator("select[name=agreed]").select_option("2")
    item.locator("textarea[name=note]").fill("Enade på mötet")
    item.get_by_role("button", name="Spara överenskommet värde").click()
    expect(principal.locator("main")).to_contain_text("Det överenskomna värdet är sparat")
    expect(principal.locator("#agreed-L-01")).to_have_value("2")
