"""Unit administration in a real browser: the demo administrator uploads the example register file,
sees the preview (axe), accepts it; the units page with search (axe); the demo strategist's
preview of the same file names the units outside Uppsala kommun."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, check_axe, login, screenshot

EXAMPLE = Path(__file__).parents[2] / "survey/demo/examples/skolenhetsregistret-example.json"


def upload(page: Page) -> None:
    page.goto("/admin/units/import")
    check_axe(page, "admin-import")
    page.get_by_label("Skolenhetsregistret (JSON, Skolverkets API v2)").check()
    page.set_input_files("#file", str(EXAMPLE))
    with page.expect_navigation():
        page.get_by_role("button", name="Förhandsvisa").click()


def test_admin_imports_the_example_register(page: Page, fresh_server: LiveServer) -> None:
    login(page, "admin@example.org")
    expect(page.get_by_role("link", name="Importera enheter")).to_be_visible()
    upload(page)
    expect(page.locator("#preview h2")).to_contain_text("Förhandsvisning")
    expect(page.locator("#import-warnings")).to_contain_text("OPPFTH")
    expect(page.locator("table.import-preview")).to_contain_text("Gränbyskolan")
    check_axe(page, "admin-import-preview")
    screenshot(page, "admin-import-preview")
    with page.expect_navigation():
        page.get_by_role("button", name="Importera", exact=True).click()
    expect(page.locator("#import-done")).to_contain_text("skolenhetsregistret-example.json")

    page.goto("/admin/units?q=Gränby")
    expect(page.locator("table.units")).to_contain_text("Gränbyskolan")
    check_axe(page, "admin-units")
    page.get_by_role("link", name="Gränbyskolan").click()
    expect(page.locator("main h1")).to_have_text("Gränbyskolan")
    check_axe(page, "admin-unit")


def test_strategist_preview_names_units_outside(page: Page, fresh_server: LiveServer) -> None:
    login(page, "strategist@example.org")
    upload(page)
    expect(page.locator("#import-problems")).to_contain_text("utanför din del av trädet")
    expect(page.get_by_role("button", name="Importera", exact=True)).to_have_count(0)
    check_axe(page, "admin-import-preview-problems")
