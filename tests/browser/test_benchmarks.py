"""Benchmarks in a real browser (issue 8): the demo strategist's schools and the demo principal's
school in "Nationell uppföljning 2026" against the region and the nation, reached through the
links of the start page and the summary; the page's numbers are those of its JSON twin; axe-core
finds no serious or critical problem.

Demo facts used: strategist@example.org is strategist of Uppsala kommun, whose schools take part in
the national rounds; principal@example.org's Kvarnbackaskolan has a draft in 2026 and a submitted
assessment in "Nationell uppföljning 2025".
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from survey.web.comparison.present import fmt
from tests.browser.conftest import check_axe, login, screenshot

ROUND = "Nationell uppföljning 2026"
EARLIER = "Nationell uppföljning 2025"
TITLE = "Jämförelse med län och riket"


def group_cell(g: dict) -> str:  # type: ignore[type-arg]
    if g["suppressed"]:
        return "–"
    return f"{fmt(g['median'], 2, 'sv')} ({fmt(g['q1'], 2, 'sv')}–{fmt(g['q3'], 2, 'sv')})"


def assert_page_matches_json(page: Page, api_url: str) -> dict:  # type: ignore[type-arg]
    """Every group cell of the tables shows the JSON twin's value ("–" when suppressed)."""
    data = page.request.get(api_url).json()
    for line in data["lines"]:
        row = page.locator(f"#bm-{line['scope_type']}-{line['scope_id'].replace('.', '-')}")
        for g in line["groups"]:
            expect(row.locator(f"td.group-{g['key']}")).to_have_text(group_cell(g))
    return data  # type: ignore[no-any-return]


def assessment_id_of(page: Page, round_title: str) -> int:
    page.goto("/")
    href = (
        page.locator("table.assessments tr", has_text=round_title)
        .get_by_role("link")
        .get_attribute("href")
    )
    match = re.search(r"/assessments/(\d+)", href or "")
    assert match, href
    return int(match.group(1))


def test_strategist_benchmark(page: Page) -> None:
    login(page, "strategist@example.org")
    page.goto("/")
    page.get_by_role("link", name="Jämför era enheter med länet och riket").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Jämförelser i nationella omgångar")
    check_axe(page, "benchmark-index")
    page.locator("tr", has_text=ROUND).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
    expect(page.locator("h1 .subtitle")).to_have_text(f"Uppsala kommun – {ROUND}")
    round_id = re.search(r"/benchmarks/rounds/(\d+)", page.url).group(1)  # type: ignore[union-attr]
    # two charts (sub-goals; areas and total), each an image with a text alternative
    charts = page.locator("figure.bm-chart svg[role=img]")
    expect(charts).to_have_count(2)
    expect(page.locator("figure.bm-chart .bm-own-marker").first).to_be_visible()
    data = assert_page_matches_json(page, f"/api/v1/benchmarks/rounds/{round_id}")
    assert data["view"] == "organiser" and [g["name"] for g in data["groups"]] == [
        "Uppsala län",
        "Riket",
    ]
    total = data["lines"][-1]
    expect(page.locator("#bm-total-total td.delta")).to_have_text(
        fmt(total["test"]["cliffs_delta"], 2, "sv")
    )
    sentences = page.locator("ul.bm-sentences li")
    expect(sentences.filter(has_text="Cliff's δ").first).to_be_visible()
    expect(sentences.filter(has_text=total["sentences"][0])).to_have_count(1)
    check_axe(page, "benchmark-strategist")
    screenshot(page, "benchmark-strategist")


def test_principal_benchmark(page: Page) -> None:
    login(page, "principal@example.org")
    # 2026: a draft, so only the groups are shown (the school's organiser has >= k schools)
    draft = assessment_id_of(page, ROUND)
    page.goto(f"/assessments/{draft}/summary")
    page.get_by_role("link", name=TITLE).click()
    expect(page.locator("h1 .subtitle")).to_have_text(f"Kvarnbackaskolan – {ROUND}")
    data = assert_page_matches_json(page, f"/api/v1/benchmarks/assessments/{draft}")
    assert [g["name"] for g in data["groups"]] == ["Uppsala kommun", "Uppsala län", "Riket"]
    assert not data["lines"][-1]["groups"][0]["suppressed"]
    expect(page.get_by_role("status").first).to_be_visible()
    check_axe(page, "benchmark-principal-draft")
    screenshot(page, "benchmark-principal-draft")
    # 2025: submitted, so the school's own values are drawn and described
    done = assessment_id_of(page, EARLIER)
    page.goto(f"/assessments/{done}/summary")
    page.get_by_role("link", name=TITLE).click()
    data = assert_page_matches_json(page, f"/api/v1/benchmarks/assessments/{done}")
    total = data["lines"][-1]
    expect(page.locator("#bm-total-total td.own")).to_have_text(
        fmt(total["own"]["median"], 2, "sv")
    )
    expect(page.locator("figure.bm-chart .bm-own-marker")).not_to_have_count(0)
    expect(page.locator("ul.bm-sentences li", has_text="Kvarnbackaskolan").first).to_be_visible()
    check_axe(page, "benchmark-principal")
    screenshot(page, "benchmark-principal")


def test_national_staff_get_404(page_nojs: Page) -> None:
    login(page_nojs, "national@example.org")
    page_nojs.goto("/rounds")
    link = page_nojs.locator("tr", has_text=ROUND).first
    expect(link).to_be_visible()
    response = page_nojs.goto("/benchmarks")
    assert response is not None and response.status == 404
