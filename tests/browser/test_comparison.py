"""The strategist's comparison pages in a real browser (issue 7), against the demo: the heat map
sorted and filtered with htmx and without JavaScript, the equity panel with a flagged school and
an outlier opened, the trend, the exports; axe on every page and screenshots.
"""

from __future__ import annotations

import csv
import io
import re

import pyarrow.parquet as pq
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_axe, login, screenshot

STRATEGIST = "strategist@example.org"
SCHOOL_ROUND = "Självvärdering skolor VT 2026"
TEACHER_ROUND = "Lärarenkät HT 2026"


def round_id(page: Page, title: str) -> int:
    """The id of a round, found through the rounds list as a user would."""
    page.goto("/rounds")
    href = page.locator("table.rounds a", has_text=title).first.get_attribute("href")
    assert href is not None
    return int(href.rsplit("/", 1)[1])


def indexes(page: Page, column: int) -> list[int | None]:
    """The index shown in one column of the heat map, top to bottom (None for "–")."""
    values: list[int | None] = []
    for text in page.locator(f"table.heatmap tbody tr td:nth-of-type({column})").all_inner_texts():
        found = re.search(r"·\s*(\d+)", text)
        values.append(int(found.group(1)) if found else None)
    return values


def sorted_with_missing_last(values: list[int | None], descending: bool) -> bool:
    present = [v for v in values if v is not None]
    tail = values[len(present) :]
    order = sorted(present, reverse=descending)
    return present == order and all(v is None for v in tail)


def test_heat_map_sort_filter_equity_and_exports(page: Page) -> None:
    login(page, STRATEGIST)
    rid = round_id(page, SCHOOL_ROUND)
    page.goto(f"/rounds/{rid}/heatmap")
    expect(page.locator("main h1")).to_contain_text("Jämförelse av enheterna")
    table = page.locator("table.heatmap")
    expect(table.locator("caption")).to_contain_text(SCHOOL_ROUND)
    expect(table.locator("thead tr.median-row th")).to_contain_text("Median, Uppsala kommun")
    rows = table.locator("tbody tr")
    total = rows.count()
    assert total >= 20
    expect(table.locator("tbody td.missing").first).to_contain_text("–")
    expect(page.locator("ol.footnotes")).to_contain_text("inte delat resultatet")
    check_axe(page, "heatmap")
    screenshot(page, "heatmap")

    # Sort by FO 2.1 (htmx swaps the table and pushes the URL), then descending.
    fo21 = 4  # name is a th; td 1 = school form, td 2 = FO 1.1, ... td 4 = FO 2.1
    page.locator("#sort-FO2_1").click()
    expect(page).to_have_url(re.compile(r"sort=FO2\.1"))
    expect(page.locator("#sort-FO2_1").locator("xpath=..")).to_have_attribute(
        "aria-sort", "ascending"
    )
    assert sorted_with_missing_last(indexes(page, fo21), descending=False)
    page.locator("#sort-FO2_1").click()
    expect(page).to_have_url(re.compile(r"sort=FO2\.1&dir=desc"))
    expect(page.locator("#sort-FO2_1").locator("xpath=..")).to_have_attribute(
        "aria-sort", "descending"
    )
    assert sorted_with_missing_last(indexes(page, fo21), descending=True)
    expect(page.locator("#sort-FO2_1")).to_be_focused()  # focus survives the swap
    screenshot(page, "heatmap-sorted")

    # Filter to upper secondary schools; the sort is kept.
    page.get_by_label("Skolform").select_option("gymnasieskola")
    page.get_by_role("button", name="Visa").click()
    expect(page).to_have_url(re.compile(r"form=gymnasieskola"))
    expect(rows).not_to_have_count(total)
    for text in rows.locator("td:nth-of-type(1)").all_inner_texts():
        assert text == "Gymnasieskola"
    expect(page.locator(".cmp-status")).to_contain_text(f"av omgångens {total} enheter")
    check_axe(page, "heatmap-filtered")
    screenshot(page, "heatmap-filtered")

    # The item tag recomputes the columns on the tagged statements.
    page.get_by_role("link", name="Rensa urvalet").click()
    expect(rows).to_have_count(total)
    page.get_by_label("Påståenden med taggen").select_option("likvardighet")
    page.get_by_role("button", name="Visa").click()
    expect(page.locator(".cmp-status")).to_contain_text("taggen ”likvardighet”")
    expect(table.locator("thead tr:first-child th")).to_have_count(2 + 5)

    # The exports: CSV, Excel, Parquet of the table as shown.
    with page.expect_download() as download:
        page.get_by_role("link", name="Exportera (CSV)").click()
    text = download.value.path().read_text(encoding="utf-8-sig")
    rows_csv = list(csv.DictReader(io.StringIO(text)))
    assert rows_csv[0]["Radtyp"] == "median"
    assert len(rows_csv) == 1 + total
    with page.expect_download() as download:
        page.get_by_role("link", name="Exportera (Excel)").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    assert len(list(book.worksheets[0].iter_rows(values_only=True))) == 1 + 1 + total
    with page.expect_download() as download:
        page.get_by_role("link", name="Exportera (Parquet)").click()
    parquet = pq.read_table(download.value.path())
    assert parquet.num_rows == 1 + total

    # Equity panel of FO 1.2: the outliers, each in one sentence; open one school's summary.
    page.get_by_role("navigation", name="Omgångens sidor").get_by_role(
        "link", name="Likvärdighet"
    ).click()
    expect(page.locator("main h1")).to_contain_text("Likvärdighet")
    page.locator("table.equity-overview").get_by_role("link", name=re.compile("^FO 1.2")).click()
    expect(page.locator("#panel-heading")).to_contain_text("FO 1.2")
    expect(page.locator("figure.chart svg g.point").first).to_be_attached()
    notes = page.locator("ul.flag-notes li")
    expect(notes.first).to_contain_text(
        re.compile(r"mediannivån bland kommunens övriga \w+ i FO 1\.2")
    )
    check_axe(page, "equity-unit-level")
    screenshot(page, "equity-unit-level")
    first = notes.first.get_by_role("link")
    school = (first.inner_text()).removeprefix("Öppna ")
    with page.expect_navigation():
        first.click()
    expect(page).to_have_url(re.compile(r"/summary#subgoal-FO1\.2$"))
    expect(page.locator("main h1")).to_contain_text(school)
    expect(page.locator("tr#subgoal-FO1\\.2")).to_be_visible()

    with page.expect_download() as download:
        page.goto(f"/rounds/{rid}/equity")
        page.get_by_role("link", name="Exportera (Excel)").click()
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True)
    assert book.sheetnames == ["Spridning", "Enheter", "Uppdelning", "Flaggade och avvikande"]

    # The trend against VT 2025.
    page.goto(f"/rounds/{rid}/trend")
    expect(page.locator("main .lead")).to_contain_text("Självvärdering skolor VT 2025")
    expect(page.locator("table.trend-counts tbody tr")).to_have_count(14)
    check_axe(page, "trend")
    screenshot(page, "trend")


def test_flagged_school_in_the_teacher_round(page: Page) -> None:
    login(page, STRATEGIST)
    rid = round_id(page, TEACHER_ROUND)
    page.goto(f"/rounds/{rid}/heatmap")
    expect(page.locator("table.heatmap thead th", has_text="Svarande")).to_be_visible()
    expect(page.locator("ol.footnotes")).to_contain_text("Färre än 5 har svarat")
    check_axe(page, "heatmap-teachers")
    screenshot(page, "heatmap-teachers")
    page.goto(f"/rounds/{rid}/equity?scope=subgoal:FO2.1")
    below = page.locator("ul.flag-notes li.mark-below").first
    expect(below).to_contain_text("ligger klart under kommunens övriga")
    expect(below).to_contain_text("Cliff's δ = −")
    expect(below).to_contain_text("svarande)")
    school = below.inner_text().split(" ligger ")[0]
    expect(page.locator("table.equity-units tbody tr", has_text=school)).to_contain_text(
        "klart under"
    )
    expect(page.locator(".icc-words")).to_contain_text("av variationen i lärarnas svar")
    check_axe(page, "equity-teachers")
    screenshot(page, "equity-teachers")


def test_heat_map_without_javascript(page_nojs: Page) -> None:
    login(page_nojs, STRATEGIST)
    rid = round_id(page_nojs, SCHOOL_ROUND)
    page_nojs.goto(f"/rounds/{rid}/heatmap")
    expect(page_nojs.locator("table.heatmap tbody tr").first).to_be_visible()
    check_axe(page_nojs, "heatmap-nojs")
    with page_nojs.expect_navigation():
        page_nojs.locator("#sort-total").click()
    expect(page_nojs).to_have_url(re.compile(r"sort=total"))
    column = 2 + 10  # school form, nine sub-goals, then the total
    assert sorted_with_missing_last(indexes(page_nojs, column), descending=False)
    page_nojs.get_by_label("Enhetstyp").select_option("adult_education")
    with page_nojs.expect_navigation():
        page_nojs.get_by_role("button", name="Visa").click()
    expect(page_nojs).to_have_url(re.compile(r"kind=adult_education.*|.*kind=adult_education"))
    expect(page_nojs.locator("table.heatmap tbody tr")).to_have_count(1)
    with page_nojs.expect_navigation():
        page_nojs.get_by_role("link", name="Områden").click()
    expect(page_nojs.locator("table.heatmap thead a#sort-ledning")).to_be_visible()
    check_axe(page_nojs, "heatmap-nojs-areas")
    screenshot(page_nojs, "heatmap-nojs-areas")
