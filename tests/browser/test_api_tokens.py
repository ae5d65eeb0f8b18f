"""API tokens in a real browser: the page from the header, accessible (axe) empty and with a new
token shown once, the copy button with JavaScript (none without), the token working on the API, and
revoking it."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, check_axe, login, screenshot

PRINCIPAL = "principal@example.org"


def _create(page: Page, name: str, *, write: bool = False) -> str:
    page.fill("#f-name", name)
    if write:
        page.check("#scope-write")
    with page.expect_navigation():
        page.get_by_role("button", name="Skapa API-nyckel").click()
    field = page.locator("#new-token")
    expect(field).to_be_visible()
    secret = field.input_value()
    assert secret.startswith("svy_") and len(secret) == 47
    return secret


def test_create_use_and_revoke_a_token(page: Page, fresh_server: LiveServer) -> None:
    login(page, PRINCIPAL)
    page.get_by_role("link", name="API-nycklar").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API-nycklar")
    expect(page.locator("main")).to_contain_text("Du har inga API-nycklar.")
    check_axe(page, "api-tokens-empty")
    secret = _create(page, "Power BI")
    expect(page.locator("[data-copy=new-token]")).to_be_visible()  # JavaScript shows the button
    expect(page.locator("tr[data-state=active]")).to_contain_text("Power BI")
    expect(page.locator("tr[data-state=active]")).to_contain_text(secret[:12])
    check_axe(page, "api-tokens-created")
    screenshot(page, "api-tokens-created")
    api = f"{fresh_server.base_url}/api/v1/me"
    me = httpx.get(api, headers={"Authorization": f"Bearer {secret}"})
    assert me.status_code == 200 and me.json()["email"] == PRINCIPAL
    page.reload()  # the token is never shown again
    expect(page.locator("#new-token")).to_have_count(0)
    assert secret not in page.content()
    with page.expect_navigation():
        page.get_by_role("button", name="Återkalla Power BI").click()
    expect(page.locator("tr[data-state=revoked]")).to_contain_text("Power BI")
    check_axe(page, "api-tokens-revoked")
    refused = httpx.get(api, headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 401 and refused.json()["detail"] == "API-nyckeln är återkallad."


def test_without_javascript_the_token_is_shown_in_a_field(
    page_nojs: Page, fresh_server: LiveServer
) -> None:
    login(page_nojs, PRINCIPAL)
    page_nojs.goto("/account/tokens")
    page_nojs.fill("#f-name", "")
    with page_nojs.expect_navigation():
        page_nojs.get_by_role("button", name="Skapa API-nyckel").click()
    expect(page_nojs.locator("#form-errors")).to_contain_text("Namn: ange ett namn")
    check_axe(page_nojs, "api-tokens-error-nojs")
    _create(page_nojs, "Skript", write=True)
    expect(page_nojs.locator("[data-copy=new-token]")).to_be_hidden()
    expect(page_nojs.locator("tr[data-state=active]")).to_contain_text("Läsa och skriva")
