"""Benchmark the national aggregates on PostgreSQL: ``/api/v1/national/rounds/{id}/aggregates``.

Creates a database of its own on the server of ``SURVEY_BENCH_POSTGRES_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``; that database is only used to CREATE and
DROP ``survey_bench_nat_<random>``), migrates it and loads the national data set of
``survey demo --national`` (survey/demo/national/: 21 regions, 290 organisers, 5,000 school
units, two national rounds of the school questionnaire, the organiser round and a teacher round
with about 100,000 respondents). Then, for the school round "Nationell uppföljning 2026" and the
teacher round "Nationell lärarenkät 2026", signed in as national staff:

- **release**: building and auditing the round's release while the data set is loaded (every
  breakdown of every scope, protected jointly:
  ``survey.services.national.publishing.create_release``);
  target under 2 minutes per release;
- **cold**: the first request after the process's cache of decoded releases is emptied — the
  release is read from the database and decoded; ``--cold`` times;
- **warm**: ``--requests`` requests per ``by`` (the nation, each dimension, two pairs), after
  3 warm-up requests: p50 and p95;
- **plain SELECT**: the inputs of the scores — the round's submitted answers, joined to their
  answer sets and assessments — fetched completely with psycopg in the same run (``--selects``
  times): what any computation over the round has to read at least once.

Timing is in-process: the ASGI app is called through Starlette's TestClient, and an ASGI
middleware around the app measures server time per request, from the call of the app until the
last byte of the response is handed over (routing, session check, database, publication, JSON;
no network, no HTTP parsing). The client-side wall time is printed too.

    .venv/bin/python bench/bench_national.py [--requests 30] [--cold 3] [--selects 5] [--keep]
    .venv/bin/python bench/bench_national.py --url postgresql+psycopg://…/existing  # no build
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ROUNDS = {"school": "Nationell uppföljning 2026", "teacher": "Nationell lärarenkät 2026"}
BREAKDOWNS = (
    "",
    "region",
    "organiser_type",
    "school_form",
    "organiser",
    "region,organiser_type",
    "school_form,organiser",
)
TARGET_P95_MS = 500.0
PREFIX = "survey_bench_nat_"


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

    name = f"{PREFIX}{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    assert name and name.startswith(PREFIX), name  # never anything but our own
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def build(url: str) -> tuple[float, list[dict[str, Any]]]:
    """Migrate and load the national data set (with its releases); seconds taken and the
    releases built (round, number, kind, units, seconds)."""
    from sqlmodel import Session

    from survey.db import make_engine
    from survey.demo.national import build_national
    from survey.migrate import upgrade

    start = time.perf_counter()
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        summary = build_national(session, progress=sys.stderr.isatty())
        session.commit()
    engine.dispose()
    return time.perf_counter() - start, summary["releases"]  # type: ignore[return-value]


def facts(url: str) -> dict[str, Any]:
    from sqlalchemy import func
    from sqlmodel import Session, col, select

    from survey.db import make_engine
    from survey.models import Answer, Assessment, Respondent, Round, Unit

    engine = make_engine(url)
    out: dict[str, Any] = {}
    with Session(engine) as session:

        def count(query: Any) -> int:
            return int(session.exec(query).one())

        kinds = dict(session.exec(select(Unit.kind, func.count()).group_by(Unit.kind)).all())
        out.update(regions=kinds.get("region", 0), organisers=kinds.get("organiser", 0))
        out["schools"] = kinds.get("school", 0)
        out["answers"] = count(select(func.count()).select_from(Answer))
        for key, title in ROUNDS.items():
            rnd = session.exec(select(Round).where(Round.title == title)).one()
            submitted = (
                select(func.count())
                .select_from(Answer)
                .join(Respondent, col(Respondent.id) == Answer.respondent_id)
                .join(Assessment, col(Assessment.id) == Respondent.assessment_id)
                .where(Assessment.round_id == rnd.id, col(Respondent.state) == "submitted")
            )
            out[key] = {
                "id": rnd.id,
                "title": title,
                "units": count(
                    select(func.count())
                    .select_from(Assessment)
                    .where(Assessment.round_id == rnd.id)
                ),
                "submitted_sets": count(
                    select(func.count())
                    .select_from(Respondent)
                    .join(Assessment, col(Assessment.id) == Respondent.assessment_id)
                    .where(Assessment.round_id == rnd.id, col(Respondent.state) == "submitted")
                ),
                "answers": count(submitted),
            }
    engine.dispose()
    return out


PLAIN_SELECT = """
SELECT s.round_id, s.unit_id, a.respondent_id, a.item_id, a.kind, a.value
FROM answer a
JOIN respondent r ON r.id = a.respondent_id
JOIN assessment s ON s.id = r.assessment_id
WHERE s.round_id = %s AND r.state = 'submitted'
"""


def plain_select(url: str, round_id: int, runs: int) -> dict[str, float]:
    """The round's answers fetched completely (psycopg, client-side cursor)."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    times = []
    rows = 0
    with psycopg.connect(
        host=parsed.host, port=parsed.port or 5432, user=parsed.username,
        password=parsed.password, dbname=parsed.database,
    ) as connection:  # fmt: skip
        for _ in range(runs + 1):  # the first run warms the cache and is not counted
            start = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(PLAIN_SELECT, (round_id,))
                rows = len(cursor.fetchall())
            times.append(time.perf_counter() - start)
    times = times[1:]
    return {
        "rows": rows,
        "p50_ms": percentile(times, 0.5) * 1000,
        "p95_ms": percentile(times, 0.95) * 1000,
        "n": runs,
    }


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


def run(url: str, info: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from survey.config import Settings
    from survey.demo import DEMO_PASSWORD
    from survey.services.national import releases
    from survey.web.app import create_app

    app = create_app(Settings(database_url=url, cookie_secure=True))
    timer = ServerTimer(app)
    results: dict[str, Any] = {}
    with TestClient(timer, base_url="https://testserver") as client:  # type: ignore[arg-type]
        sign_in(client, "national@example.org", DEMO_PASSWORD)
        for key in ROUNDS:
            round_id = info[key]["id"]
            path = f"/api/v1/national/rounds/{round_id}/aggregates"
            cold = []
            for _ in range(args.cold):
                releases._LOADED.clear()
                timer.times.clear()
                response = client.get(path, params={"by": "region"})
                assert response.status_code == 200, response.text[:300]
                cold.append(timer.times[-1])
            warm = {}
            for by in BREAKDOWNS:
                for _ in range(3):
                    client.get(path, params={"by": by})
                timer.times.clear()
                walls = []
                size = rows = 0
                for _ in range(args.requests):
                    start = time.perf_counter()
                    response = client.get(path, params={"by": by})
                    walls.append(time.perf_counter() - start)
                    assert response.status_code == 200, response.text[:300]
                    size = len(response.content)
                    body = response.json()
                    rows = len(body["rows"])
                    shown = [r for r in body["rows"] if not r["suppressed"]]
                    assert all(r["n_units"] >= body["k"] for r in shown)
                server = list(timer.times)
                assert len(server) == args.requests
                warm[by] = {
                    "p50_ms": percentile(server, 0.5) * 1000,
                    "p95_ms": percentile(server, 0.95) * 1000,
                    "wall_p95_ms": percentile(walls, 0.95) * 1000,
                    "rows": rows,
                    "bytes": size,
                }
            results[key] = {
                "cold_ms": [c * 1000 for c in cold],
                "warm": warm,
                "select": plain_select(url, round_id, args.selects),
            }
    return results


RELEASE_TARGET_S = 120.0


def report(
    info: dict[str, Any],
    results: dict[str, Any],
    built: float | None,
    made: list[dict[str, Any]],
) -> bool:
    print()
    met = True
    if built is not None:
        print(f"loaded the national data set in {built:.0f} s, releases included:")
        for m in made:
            print(
                f"  {m['round']}: release {m['number']} ({m['kind']}), {m['units']:,} units, "
                f"built and audited in {m['seconds']:.1f} s"
            )
            met = met and m["seconds"] < RELEASE_TARGET_S
    print(
        f"{info['regions']} regions, {info['organisers']} organisers, {info['schools']:,} school "
        f"units, {info['answers']:,} answers in the database"
    )
    for key in ROUNDS:
        r, f = results[key], info[key]
        select = r["select"]
        cold = r["cold_ms"]
        print()
        print(
            f"{f['title']} (round {f['id']}): {f['units']:,} units, {f['submitted_sets']:,} "
            f"submitted answer sets, {f['answers']:,} submitted answers"
        )
        print(
            f"  plain SELECT of the round's answers ({select['rows']:,} rows, fetched): "
            f"p50 {select['p50_ms']:.0f} ms, p95 {select['p95_ms']:.0f} ms ({select['n']} runs)"
        )
        print(
            "  cold (release read and decoded): "
            + ", ".join(f"{c:.0f}" for c in cold)
            + f" ms (median {percentile(cold, 0.5):.0f} ms)"
        )
        header = (
            f"  {'by':<24} {'p50 ms':>8} {'p95 ms':>8} {'wall p95':>9} {'rows':>6} {'bytes':>10}"
        )
        print(header)
        print("  " + "-" * (len(header) - 2))
        for by, w in r["warm"].items():
            print(
                f"  {by or '(nation)':<24} {w['p50_ms']:>8.1f} {w['p95_ms']:>8.1f} "
                f"{w['wall_p95_ms']:>9.1f} {w['rows']:>6} {w['bytes']:>10,}"
            )
            met = met and w["p95_ms"] < TARGET_P95_MS
    print()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average after the run (1, 5, 15 min): {load} on {os.cpu_count()} CPUs")
    verdict = "met" if met else "NOT met"
    print(
        f"targets: release under {RELEASE_TARGET_S:.0f} s, p95 < {TARGET_P95_MS:.0f} ms for every "
        f"breakdown (warm): {verdict}"
    )
    return met


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--requests", type=int, default=30, help="timed requests per breakdown")
    parser.add_argument("--cold", type=int, default=3, help="cold builds per round")
    parser.add_argument("--selects", type=int, default=5, help="plain SELECT runs per round")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--url", help="an already loaded database to use (not built, not dropped)")
    args = parser.parse_args()
    admin_url = os.environ.get("SURVEY_BENCH_POSTGRES_URL", DEFAULT_URL)
    print(
        f"python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, {platform.platform()}"
    )
    url = args.url or create_database(admin_url)
    built, made = None, []
    try:
        if not args.url:
            built, made = build(url)
        info = facts(url)
        met = report(info, run(url, info, args), built, made)
    finally:
        if args.keep and not args.url:
            print(f"kept {url}")
        elif not args.url:
            drop_database(admin_url, url)
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
