"""From an empty organisation to a running round, end to end in Chromium with a real SMTP server
(aiosmtpd) and the real test OpenID provider (tests/oidc): the administrator imports the example
school unit register, invites a strategist and a principal; ``survey send-mail --once`` (a separate
process on the same database) delivers the invitations; the principal sets a password through the
link in the mail; the strategist accepts and then signs in with the organisation's account,
creates a round for an imported school (the principal's "round opened" mail arrives), sends a
reminder from the participation page (it arrives), and reads the rounds through the API with a
personal token made in the browser. Also the teachers' links form (axe, without JavaScript)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import Session, select

from survey.db import make_engine
from survey.demo import DEMO_PASSWORD
from survey.models import Unit
from tests.browser.conftest import (
    ROOT,
    LiveServer,
    _copy_database,
    check_axe,
    screenshot,
    serve,
)
from tests.mail_server import Received, SmtpServer, smtp_server

EXAMPLE = ROOT / "survey/demo/examples/skolenhetsregistret-example.json"
SCHOOL_CODE = "43810201"  # Gränbyskolan in the example register
STRATEGIST = "ny.strateg@example.org"
PRINCIPAL = "ny.rektor@example.org"
PASSWORD = "ett-långt-lösen"


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[SmtpServer]:
    with smtp_server(tmp_path) as server:
        yield server


@pytest.fixture
def server(
    demo_database: Path, tmp_path: Path, oidc_provider, oidc_app_port: int, smtp: SmtpServer
) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """The app with SMTP and the test provider, on the port the provider's client returns to;
    no sending thread: ``survey send-mail --once`` sends."""
    providers = [oidc_provider.settings("any", label="Testkommunens konto")]
    url = _copy_database(demo_database, tmp_path / "e2e.db")
    with serve(url, port=oidc_app_port, oidc_providers=providers, smtp_url=smtp.url,
               mail_send_interval=0, mail_from="survey@example.org") as live:  # fmt: skip
        yield live


def send_mail(server: LiveServer, smtp: SmtpServer) -> list[Received]:
    """``survey send-mail --once`` against the server's database; the messages it delivered."""
    before = len(smtp.handler.received)
    env = {**os.environ, "SURVEY_DATABASE_URL": server.database_url, "SURVEY_SMTP_URL": smtp.url,
           "SURVEY_MAIL_FROM": "survey@example.org"}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "survey", "send-mail", "--once"], env=env,
                          capture_output=True, text=True, timeout=60, cwd=ROOT)  # fmt: skip
    assert done.returncode == 0, done.stderr
    return smtp.handler.received[before:]


def mail_to(mails: list[Received], address: str) -> Received:
    found = [m for m in mails if m.recipients == [address]]
    assert len(found) == 1, [m.recipients for m in mails]
    return found[0]


def path_of(link: str) -> str:
    parts = urlsplit(link)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def organiser_of(server: LiveServer, school_code: str) -> int:
    """The id of the organiser the import put the school under (the administrator reads it on
    the unit's page; the test asks the database)."""
    engine = make_engine(server.database_url)
    try:
        with Session(engine) as session:
            school = session.exec(select(Unit).where(Unit.school_unit_code == school_code)).one()
            return int(school.parent_id)  # type: ignore[arg-type]
    finally:
        engine.dispose()


def login(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    """The sign-in form with a password (the page also has the provider's button)."""
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.get_by_role("button", name="Logga in", exact=True).click()
    expect(page.locator(".whoami")).to_be_visible()


def invite(page: Page, email: str, role: str, unit: str) -> None:
    page.goto("/invitations")
    page.fill("#f-email", email)
    page.select_option("#f-role", role)
    page.fill("#f-unit", unit)
    page.select_option("#f-language", "sv")
    with page.expect_navigation():
        page.get_by_role("button", name="Skicka inbjudan", exact=True).click()
    expect(page.locator("main")).to_contain_text(email)


def accept(page: Page, link: str, name: str) -> None:
    page.goto(path_of(link))
    expect(page.locator("main h1")).to_have_text("Inbjudan")
    page.get_by_label("Ditt namn").fill(name)
    page.get_by_label("Nytt lösenord").fill(PASSWORD)
    page.get_by_label("Upprepa lösenordet").fill(PASSWORD)
    page.get_by_role("button", name="Acceptera inbjudan").click()
    expect(page.locator("#login-done")).to_be_visible()


def test_from_register_import_to_a_reminded_round(
    new_context: Callable[..., BrowserContext], server: LiveServer, smtp: SmtpServer
) -> None:
    # The administrator imports the register: preview, then accept.
    admin = new_context().new_page()
    login(admin, "admin@example.org")
    admin.goto("/admin/units/import")
    admin.get_by_label("Skolenhetsregistret (JSON, Skolverkets API v2)").check()
    admin.set_input_files("#file", str(EXAMPLE))
    with admin.expect_navigation():
        admin.get_by_role("button", name="Förhandsvisa").click()
    expect(admin.locator("table.import-preview")).to_contain_text("Gränbyskolan")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Importera", exact=True).click()
    expect(admin.locator("#import-done")).to_be_visible()

    # Invitations to the imported units, delivered by `survey send-mail --once`.
    organiser = organiser_of(server, SCHOOL_CODE)
    invite(admin, STRATEGIST, "strategist", str(organiser))
    invite(admin, PRINCIPAL, "principal", SCHOOL_CODE)
    mails = send_mail(server, smtp)
    principal_invite = mail_to(mails, PRINCIPAL)
    strategist_invite = mail_to(mails, STRATEGIST)
    assert "Gränbyskolan" in principal_invite.message["Subject"]

    # The principal: the link from the mail, a password, signed in.
    principal = new_context().new_page()
    accept(principal, principal_invite.link("/invite/"), "Nora Rektor")
    login(principal, PRINCIPAL, PASSWORD)
    expect(principal.locator(".whoami")).to_have_text("Nora Rektor")

    # The strategist accepts, then signs in with the organisation's account at the provider.
    strategist = new_context().new_page()
    accept(strategist, strategist_invite.link("/invite/"), "Sara Strateg")
    strategist.goto("/login")
    strategist.get_by_role("button", name="Logga in med Testkommunens konto").click()
    strategist.locator("input[name=login]").fill(STRATEGIST)
    strategist.locator("input[name=password]").fill("anything the provider asks")
    strategist.locator("button[type=submit]").click()
    strategist.locator("button[type=submit]").click()  # consent
    strategist.wait_for_url(f"{server.base_url}/")
    expect(strategist.locator(".whoami")).to_have_text("Sara Strateg")

    # A round for the imported school: the principal's "round opened" mail.
    strategist.goto("/rounds/new")
    strategist.get_by_label("Enkät", exact=True).select_option("skola@2026.1")
    strategist.get_by_label("Omgångens namn").fill("Gränby HT")
    closes = (date.today() + timedelta(days=60)).isoformat()
    strategist.get_by_label("Sista dag", exact=True).fill(closes)
    strategist.get_by_label("Bara de enheter jag väljer").check()
    strategist.get_by_role("checkbox", name=re.compile("^Gränbyskolan ")).check()
    with strategist.expect_navigation():
        strategist.get_by_role("button", name="Skapa omgången").click()
    round_id = int(re.search(r"/rounds/(\d+)", strategist.url).group(1))  # type: ignore[union-attr]
    opened = mail_to(send_mail(server, smtp), PRINCIPAL)
    assert opened.message["Subject"] == "Ny omgång: Gränby HT – Digital självvärdering"
    principal.goto(path_of(opened.link("/assessments/")))
    expect(principal.locator("main")).to_contain_text("Gränbyskolan")

    # A reminder from the participation page: preview (axe), send, it arrives.
    strategist.goto(f"/rounds/{round_id}/reminders")
    with strategist.expect_navigation():
        strategist.get_by_role("button", name="Skicka påminnelse").click()
    expect(strategist.locator("#remind-counts")).to_have_text("1 enheter, 1 e-postadresser")
    expect(strategist.locator("#sample-text-en")).to_contain_text("has not yet submitted")
    check_axe(strategist, "round-remind-preview")
    screenshot(strategist, "round-remind-preview")
    with strategist.expect_navigation():
        strategist.get_by_role("button", name="Skicka till 1 adresser").click()
    expect(strategist.locator("#remind-sent")).to_be_visible()
    reminder = mail_to(send_mail(server, smtp), PRINCIPAL)
    assert reminder.message["Subject"] == "Påminnelse: Gränby HT – Digital självvärdering"
    strategist.goto(f"/rounds/{round_id}/reminders/send")  # once a day: now skipped
    expect(strategist.locator("#remind-skipped")).to_contain_text("Gränbyskolan")
    check_axe(strategist, "round-remind-skipped")

    # A personal API token made in the browser reads the rounds.
    strategist.goto("/account/tokens")
    strategist.fill("#f-name", "Rapport")
    with strategist.expect_navigation():
        strategist.get_by_role("button", name="Skapa API-nyckel").click()
    secret = strategist.locator("#new-token").input_value()
    rounds = httpx.get(f"{server.base_url}/api/v1/rounds",
                       headers={"Authorization": f"Bearer {secret}"})  # fmt: skip
    assert rounds.status_code == 200, rounds.text
    assert "Gränby HT" in rounds.text


def test_teacher_links_form(page_nojs: Page, server: LiveServer) -> None:
    """The demo principal's teacher round without JavaScript: the form, a bad line, then sent."""
    page = page_nojs
    login(page, "principal@example.org")
    page.goto("/")
    with page.expect_navigation():
        page.locator("table.assessments tr", has_text="Lärarenkät HT 2026").get_by_role(
            "link"
        ).click()
    expect(page.locator("#mail-links")).to_be_visible()
    check_axe(page, "teacher-links-form-nojs")
    page.get_by_label("Lärarnas e-postadresser").fill("anna@example.org\nfel adress")
    with page.expect_navigation():
        page.get_by_role("button", name="Skicka länkar").click()
    expect(page.locator("#mail-links-errors")).to_contain_text("Rad 2: fel adress")
    check_axe(page, "teacher-links-errors-nojs")
    page.get_by_label("Lärarnas e-postadresser").fill("anna@example.org, bo@example.org")
    with page.expect_navigation():
        page.get_by_role("button", name="Skicka länkar").click()
    expect(page.locator("#links-mailed")).to_contain_text("2 länkar")
