"""The national follow-up user in a real browser (issue 8): sign in, open a national round of the
demo, switch breakdowns (with and without JavaScript), download the XLSX and open it, the trends and
the printable report; axe-core finds nothing serious or critical.

The demo has "Nationell uppföljning 2026" (the school questionnaire, 144 schools with grundskola,
an earlier round in 2025) with organisers below k answering units, so every breakdown by organiser
shows hidden cells.
"""

from __future__ import annotations

import re

import openpyxl
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_axe, login, screenshot

NATIONAL = "national@example.org"
ROUND = "Nationell uppföljning 2026"
MARKER = "–"


def open_round(page: Page) -> int:
    """From the start page, through the menu and the list of national rounds."""
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("navigation", name="Huvudmeny").get_by_role(
            "link", name="Nationell uppföljning"
        ).click()
    expect(page.locator("main h1")).to_have_text("Nationell uppföljning")
    with page.expect_navigation():
        page.get_by_role("link", name=ROUND, exact=True).click()
    match = re.search(r"/national/rounds/(\d+)$", page.url)
    assert match, page.url
    return int(match.group(1))


def show(page: Page, by_label: str, scope_label: str) -> None:
    page.select_option("#f-by", label=by_label)
    page.select_option("#f-scope", label=scope_label)
    with page.expect_navigation():
        page.get_by_role("button", name="Visa").click()


def test_national_user_switches_breakdowns_and_downloads_the_xlsx(page: Page) -> None:
    login(page, NATIONAL)
    round_id = open_round(page)
    expect(page.locator("main h1")).to_contain_text(ROUND)
    expect(page.locator("#coverage")).to_contain_text("enheter i målgruppen")
    expect(page.locator("#f-by option:checked")).to_have_text("Riket")
    expect(page.locator("section.national-section svg[role=img]")).to_have_count(1)
    check_axe(page, "national-round")
    screenshot(page, "national-round")

    show(page, "Län", "Delmål")
    assert "by=region" in page.url and "scope=subgoal" in page.url
    expect(page.locator("section.national-section")).to_have_count(9)
    first = page.locator("section.national-section").first
    expect(first.locator("table caption")).to_contain_text("Län: FO 1.1")
    expect(first.locator("svg g.dot").first).to_be_attached()
    # Gotland (3 schools) is hidden, so the comparisons across regions are withheld, with why.
    expect(first.locator(".equity-words")).to_contain_text("minst en grupp i indelningen är dold")
    expect(page.locator("#release-shown")).to_contain_text("release 1 (preliminär)")
    check_axe(page, "national-round-region")
    screenshot(page, "national-round-region")

    show(page, "Huvudman", "Totalt")
    table = page.locator("table.national-aggregates")
    hidden = table.locator("tbody tr.suppressed")
    assert hidden.count() > 0
    for cell in hidden.first.locator("td.suppressed").all():
        assert cell.inner_text().strip() == MARKER
    expect(page.locator("#suppression-note")).to_contain_text("färre än 5 enheter")
    check_axe(page, "national-round-organiser")
    screenshot(page, "national-round-organiser")

    show(page, "Län × Huvudmannatyp", "Områden")
    expect(page.locator("#f-by option:checked")).to_have_text("Län × Huvudmannatyp")
    expect(page.locator("section.national-section")).to_have_count(4)

    with page.expect_download() as download:
        page.get_by_role("link", name="Excel (XLSX, med metodblad)").click()
    assert download.value.suggested_filename.endswith("-aggregat.xlsx")
    with download.value.path().open("rb") as file:
        book = openpyxl.load_workbook(file)
    assert book.sheetnames[0] == "Metod" and "Län × Huvudmannatyp" in book.sheetnames
    method = {r[0]: r[1] for r in book["Metod"].iter_rows(min_row=2, values_only=True)}
    assert method["Markering för dold uppgift"] == MARKER and method["Minsta gruppstorlek k"] == 5
    organisers = list(book["Huvudman"].iter_rows(min_row=2, values_only=True))
    assert any(MARKER in row for row in organisers)
    assert page.url.endswith(f"/national/rounds/{round_id}?by=region%2Corganiser_type&scope=area")


def test_trends_and_printable_report(page: Page) -> None:
    login(page, NATIONAL)
    round_id = open_round(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Trender").click()
    expect(page.locator("main h1")).to_contain_text("Trender")
    expect(page.locator("table.national-cross thead")).to_contain_text("Nationell uppföljning 2025")
    expect(page.locator("table.national-paired tbody tr")).to_have_count(1)
    show(page, "Län", "Totalt")
    expect(page.locator("table.national-paired tbody tr")).not_to_have_count(0)
    check_axe(page, "national-trends")
    screenshot(page, "national-trends")

    page.goto(f"/national/rounds/{round_id}/report")
    expect(page.locator("article.national-report h1")).to_contain_text(ROUND)
    expect(page.locator("dl.method-notes")).to_contain_text("mellan tabeller eller mellan releaser")
    check_axe(page, "national-report")
    screenshot(page, "national-report")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Skriv ut")).to_be_hidden()
    screenshot(page, "national-report-print")


def test_breakdown_switch_without_javascript(page_nojs: Page) -> None:
    login(page_nojs, NATIONAL)
    open_round(page_nojs)
    show(page_nojs, "Huvudmannatyp", "Totalt")
    expect(page_nojs.locator("table.national-aggregates caption")).to_have_text(
        "Huvudmannatyp: Totalt"
    )
    check_axe(page_nojs, "national-round-nojs")


def test_participation_only_until_a_release_is_published(page: Page, fresh_server: object) -> None:
    """The demo's organisers' round has no release yet: participation only. National staff
    publish its preliminary release (once) and the aggregates appear, saying which release."""
    login(page, NATIONAL)
    page.goto("/national")
    with page.expect_navigation():
        page.get_by_role("link", name="Nationell uppföljning huvudmän 2026", exact=True).click()
    expect(page.locator("#release-none")).to_be_visible()
    expect(page.locator("table#participation tfoot")).to_contain_text("25")
    expect(page.locator("table.national-aggregates")).to_have_count(0)
    check_axe(page, "national-participation")
    screenshot(page, "national-participation")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("Publicera preliminär release")).click()
    expect(page.locator("#published")).to_be_visible()
    expect(page.locator("#release-shown")).to_contain_text("release 1 (preliminär)")
    expect(page.locator("#publish-blocked")).to_contain_text(
        "preliminär release är redan publicerad"
    )
    expect(page.locator("table.national-aggregates")).not_to_have_count(0)
    check_axe(page, "national-round-release")
