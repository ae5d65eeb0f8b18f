"""The public pages in a real browser: language, skip link by keyboard, axe, screenshots."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import check_axe, screenshot

PUBLIC_PAGES = [
    pytest.param("/", "sv", "Digital självvärdering", id="start-sv"),
    pytest.param("/?lang=en", "en", "Digital self-assessment", id="start-en"),
    pytest.param("/login", "sv", "Logga in", id="login-sv"),
]


@pytest.mark.parametrize(("path", "lang", "heading"), PUBLIC_PAGES)
def test_public_page(
    page: Page, path: str, lang: str, heading: str, request: pytest.FixtureRequest
) -> None:
    name = request.node.callspec.id
    response = page.goto(path)
    assert response is not None and response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("main h1")).to_have_text(heading)

    check_axe(page, name)
    screenshot(page, name)

    # The first Tab from the top reaches the skip link, which then shows on screen; Enter on it
    # moves focus to the main content.
    skip = page.locator("a.skip-link")
    expect(skip).not_to_be_in_viewport()
    page.keyboard.press("Tab")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


def test_sign_in_form_without_javascript(page_nojs: Page) -> None:
    response = page_nojs.goto("/login")
    assert response is not None and response.status == 200
    form = page_nojs.locator("main form")
    expect(form).to_have_attribute("method", "post")
    expect(page_nojs.get_by_label("E-postadress")).to_have_attribute("type", "email")
    expect(page_nojs.get_by_label("Lösenord")).to_have_attribute("type", "password")
    expect(form.locator("button[type=submit]")).to_be_visible()
    check_axe(page_nojs, "login-sv-nojs")
    screenshot(page_nojs, "login-sv-nojs")


def test_api_documentation_runs_under_the_apps_own_policy(page: Page) -> None:
    """/docs: Swagger UI from the vendored files, under the same Content-Security-Policy as every
    page (no CDN, no inline script); the operations of the API are listed."""
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    response = page.goto("/docs")
    assert response is not None and response.status == 200
    assert "script-src 'self';" in response.headers["content-security-policy"]
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator("#swagger-ui")).to_contain_text("/api/v1/rounds")
    assert all(url.startswith(page.url.split("/docs")[0]) for url in requests), requests
    assert violations == [], violations
    screenshot(page, "api-docs")
