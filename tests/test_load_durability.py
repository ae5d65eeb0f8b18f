"""Autosave through the real server (``survey serve``, uvicorn, its own processes): many clients at
once, and a server killed with SIGKILL in the middle of them (issue 14).

The promise under test (docs/architecture.md, "How a request flows"): an answer acknowledged
to the browser is committed, and a crash never loses it. Nothing here is timed; the clients are
the benchmark's (``bench/autosave_load.py``: htmx's request, the session cookie, the CSRF
header, one save after another per client), the world is the benchmark's (a school, a principal
and a signed-in session per client).
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from typing import Any

import pytest

from bench.autosave_load import run_load
from bench.bench_autosave import build, check_acks, free_port, start, stop

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SURVEY = os.path.join(ROOT, ".venv", "bin", "survey")


def run_in_own_loop(spec: dict[str, Any]) -> dict[str, Any]:
    """The load runs on an event loop of its own, in a thread: another test's browser session
    (Playwright's sync API) may hold the main thread's loop."""
    result: dict[str, Any] = {}

    def target() -> None:
        result.update(asyncio.run(run_load(spec)))

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    return result


def _serve(url: str, workers: int) -> tuple[Any, int]:
    port = free_port()
    env = {**os.environ, "SURVEY_DATABASE_URL": url, "SURVEY_COOKIE_SECURE": "false"}
    command = [SURVEY, "serve", "--workers", str(workers), "--port", str(port)]
    return start(command, env, port, "/healthz"), port


def _statuses(results: list[Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for _, _, status in results:
        out[str(status)] = out.get(str(status), 0) + 1
    return out


@pytest.mark.parametrize(
    ("db_url", "workers"),
    [pytest.param("postgres", 2, marks=pytest.mark.postgres), ("sqlite", 1)],
    indirect=["db_url"],
)
def test_a_hundred_clients_save_at_once_and_every_acknowledged_answer_is_stored(
    db_url: str, workers: int
) -> None:
    """PostgreSQL with two workers, and SQLite as `make demo` serves it (one worker, writes
    queued by BEGIN IMMEDIATE and the busy timeout): no 5xx, no connection error."""
    clients = build(db_url, 100)
    server, port = _serve(db_url, workers=workers)
    try:
        spec = {"clients": clients, "port": port, "mode": "app", "seconds": 120.0, "warmup": 0.0,
                "saves": 5}  # fmt: skip
        done = run_in_own_loop(spec)
    finally:
        stop(server)
    statuses = _statuses(done["results"])
    assert statuses == {"200": 500}, statuses  # no 5xx, no connection error, nothing else
    checked, wrong = check_acks(db_url, done["acks"])
    assert wrong == 0 and checked > 0


@pytest.mark.parametrize(
    ("db_url", "workers"),
    [("sqlite", 1), pytest.param("postgres", 2, marks=pytest.mark.postgres)],
    indirect=["db_url"],
)
def test_acknowledged_answers_survive_a_killed_server(db_url: str, workers: int) -> None:
    """SIGKILL the server's whole process group while 40 clients save; every save acknowledged
    before the kill is in the database afterwards with its acknowledged value (or a later
    acknowledged one), read by a freshly started server's database."""
    clients = build(db_url, 40)
    server, port = _serve(db_url, workers=workers)
    outcome: dict[str, Any] = {}

    def clients_run() -> None:
        spec = {"clients": clients, "port": port, "mode": "app", "seconds": 6.0, "warmup": 0.0}
        outcome.update(asyncio.run(run_load(spec)))  # its own thread, its own loop

    load = threading.Thread(target=clients_run)
    load.start()
    time.sleep(2.5)  # the clients are saving
    os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=10)
    load.join(timeout=120)
    acks = outcome["acks"]
    assert sum(1 for *_, acked in acks if acked) > 40, "the clients had saved before the kill"
    errors = [s for _, _, s in outcome["results"] if s != 200]
    assert errors, "the kill interrupted the clients"
    again, _ = _serve(db_url, workers=workers)  # the server starts again on the same database
    try:
        checked, wrong = check_acks(db_url, acks)
    finally:
        stop(again)
    assert wrong == 0, f"{wrong} of {checked} acknowledged answers lost or changed"
