"""Benchmark the organiser's view on PostgreSQL: ``/api/v1/rounds/{id}/results`` and the heat map.

Builds, in a database of its own (created here and dropped at the end), the demo world scaled
up (survey/demo/'s generator): the demo organiser with 150 units (132 schools, Kvarnbacka-
skolan, Komvux and 16 preschools), two rounds of the school questionnaire a year apart and a
teacher round with about 4,000 respondents, next to the rest of the demo country.

Timing is in-process: the ASGI app is called through Starlette's TestClient, and an ASGI
middleware around the app measures server time per request, from the call of the app until the
last byte of the response is handed to the server (routing, dependencies, session lookup,
database, statistics, JSON/HTML rendering; no network, no HTTP parsing). The client-side wall
time of the same requests is printed as well. A bare FastAPI endpoint returning a small JSON,
wrapped and called the same way, is the baseline.

    SURVEY_BENCH_POSTGRES_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        .venv/bin/python bench/bench_organiser.py [--requests 40] [--keep]

The URL names the server (and a database to connect to for CREATE/DROP DATABASE); the
benchmark database is ``survey_bench_org_<random>``, nothing else is touched.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SCHOOL_ROUND = "Självvärdering skolor VT 2026"
TEACHER_ROUND = "Lärarenkät HT 2026"
TARGET_P95_MS = 200.0


class ServerTimer:
    """ASGI middleware: seconds from the app being called to the last response body chunk."""

    def __init__(self, app: Any):
        self.app = app
        self.times: list[float] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed_send(message: Any) -> None:
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.times.append(time.perf_counter() - start)

        await self.app(scope, receive, timed_send)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def create_database(admin_url: str) -> str:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"survey_bench_org_{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    assert name and name.startswith("survey_bench_org_")
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def build(url: str, teachers: tuple[int, int]) -> dict[str, Any]:
    """The scaled demo world; returns the round ids and counts."""
    from sqlalchemy import func
    from sqlmodel import Session, select

    from survey.db import make_engine
    from survey.demo import DemoScale, build_demo
    from survey.migrate import upgrade
    from survey.models import Answer, Assessment, Respondent, Round, Unit

    upgrade(url)
    scale = DemoScale(
        demo_organiser_schools=132, demo_organiser_preschools=16, teachers_per_unit=teachers
    )
    engine = make_engine(url)
    with Session(engine) as session:
        build_demo(session, scale=scale, progress=False)
        session.commit()
    with engine.connect() as connection:  # what autovacuum does soon after a bulk load
        connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    with Session(engine) as session:
        rounds = {r.title: r for r in session.exec(select(Round))}
        school, teacher = rounds[SCHOOL_ROUND], rounds[TEACHER_ROUND]
        organiser = session.get(Unit, school.owner_unit_id)
        assert organiser is not None

        def count(query: Any) -> int:
            return int(session.exec(query).one())

        facts = {
            "school_round": school.id,
            "teacher_round": teacher.id,
            "organiser": organiser.name,
            "organiser_units": count(
                select(func.count()).select_from(Unit).where(Unit.parent_id == organiser.id)
            ),
            "school_rounds": sum(
                1
                for r in rounds.values()
                if r.owner_unit_id == organiser.id and r.title.startswith("Självvärdering skolor")
            ),  # fmt: skip
            "school_round_units": count(
                select(func.count()).select_from(Assessment).where(Assessment.round_id == school.id)
            ),
            "teacher_round_units": count(
                select(func.count())
                .select_from(Assessment)
                .where(Assessment.round_id == teacher.id)
            ),
            "teachers": count(
                select(func.count())
                .select_from(Respondent)
                .join(Assessment, Assessment.id == Respondent.assessment_id)
                .where(Assessment.round_id == teacher.id, Respondent.token_hash.is_not(None))  # type: ignore[union-attr]
            ),
            "teachers_submitted": count(
                select(func.count())
                .select_from(Respondent)
                .join(Assessment, Assessment.id == Respondent.assessment_id)
                .where(Assessment.round_id == teacher.id, Respondent.state == "submitted")
            ),
            "answers": count(select(func.count()).select_from(Answer)),
        }
    engine.dispose()
    return facts


def sign_in(client: Any, email: str, password: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.text)
    assert token, "no CSRF token on /login"
    response = client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token.group(1), "next": "/"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[:500]


def measure(
    client: Any, timer: ServerTimer, path: str, n: int, check: Callable[[Any], None]
) -> dict[str, Any]:
    timer.times.clear()
    start = time.perf_counter()
    first = client.get(path)
    cold = time.perf_counter() - start
    check(first)
    for _ in range(3):  # warm-up
        client.get(path)
    timer.times.clear()
    walls, cpus = [], []
    size = 0
    for _ in range(n):
        start, cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
        check(response)
        size = len(response.content)
    server = list(timer.times)
    assert len(server) == n, (len(server), n)
    return {
        "path": path,
        "n": n,
        "cold_ms": cold * 1000,
        "p50_ms": percentile(server, 0.5) * 1000,
        "p95_ms": percentile(server, 0.95) * 1000,
        "max_ms": max(server) * 1000,
        "wall_p50_ms": percentile(walls, 0.5) * 1000,
        "wall_p95_ms": percentile(walls, 0.95) * 1000,
        "cpu_p50_ms": percentile(cpus, 0.5) * 1000,
        "bytes": size,
    }


def ok(response: Any) -> None:
    assert response.status_code == 200, (response.status_code, response.text[:300])


def run(url: str, n: int) -> list[tuple[str, dict[str, Any] | None]]:
    from fastapi import FastAPI
    from fastapi.routing import APIRoute
    from fastapi.testclient import TestClient

    from survey.config import Settings
    from survey.demo import DEMO_PASSWORD
    from survey.web.app import create_app

    settings = Settings(database_url=url, cookie_secure=True)
    app = create_app(settings)
    inner = app
    while not hasattr(inner, "routes") and hasattr(inner, "app"):  # through the ASGI middlewares
        inner = inner.app
    paths: set[str] = set()

    def walk(routes: Any, prefix: str) -> None:  # included routers are kept as wrappers
        for route in routes:
            original = getattr(route, "original_router", None)
            if original is not None:
                walk(original.routes, prefix + route.include_context.prefix)
            elif isinstance(route, APIRoute):
                paths.add(prefix + route.path)

    walk(inner.routes, "")
    timer = ServerTimer(app)

    bare = FastAPI()

    @bare.get("/ping")
    def ping() -> dict[str, object]:
        return {"ok": True, "service": "survey", "n": 1}

    bare_timer = ServerTimer(bare)
    rows: list[tuple[str, dict[str, Any] | None]] = []
    with (
        TestClient(timer, base_url="https://testserver") as client,  # type: ignore[arg-type]
        TestClient(bare_timer, base_url="https://testserver") as bare_client,  # type: ignore[arg-type]
    ):
        sign_in(client, "strategist@example.org", DEMO_PASSWORD)
        rounds = BUILT["facts"]
        rows.append(
            ("bare FastAPI endpoint (/ping)", measure(bare_client, bare_timer, "/ping", n, ok))
        )
        for label, round_id in (
            ("results, school round", rounds["school_round"]),
            ("results, teacher round", rounds["teacher_round"]),
        ):
            path = f"/api/v1/rounds/{round_id}/results"
            rows.append((f"{label} ({path})", measure(client, timer, path, n, ok)))
        heatmap = next((p for p in paths if re.fullmatch(r"/rounds/\{[a-z_]+\}/heatmap", p)), None)
        for label, round_id in (
            ("heat map, school round", rounds["school_round"]),
            ("heat map, teacher round", rounds["teacher_round"]),
        ):
            if heatmap is None:
                rows.append((f"{label}: /rounds/{{id}}/heatmap does not exist (skipped)", None))
                continue
            path = re.sub(r"\{[a-z_]+\}", str(round_id), heatmap)
            rows.append((f"{label} ({path})", measure(client, timer, path, n, ok)))
    return rows


BUILT: dict[str, Any] = {}


def report(rows: list[tuple[str, dict[str, Any] | None]], facts: dict[str, Any]) -> bool:
    base = rows[0][1]
    assert base is not None
    print()
    print(
        f"organiser {facts['organiser']}: {facts['organiser_units']} units; "
        f"{facts['school_rounds']} school rounds ({facts['school_round_units']} units each); "
        f"teacher round: {facts['teacher_round_units']} units, {facts['teachers']:,} respondents "
        f"({facts['teachers_submitted']:,} submitted); {facts['answers']:,} answers in the database"
    )
    print(
        f"server time per request in-process (ASGI middleware), {base['n']} requests each after "
        "3 warm-up requests; PostgreSQL"
    )
    print()
    header = (
        f"{'endpoint':<58} {'p50 ms':>8} {'p95 ms':>8} {'x bare p50':>10} {'x bare p95':>10} "
        f"{'cold ms':>8} {'wall p95':>8} {'CPU p50':>8} {'bytes':>9}"
    )
    print(header)
    print("-" * len(header))
    met = True
    for label, r in rows:
        if r is None:
            print(f"{label}")
            continue
        print(
            f"{label:<58} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} "
            f"{r['p50_ms'] / base['p50_ms']:>10.0f} {r['p95_ms'] / base['p95_ms']:>10.0f} "
            f"{r['cold_ms']:>8.1f} {r['wall_p95_ms']:>8.1f} {r['cpu_p50_ms']:>8.1f} "
            f"{r['bytes']:>9,}"
        )
        if r is not base and r["p95_ms"] >= TARGET_P95_MS:
            met = False
    print()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average after the run (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")
    print(f"target p95 < {TARGET_P95_MS:.0f} ms: {'met' if met else 'NOT met'}")
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=40, help="timed requests per endpoint")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument(
        "--teachers", type=int, nargs=2, default=(21, 34), metavar=("LOW", "HIGH"),
        help="teachers per unit (uniform): 150 units x 27.5, about 4,000 submitted",
    )  # fmt: skip
    args = parser.parse_args()
    admin_url = os.environ.get("SURVEY_BENCH_POSTGRES_URL", DEFAULT_URL)
    print(
        f"python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, {platform.platform()}"
    )
    url = create_database(admin_url)
    try:
        start = time.perf_counter()
        BUILT["facts"] = build(url, tuple(args.teachers))  # type: ignore[arg-type]
        print(f"built the data set in {time.perf_counter() - start:.0f} s")
        rows = run(url, args.requests)
        met = report(rows, BUILT["facts"])
    finally:
        if args.keep:
            print(f"kept {url}")
        else:
            from survey.db import dispose_engines

            dispose_engines()
            drop_database(admin_url, url)
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
