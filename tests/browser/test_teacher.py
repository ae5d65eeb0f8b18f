"""Teachers answering the individual questionnaire through single-use links, in a real browser
(issue 5): the principal creates the links; a teacher opens one in a browser without any cookies,
answers every area (with JavaScript, and then another link without), submits and is thanked.

The demo's "Lärarenkät HT 2026" round (the larare questionnaire, 31 statements in four areas) is
open for Kvarnbackaskolan, where some teachers have already submitted.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, check_axe, login, screenshot
from tests.browser.test_principal import COMMIT_RACE

PRINCIPAL = "principal@example.org"
TEACHER_ROUND = "Lärarenkät HT 2026"
TITLE = "Självskattning för lärare och personal – digitalisering"
AREAS = ["Ledning", "Infrastruktur", "Kompetens", "Användning"]
ITEMS = 31
COUNTS = re.compile(r"(\d+) av (\d+) länkar har använts för inskickade svar")


def counts(page: Page) -> tuple[int, int]:
    """(submitted, links) from the individual round page."""
    match = COUNTS.search(page.locator("main .big-number").inner_text())
    assert match, page.locator("main .big-number").inner_text()
    return int(match.group(1)), int(match.group(2))


def create_links(page: Page, how_many: int) -> tuple[str, tuple[int, int]]:
    """Open the teacher round from the start page and create links; (page URL, counts before)."""
    page.goto("/")
    with page.expect_navigation():
        page.locator("table.assessments tr", has_text=TEACHER_ROUND).get_by_role("link").click()
    round_url = page.url
    expect(page.locator("main h1")).to_contain_text(TITLE)
    before = counts(page)
    page.get_by_label("Antal nya länkar").fill(str(how_many))
    with page.expect_navigation():
        page.get_by_role("button", name="Skapa länkar").click()
    return round_url, before


def wait_saved(page: Page, item: str) -> None:
    """Wait until the item's status says "Sparat" (polled each frame: quicker than ``expect``)."""
    page.wait_for_function(
        "id => document.getElementById(id).textContent === 'Sparat'",
        arg=f"status-{item}",
        polling="raf",
    )


def answer_area_with_autosave(page: Page, offset: int) -> int:
    """Click a level descriptor for every statement of the current area; how many there were."""
    fieldsets = page.locator("fieldset.item").all()
    for index, fieldset in enumerate(fieldsets):
        item = (fieldset.get_attribute("id") or "").removeprefix("item-")
        level = (index + offset) % 4 + 1
        with page.expect_response(lambda r: "/items/" in r.url) as saved:
            fieldset.locator(f"label[for='a-{item}-{level}']").click()
        assert saved.value.status == 200, saved.value.text()
        wait_saved(page, item)
    return len(fieldsets)


def test_teacher_answers_through_a_link(
    fresh_server: LiveServer, page: Page, new_context: Callable[..., BrowserContext]
) -> None:
    login(page, PRINCIPAL)
    round_url, (submitted, links_before) = create_links(page, 5)
    expect(page.locator("#links-heading")).to_have_text("5 nya länkar")
    links = page.locator("#links-text").input_value().split()
    assert len(links) == 5 and len(set(links)) == 5, links
    assert all(link.startswith(f"{fresh_server.base_url}/r/") for link in links), links
    assert counts(page) == (submitted, links_before + 5)
    check_axe(page, "individual-round")
    screenshot(page, "individual-round")

    # A teacher with JavaScript: a browser of their own, without any cookies.
    teacher_context = new_context()
    assert teacher_context.cookies() == []
    teacher = teacher_context.new_page()
    teacher.goto(links[0])
    expect(teacher.locator("main h1")).to_contain_text(TITLE)
    expect(teacher.locator("main .round-meta")).to_contain_text("dina svar är anonyma")
    expect(teacher.get_by_role("button", name="Logga ut")).to_have_count(0)
    expect(teacher.locator("#progress label")).to_have_text(f"Besvarat 0 av {ITEMS} påståenden")
    check_axe(teacher, "teacher-form")
    screenshot(teacher, "teacher-form")
    answered = 0
    for number, area in enumerate(AREAS):
        if number:
            teacher.locator("#area-tabs a", has_text=area).click()
        expect(teacher.locator("#area-tabs a[aria-current=page]")).to_contain_text(area)
        answered += answer_area_with_autosave(teacher, number)
        expect(teacher.locator("#progress label")).to_have_text(
            f"Besvarat {answered} av {ITEMS} påståenden"
        )
    assert answered == ITEMS
    teacher.get_by_role("link", name="Granska och skicka in").click()
    expect(teacher.locator("main .notice.ok")).to_have_text("Alla påståenden är besvarade.")
    expect(teacher.locator("#national-notice")).to_have_count(0)
    check_axe(teacher, "teacher-submit")
    with teacher.expect_navigation():
        teacher.get_by_role("button", name="Skicka in").click()
    assert teacher.url == links[0], teacher.url
    expect(teacher.locator("main h1"), COMMIT_RACE).to_have_text("Tack för dina svar!")
    expect(teacher.locator("main")).to_contain_text(TITLE)
    check_axe(teacher, "teacher-thanks")
    screenshot(teacher, "teacher-thanks")
    teacher.reload()  # the link is used up: no form any more
    expect(teacher.locator("main h1")).to_have_text("Tack för dina svar!")
    expect(teacher.locator("fieldset.item")).to_have_count(0)

    # A second teacher, without JavaScript: one plain form per area with a save button.
    plain = new_context(javascript=False).new_page()
    plain.goto(links[1])
    expect(plain.locator("#progress label")).to_have_text(f"Besvarat 0 av {ITEMS} påståenden")
    for number, area in enumerate(AREAS):
        expect(plain.locator("#area-tabs a[aria-current=page]")).to_contain_text(area)
        for index, fieldset in enumerate(plain.locator("fieldset.item").all()):
            item = (fieldset.get_attribute("id") or "").removeprefix("item-")
            fieldset.locator(f"label[for='a-{item}-{(index + number) % 4 + 1}']").click()
        last = number == len(AREAS) - 1
        button = "Spara" if last else "Spara och gå till nästa område"
        with plain.expect_navigation():
            plain.get_by_role("button", name=button, exact=True).click()
        expect(plain.locator("main .notice.ok[role=status]")).to_have_text("Svaren är sparade.")
    expect(plain.locator("#progress label"), COMMIT_RACE).to_have_text(
        f"Besvarat {ITEMS} av {ITEMS} påståenden"
    )
    plain.get_by_role("link", name="Granska och skicka in").click()
    expect(plain.locator("main .notice.ok")).to_have_text("Alla påståenden är besvarade.")
    with plain.expect_navigation():
        plain.get_by_role("button", name="Skicka in").click()
    expect(plain.locator("main h1"), COMMIT_RACE).to_have_text("Tack för dina svar!")

    # The principal's page counts two more submissions (numbers only, no names).
    page.goto(round_url)
    assert counts(page) == (submitted + 2, links_before + 5)


def test_principal_ends_the_collection_and_the_result_is_released(
    page: Page, fresh_server: object
) -> None:
    """Kvarnbackaskolan still collects in the demo: nothing is shown until the principal ends the
    collection; then the teachers who answered are released as one batch (at least k)."""
    login(page, "principal@example.org")
    page.goto("/")
    with page.expect_navigation():
        page.locator("table.assessments tr", has_text=TEACHER_ROUND).get_by_role("link").click()
    expect(page.locator("#collection-state")).to_contain_text("Insamlingen pågår")
    expect(page.get_by_role("link", name="Visa resultatet")).to_have_count(0)
    check_axe(page, "teacher-collection-open")
    submitted = counts(page)[0]
    with page.expect_navigation():
        page.get_by_role("button", name="Avsluta insamlingen och släpp resultatet").click()
    expect(page.locator("#collection-state")).to_contain_text("Insamlingen är avslutad")
    expect(page.locator("#collection-state")).to_contain_text(f"Släppta svar: {submitted}")
    check_axe(page, "teacher-collection-closed")
    screenshot(page, "teacher-collection-closed")
    with page.expect_navigation():
        page.get_by_role("link", name="Visa resultatet").click()
    expect(page.locator("table.results").first).to_contain_text(str(submitted))
