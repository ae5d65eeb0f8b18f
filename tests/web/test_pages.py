"""The public pages: start page in Swedish and English, sign-in form, health, docs, headers."""

from __future__ import annotations

import shutil
from pathlib import Path

from bs4 import BeautifulSoup
from fastapi.testclient import TestClient

from survey.config import Settings
from survey.web.app import create_app


def soup(html: str) -> BeautifulSoup:
    return BeautifulSoup(html, "html.parser")


def test_start_page_is_swedish_by_default(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = soup(response.text)
    assert page.html["lang"] == "sv"
    assert page.select_one("h1").get_text(strip=True) == "Digital självvärdering"
    subgoals = [dt.get_text(" ", strip=True) for dt in page.select("dl.subgoals dt")]
    assert len(subgoals) == 9 and subgoals[0].startswith("FO 1.1")
    assert page.select_one('a[hreflang="en"]')["href"] == "?lang=en"


def test_language_switch_to_english_sticks(client: TestClient) -> None:
    response = client.get("/?lang=en")
    page = soup(response.text)
    assert page.html["lang"] == "en"
    assert page.select_one("h1").get_text(strip=True) == "Digital self-assessment"
    assert "Pupils' digital competence" in page.select_one("dl.subgoals").get_text()
    # The choice is remembered in a cookie for the next page.
    page = soup(client.get("/login").text)
    assert page.html["lang"] == "en"
    assert page.select_one('label[for="email"]').get_text(strip=True) == "E-mail address"


def test_login_form_has_labelled_fields(client: TestClient) -> None:
    page = soup(client.get("/login").text)
    form = page.select_one("main form")
    assert form["method"] == "post"
    for field in ("email", "password"):
        assert page.select_one(f'label[for="{field}"]') is not None
        assert form.select_one(f"input#{field}")["name"] == field


def test_healthz_checks_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_openapi_and_static(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    spec = client.get("/api/v1/openapi.json").json()
    assert "/healthz" in spec["paths"]
    css = client.get("/static/app.css")
    assert css.status_code == 200 and "text/css" in css.headers["content-type"]
    js = client.get("/static/vendor/htmx-2.0.11.min.js")
    assert js.status_code == 200 and "htmx" in js.text[:2000]


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/").headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["x-content-type-options"] == "nosniff"


def test_unknown_page_is_a_friendly_404(client: TestClient) -> None:
    response = client.get("/finns-inte")
    assert response.status_code == 404
    assert "Sidan finns inte." in soup(response.text).select_one("main").get_text()
    api = client.get("/api/v1/finns-inte")
    assert api.status_code == 404 and api.json()["detail"]


def test_malformed_questionnaire_is_skipped_not_fatal(settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "q"
    shutil.copytree(settings.questionnaire_dir, folder)
    (folder / "trasig.yaml").write_text("key: [oops\n", encoding="utf-8")
    app = create_app(settings.model_copy(update={"questionnaire_dir": folder}))
    with TestClient(app, base_url="https://testserver") as client:
        response = client.get("/")
    assert response.status_code == 200
    # Every valid questionnaire is still offered; the broken file is left out.
    assert "Självvärdering för skolenhet – digitalisering" in response.text
    assert "trasig" not in response.text


def test_start_up_freezes_long_lived_objects_unless_told_not_to(settings: Settings) -> None:
    """Served apps move their start-up objects out of the collector's reach (gc.freeze), so
    that full collections during requests do not rescan them; the setting turns it off."""
    import gc

    assert not settings.gc_freeze  # the suite's own setting (tests/conftest.py)
    before = gc.get_freeze_count()
    with TestClient(create_app(settings), base_url="https://testserver") as off:
        assert off.get("/healthz").status_code == 200
        assert gc.get_freeze_count() == before
    try:
        served = settings.model_copy(update={"gc_freeze": True})
        with TestClient(create_app(served), base_url="https://testserver") as on:
            assert on.get("/healthz").status_code == 200
            assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
    assert Settings().gc_freeze  # the default for `survey serve`
