"""End-to-end fixtures: a real headless Chromium (Debian's package, driven by Playwright) against the
app served by uvicorn on a demo database.

Which server to use:

- ``live_server`` (session): one server on one demo database for the whole run. The default for
  ``base_url``, ``page`` and ``page_nojs``; fine for reading, and for writes that other tests do
  not look at.
- ``fresh_server`` (function): its own server on a pristine copy of the demo database. Request it in
  a test that writes and then asserts on what it wrote (or needs data nobody else has touched);
  ``base_url``, ``page`` and ``page_nojs`` then point at it. Costs a few tenths of a second.

The demo database is built once per run (about 5 s) and copied for every server.

Chromium comes from ``SURVEY_TEST_CHROMIUM`` (default ``/usr/bin/chromium``); browsers are never
downloaded. When it is missing or will not start, the browser tests are skipped with the reason, or
fail when ``CI`` is set.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, Response, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from sqlmodel import Session

from survey.config import Settings
from survey.db import make_engine
from survey.demo import DEMO_PASSWORD, DemoScale, build_demo
from survey.migrate import upgrade
from survey.web.app import create_app

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
AXE = ROOT / "tests" / "vendor" / "axe-core-4.14.1.min.js"
ARTIFACTS = ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
CHROMIUM = os.environ.get("SURVEY_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = bool(os.environ.get("CI"))
LOCALE = "sv-SE"
TIMEOUT_MS = 10_000
BLOCKING_IMPACTS = ("serious", "critical")
NO_TIMERS = """() => {
  window.setTimeout = (fn, _ms, ...args) => { Promise.resolve().then(() => fn(...args)); return 0; };
  window.clearTimeout = () => {};
}"""


@pytest.hookimpl(tryfirst=True)  # before -m selects on markers
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder is a browser test (``-m "not browser"`` leaves them out)."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str) -> NoReturn:
    if IN_CI:
        pytest.fail(f"{reason} (CI is set: browser tests must run)", pytrace=False)
    pytest.skip(reason)


# --- Chromium -------------------------------------------------------------------------------------


def _launch_failure(exc: PlaywrightError) -> str:
    """The gist of a failed launch: the error, Chromium's own stderr and how it exited."""
    lines = exc.message.splitlines()
    details = [line.strip(" -") for line in lines if "[err]" in line or "process did exit" in line]
    return "; ".join(dict.fromkeys([lines[0], *details[-6:]]))


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """The headless Chromium for the whole run."""
    executable = shutil.which(CHROMIUM)
    if executable is None:
        _unavailable(
            f"Chromium not found at {CHROMIUM!r} (install Debian's chromium package, "
            "or point SURVEY_TEST_CHROMIUM at a Chromium binary)"
        )
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS, headless=True, timeout=30_000
            )
        except PlaywrightError as exc:
            _unavailable(f"Chromium at {executable} did not start: {_launch_failure(exc)}")
        yield chromium
        chromium.close()


# --- The app under test ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveServer:
    base_url: str
    database_url: str


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the demo world; a template only, copied for every server."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            build_demo(session, scale=DemoScale(), progress=False)
            session.commit()
    finally:
        engine.dispose()
    return path


def _copy_database(source: Path, target: Path) -> str:
    # The backup API copies a consistent snapshot whatever is still in the WAL.
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)
    return f"sqlite:///{target}"


def _wait_until_healthy(base_url: str, server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + 20
    while True:
        if not thread.is_alive():
            raise RuntimeError("the test server stopped during start-up (see the captured log)")
        if server.started:
            try:
                with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"the test server at {base_url} did not answer /healthz in 20 s")
        time.sleep(0.02)


@contextmanager
def serve(database_url: str, *, port: int = 0, **settings: Any) -> Iterator[LiveServer]:
    """Serve the app on ``database_url`` at a free 127.0.0.1 port (or ``port``) in a background
    thread; ``settings``: more of the app's settings (e.g. ``oidc_providers``)."""
    app = create_app(
        Settings(database_url=database_url, cookie_secure=False, gc_freeze=False, **settings)
    )
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,  # 0: the OS picks a free port; read back below
        lifespan="on",
        log_config=None,  # leave logging to pytest
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=5,
    )
    # uvicorn installs signal handlers only in the main thread, so none are installed here.
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-test-server", daemon=True)
    thread.start()
    try:
        while not server.started and thread.is_alive():
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1] if server.started else 0
        base_url = f"http://127.0.0.1:{port}"
        _wait_until_healthy(base_url, server, thread)
        yield LiveServer(base_url=base_url, database_url=database_url)
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        if thread.is_alive():
            raise RuntimeError("the test server did not stop within 15 s")


@pytest.fixture(scope="session")
def live_server(
    demo_database: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """One server for the whole run, on its own copy of the demo database (shared by tests)."""
    url = _copy_database(demo_database, tmp_path_factory.mktemp("live") / "live.db")
    with serve(url) as server:
        yield server


@pytest.fixture
def fresh_server(demo_database: Path, tmp_path: Path) -> Iterator[LiveServer]:
    """A server of this test's own, on a pristine copy of the demo database."""
    with serve(_copy_database(demo_database, tmp_path / "fresh.db")) as server:
        yield server


@pytest.fixture
def server(request: pytest.FixtureRequest) -> LiveServer:
    """``fresh_server`` when the test asked for it, else the shared ``live_server``."""
    name = "fresh_server" if "fresh_server" in request.fixturenames else "live_server"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


@pytest.fixture
def base_url(server: LiveServer) -> str:
    """``http://127.0.0.1:PORT`` of the server this test talks to; pages resolve paths against it."""
    return server.base_url


# --- Pages ----------------------------------------------------------------------------------------


@pytest.fixture
def new_context(browser: Browser, base_url: str) -> Iterator[Callable[..., BrowserContext]]:
    """Factory for browser contexts (separate cookie jars: two users at once), closed afterwards.

    ``new_context(javascript=False, **playwright_options)``. CSP is bypassed only so that axe can
    be injected; the app's CSP itself is checked in tests/web.
    """
    contexts: list[BrowserContext] = []

    def make(*, javascript: bool = True, **options: Any) -> BrowserContext:
        context = browser.new_context(
            base_url=base_url,
            locale=LOCALE,
            java_script_enabled=javascript,
            bypass_csp=True,
            **options,
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    """A page with JavaScript on (htmx active); ``page.goto("/path")`` is relative to the server."""
    return new_context().new_page()


@pytest.fixture
def page_nojs(new_context: Callable[..., BrowserContext]) -> Page:
    """A page with JavaScript off: the plain-form path every feature must also support."""
    return new_context(javascript=False).new_page()


# --- Helpers (import them: ``from tests.browser.conftest import check_axe, login, screenshot``) ---


def check_axe(page: Page, name: str) -> None:
    """Run axe-core on the page as it is now; fail listing every serious or critical violation.

    The full result is written to ``test-artifacts/axe/NAME.json``. Works on ``page_nojs`` too.
    """
    if page.evaluate("() => typeof window.axe") == "undefined":
        page.add_script_tag(path=AXE)
    if page.evaluate("() => typeof window.axe") == "undefined":
        # JavaScript is off: the script tag did not run, but the driver can still evaluate axe.
        # Timers (and queueMicrotask) never fire in such a page, and axe yields with setTimeout;
        # promise callbacks do run.
        page.evaluate("() => {\n" + AXE.read_text(encoding="utf-8") + "\n}")
        page.evaluate(NO_TIMERS)
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    (ARTIFACTS / "axe").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe" / f"{name}.json").write_text(
        json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    problems = [v for v in results["violations"] if v["impact"] in BLOCKING_IMPACTS]
    lines = []
    for violation in problems:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.extend(f"    {', '.join(map(str, node['target']))}" for node in violation["nodes"])
    if problems:
        pytest.fail(f"axe on {name} ({page.url}):\n" + "\n".join(lines))


def screenshot(page: Page, name: str) -> Path:
    """Save a full-page PNG to ``test-artifacts/screenshots/NAME.png`` and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page: Page, email: str, password: str = DEMO_PASSWORD) -> Response | None:
    """Sign in through the form at /login; fails when the page shows a sign-in error."""
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    error = page.locator("main .error[role=alert]")
    if error.count():
        pytest.fail(f"sign-in as {email} failed: {error.first.inner_text()}")
    return navigation.value
