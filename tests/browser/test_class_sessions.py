"""Pupils answering in a class session, in a real browser (issue 18): the principal opens a session
on the teacher round's page and reads the code from the board page (axe-clean, with its QR code); a
pupil in a browser of their own enters the code at /elev, answers, reloads and resumes on the same
device, and submits."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import BrowserContext, Page, expect

from tests.browser.conftest import LiveServer, check_axe, login, screenshot
from tests.browser.test_principal import COMMIT_RACE
from tests.browser.test_teacher import (
    AREAS,
    ITEMS,
    PRINCIPAL,
    TEACHER_ROUND,
    TITLE,
    answer_area_with_autosave,
)


def test_pupil_answers_in_a_class_session(
    fresh_server: LiveServer, page: Page, new_context: Callable[..., BrowserContext]
) -> None:
    login(page, PRINCIPAL)
    page.goto("/")
    with page.expect_navigation():
        page.locator("table.assessments tr", has_text=TEACHER_ROUND).get_by_role("link").click()
    round_url = page.url
    page.get_by_label("Klass eller grupp").fill("7B")
    page.get_by_label("Giltig i minuter (högst 600)").fill("45")
    page.get_by_label("Antal elever (1–40)").fill("25")
    with page.expect_navigation():
        page.get_by_role("button", name="Öppna klasstillfälle").click()
    expect(page.locator("main h1")).to_contain_text("7B")
    code = page.locator("#class-code").inner_text().strip()
    assert len(code) == 6, code
    expect(page.locator("#class-qr svg")).to_have_count(1)
    expect(page.locator("#class-url")).to_have_text(f"{fresh_server.base_url}/elev/{code}")
    expect(page.locator("#class-counts")).to_contain_text("0 av 25 elever")
    check_axe(page, "class-session")
    screenshot(page, "class-session")

    pupil_context = new_context()
    pupil = pupil_context.new_page()
    pupil.goto("/elev")
    check_axe(pupil, "pupil-code")
    pupil.get_by_label("Kod").fill(code.lower())
    with pupil.expect_navigation():
        pupil.get_by_role("button", name="Fortsätt").click()
    expect(pupil.locator("main h1")).to_contain_text("7B")
    check_axe(pupil, "pupil-start")
    with pupil.expect_navigation():
        pupil.get_by_role("button", name="Börja svara").click()
    expect(pupil.locator("main h1")).to_contain_text(TITLE)
    expect(pupil.get_by_role("button", name="Logga ut")).to_have_count(0)
    check_axe(pupil, "pupil-form")
    answered = answer_area_with_autosave(pupil, 0)
    pupil.reload()  # the same device resumes: the answers are there
    expect(pupil.locator("#progress label")).to_have_text(
        f"Besvarat {answered} av {ITEMS} påståenden"
    )
    pupil.goto(f"/elev/{code}")  # and by the QR code's address too
    expect(pupil.locator("#progress label")).to_have_text(
        f"Besvarat {answered} av {ITEMS} påståenden"
    )
    for number, area in enumerate(AREAS[1:], start=1):
        pupil.locator("#area-tabs a", has_text=area).click()
        expect(pupil.locator("#area-tabs a[aria-current=page]")).to_contain_text(area)
        answered += answer_area_with_autosave(pupil, number)
    assert answered == ITEMS
    pupil.get_by_role("link", name="Granska och skicka in").click()
    with pupil.expect_navigation():
        pupil.get_by_role("button", name="Skicka in").click()
    expect(pupil.locator("main h1"), COMMIT_RACE).to_have_text("Tack för dina svar!")
    pupil.reload()
    expect(pupil.locator("fieldset.item")).to_have_count(0)

    page.goto(round_url)
    expect(page.locator("#class-list")).to_contain_text("1 av 25 elever")
    check_axe(page, "individual-round-classes")
