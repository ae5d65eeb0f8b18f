"""The strategist's rounds in a real browser (issue 7): sign in, create a round for some schools,
follow participation with JavaScript (htmx refresh in place) and without, export CSV, the reminder
list; axe on every page and screenshots.

The demo strategist (strategist@example.org) runs Uppsala kommun; its principal
(principal@example.org) is the principal of Kvarnbackaskolan.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import date, timedelta

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, check_axe, login, screenshot

STRATEGIST = "strategist@example.org"
PRINCIPAL = "principal@example.org"
SCHOOLS = ("Kvarnbackaskolan", "Albackeskolan", "Bruksskolan")
TITLE = "Uppföljning skolor HT 2026"


def create_round(page: Page) -> int:
    """Through the form: the skola questionnaire for three hand-picked schools; the round id."""
    page.goto("/")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Omgångar").click()
    expect(page.locator("main h1")).to_have_text("Omgångar")
    expect(page.locator("table.rounds")).to_contain_text("Lärarenkät HT 2026")
    check_axe(page, "rounds-list")
    screenshot(page, "rounds-list")

    page.get_by_role("link", name="Ny omgång").click()
    expect(page.locator("main h1")).to_contain_text("Ny omgång")
    check_axe(page, "rounds-new")
    screenshot(page, "rounds-new")
    page.get_by_label("Enkät", exact=True).select_option("skola@2026.1")
    page.get_by_label("Omgångens namn").fill(TITLE)
    page.get_by_label("Sista dag", exact=True).fill((date.today() + timedelta(days=60)).isoformat())
    page.get_by_label("Bara de enheter jag väljer").check()
    for school in SCHOOLS:
        page.get_by_role("checkbox", name=re.compile(f"^{school} ")).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Skapa omgången").click()
    match = re.search(r"/rounds/(\d+)\?done=created", page.url)
    assert match, page.url
    return int(match.group(1))


def row(page: Page, school: str):  # type: ignore[no-untyped-def]
    return page.locator("table.participation tbody tr", has_text=school)


def test_strategist_creates_a_round_and_follows_participation(
    fresh_server: LiveServer, page: Page, new_context: Callable[..., BrowserContext]
) -> None:
    login(page, STRATEGIST)
    expect(page.locator("main a[href='/rounds']")).to_be_visible()  # the start page points there
    round_id = create_round(page)

    expect(page.locator("main .notice.ok")).to_contain_text("Omgången är skapad")
    expect(page.locator("main h1")).to_contain_text(TITLE)
    expect(page.locator("table.participation tbody tr")).to_have_count(3)
    totals = page.locator("#totals")
    expect(totals.locator("div", has_text="Enheter")).to_contain_text("3")
    expect(totals.locator("div", has_text="Inte påbörjad")).to_contain_text("3")
    expect(row(page, "Kvarnbackaskolan").locator("td.state")).to_have_text("Inte påbörjad")
    check_axe(page, "rounds-overview")
    screenshot(page, "rounds-overview")

    # The principal finds the new round on the start page and answers one statement.
    principal = new_context().new_page()
    login(principal, PRINCIPAL)
    link = principal.locator("table.assessments tr", has_text=TITLE).get_by_role("link")
    with principal.expect_navigation():
        link.click()
    with principal.expect_response(lambda r: "/items/" in r.url) as saved:
        principal.locator("fieldset.item .choice label").first.click()
    assert saved.value.status == 200

    # The strategist's page refreshes in place (htmx): no navigation, the counts move.
    page.evaluate("() => { window.__stayed = true; }")
    with page.expect_response(lambda r: r.url.endswith(f"/rounds/{round_id}")) as refreshed:
        page.get_by_role("link", name="Uppdatera").click()
    assert refreshed.value.request.headers.get("hx-request") == "true"
    expect(row(page, "Kvarnbackaskolan").locator("td.state")).to_have_text("Utkast")
    expect(totals.locator("div", has_text="Utkast")).to_contain_text("1")
    assert page.evaluate("() => window.__stayed") is True
    check_axe(page, "rounds-overview-refreshed")

    # Export: the CSV lists the three schools with their states.
    with page.expect_download() as download:
        page.get_by_role("link", name="Exportera deltagandet (CSV)").click()
    content = download.value.path().read_bytes().decode("utf-8-sig")  # type: ignore[union-attr]
    rows = {r["Enhet"]: r["Statuskod"] for r in csv.DictReader(io.StringIO(content))}
    assert rows == {
        "Albackeskolan": "not_started",
        "Bruksskolan": "not_started",
        "Kvarnbackaskolan": "draft",
    }

    # The reminder list: all three, with the principal's address to copy.
    page.get_by_role("link", name="Påminnelselista").click()
    expect(page.locator("main h1")).to_contain_text("Påminnelselista")
    expect(page.locator("table.reminders tbody tr")).to_have_count(3)
    expect(page.get_by_label(re.compile("E-postadresser att kopiera"))).to_have_value(
        re.compile(PRINCIPAL)
    )
    check_axe(page, "rounds-reminders")
    screenshot(page, "rounds-reminders")

    # Extend the round by a week, then close it early; both are plain forms.
    page.goto(f"/rounds/{round_id}")
    page.get_by_label(re.compile("Ny sista dag")).fill(
        (date.today() + timedelta(days=67)).isoformat()
    )
    with page.expect_navigation():
        page.get_by_role("button", name="Förläng").click()
    expect(page.locator("main .notice.ok")).to_have_text("Sista dagen är ändrad.")
    with page.expect_navigation():
        page.get_by_role("button", name="Stäng omgången nu").click()
    expect(page.locator("main .notice.ok")).to_contain_text("Omgången är stängd")
    expect(page.get_by_role("button", name="Öppna omgången igen")).to_be_visible()


def test_participation_without_javascript(page_nojs: Page) -> None:
    """A demo round's overview, refresh link and reminders as plain pages."""
    login(page_nojs, STRATEGIST)
    page_nojs.goto("/rounds")
    page_nojs.get_by_role("link", name="Självvärdering skolor VT 2026").click()
    expect(page_nojs.locator("main h1")).to_contain_text("Självvärdering skolor VT 2026")
    expect(page_nojs.locator("#totals")).to_contain_text("Inskickad")
    assert page_nojs.locator("table.participation tbody tr").count() >= 20
    refresh = page_nojs.get_by_role("link", name="Uppdatera")
    with page_nojs.expect_navigation():
        refresh.click()  # a plain link: the page reloads with fresh counts
    assert page_nojs.url.endswith("#participation")
    expect(page_nojs.locator("table.participation")).to_be_visible()
    check_axe(page_nojs, "rounds-overview-nojs")
    screenshot(page_nojs, "rounds-overview-nojs")

    page_nojs.goto("/rounds")
    page_nojs.get_by_role("link", name="Lärarenkät HT 2026").click()
    expect(page_nojs.locator("table.participation thead")).to_contain_text("Svarande (k = 5)")
    check_axe(page_nojs, "rounds-overview-individual-nojs")
    screenshot(page_nojs, "rounds-overview-individual-nojs")
    page_nojs.get_by_role("link", name="Påminnelselista").click()
    expect(page_nojs.locator("main")).to_contain_text("färre än 5 inskickade svar")
    check_axe(page_nojs, "rounds-reminders-individual-nojs")


def test_bad_round_input_without_javascript(page_nojs: Page) -> None:
    """The form refuses a close date before the opening date and says which field is wrong."""
    login(page_nojs, STRATEGIST)
    page_nojs.goto("/rounds/new")
    page_nojs.get_by_label("Enkät", exact=True).select_option("skola@2026.1")
    page_nojs.get_by_label("Omgångens namn").fill("Felaktig omgång")
    page_nojs.get_by_label("Öppnar", exact=True).fill("2030-05-01")
    page_nojs.get_by_label("Sista dag", exact=True).fill("2030-04-01")
    with page_nojs.expect_navigation():
        page_nojs.get_by_role("button", name="Skapa omgången").click()
    alert = page_nojs.locator("#form-errors")
    expect(alert).to_contain_text("Sista dag")
    expect(alert).to_contain_text("stänga före")
    expect(page_nojs.get_by_label("Sista dag", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )
    expect(page_nojs.get_by_label("Omgångens namn")).to_have_value("Felaktig omgång")
    check_axe(page_nojs, "rounds-new-errors-nojs")
    screenshot(page_nojs, "rounds-new-errors-nojs")
