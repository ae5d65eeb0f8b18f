"""Sign-in with the organisation's account in Chromium, against the real test OpenID provider
(tests/oidc): the button on the sign-in page, the provider's own sign-in and consent pages, and
back to the app signed in as the account with that address."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, _copy_database, check_axe, screenshot, serve


@pytest.fixture
def server(
    demo_database: Path, tmp_path: Path, oidc_provider, oidc_app_port: int
) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """A server of this test's own with the test provider configured, on the port the
    provider's client may come back to."""
    providers = [oidc_provider.settings("any", label="Testkommunens konto")]
    url = _copy_database(demo_database, tmp_path / "oidc.db")
    with serve(url, port=oidc_app_port, oidc_providers=providers) as live:
        yield live


def test_sign_in_with_the_organisations_account(page: Page, base_url: str) -> None:
    page.goto("/login")
    button = page.get_by_role("button", name="Logga in med Testkommunens konto")
    expect(button).to_be_visible()
    check_axe(page, "login-with-providers")
    button.click()
    # The provider's development sign-in page: any password; the login is the e-mail address.
    page.locator("input[name=login]").fill("principal@example.org")
    page.locator("input[name=password]").fill("whatever the provider asks")
    page.locator("button[type=submit]").click()
    page.locator("button[type=submit]").click()  # consent: "Continue"
    page.wait_for_url(f"{base_url}/")
    expect(page.get_by_text("Mina bedömningar")).to_be_visible()
    expect(page.get_by_text("Rektor Karin Lund")).to_be_visible()
    screenshot(page, "signed-in-with-provider")


def test_an_unknown_person_gets_the_invitation_page(page: Page, base_url: str) -> None:
    page.goto("/login")
    page.get_by_role("button", name="Logga in med Testkommunens konto").click()
    page.locator("input[name=login]").fill("stranger@example.org")
    page.locator("input[name=password]").fill("x")
    page.locator("button[type=submit]").click()
    page.locator("button[type=submit]").click()
    page.wait_for_url(f"{base_url}/login/oidc/any/callback*")
    expect(page.locator("#oidc-error")).to_contain_text("inget konto för stranger@example.org")
    expect(page.locator("#oidc-invitation")).to_contain_text("inbjudan")
    check_axe(page, "login-with-provider-no-account")
