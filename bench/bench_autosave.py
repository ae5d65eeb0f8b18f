"""Benchmark autosave under a survey week's load: many clients saving answers at once.

Builds a database of its own (PostgreSQL: ``survey_bench_as_<random>`` on the server of
``SURVEY_BENCH_POSTGRES_URL``; SQLite: a file in a temporary folder) with one organiser and as many
schools as the largest client count, each with its own principal, signed in (a server-side session
each) and an open assessment of the school questionnaire. Then it serves

- the app: ``survey serve --workers W`` (uvicorn, as in production);
- the baseline: ``bench/minimal_upsert.py`` — FastAPI with one route doing the same single-row
  upsert through the same driver and engine settings, served the same way;

and, for each client count, runs that many clients at once for ``--seconds`` (after a warm-up),
each saving one item after another (``--think``: with a pause between saves) through htmx's
request (``POST /assessments/{id}/items/{item}``
with ``HX-Request``, the session cookie and the CSRF header), waiting for each answer before the
next. It prints throughput, latency percentiles and every response that was not 200 — 5xx and
connection errors separately — and the ratio of the app's throughput to the baseline's measured in
the same run. The load generator is one asyncio process (httpx), the same for both.

    .venv/bin/python bench/bench_autosave.py [--clients 10,50,200,500] [--seconds 10]
        [--workers 2] [--database postgres|sqlite] [--keep]

After the run every save the server acknowledged with 200 is checked in the database: the last
acknowledged value of each (respondent, item) must be the stored one.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PREFIX = "survey_bench_as_"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# ----------------------------------------------------------------------------------- database


def create_database(kind: str, admin_url: str, folder: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{folder / 'bench.db'}"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = f"{PREFIX}{uuid.uuid4().hex[:10]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_database(admin_url: str, url: str) -> None:
    if url.startswith("sqlite"):
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    assert name and name.startswith(PREFIX), name
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def build(url: str, clients: int) -> list[dict[str, Any]]:
    """Schools, principals with a session each, one open round; a client per school."""
    import secrets

    from sqlmodel import Session, select

    from survey.config import get_settings
    from survey.db import make_engine
    from survey.migrate import upgrade
    from survey.models import Assessment, Respondent, RoleGrant, User, UserSession
    from survey.questionnaire import load_directory
    from survey.security import hash_password, token_digest
    from survey.services.questionnaires import store_version
    from survey.services.rounds.store import create_round
    from survey.services.units import add_unit

    upgrade(url)
    engine = make_engine(url)
    loaded, _ = load_directory(get_settings().questionnaire_dir)
    skola = next(q for q in loaded if q.key == "skola")
    password = hash_password("bench-password")
    out = []
    with Session(engine, expire_on_commit=False) as session:
        nation = add_unit(session, kind="nation", name="Sverige")
        region = add_unit(session, kind="region", name="Län", parent=nation, county_code="03")
        org = add_unit(session, kind="organiser", name="Kommun", parent=region,
                       organiser_type="municipal")  # fmt: skip
        schools = [
            add_unit(
                session, kind="school", name=f"Skola {i}", parent=org, school_forms=["grundskola"]
            )  # fmt: skip
            for i in range(clients)
        ]
        stored = store_version(session, questionnaire=skola)
        rnd = create_round(session, questionnaire=stored, owner=org, kind="organiser",
                           title="Bench", opens=date(2026, 1, 1), closes=date(2030, 1, 1),
                           units=schools)  # fmt: skip
        assessments = {
            a.unit_id: a
            for a in session.exec(select(Assessment).where(Assessment.round_id == rnd.id))
        }
        respondents = {
            r.assessment_id: r.id
            for r in session.exec(
                select(Respondent).join(Assessment).where(Assessment.round_id == rnd.id)
            )
        }
        for i, school in enumerate(schools):
            user = User(
                email=f"rektor{i}@bench.example", name=f"Rektor {i}", password_hash=password
            )
            session.add(user)
            session.flush()
            session.add(RoleGrant(user_id=user.id, unit_id=school.id, role="principal"))  # type: ignore[arg-type]
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
            session.add(
                UserSession(
                    token_hash=token_digest(token), user_id=user.id, csrf_token=csrf,  # type: ignore[arg-type]
                    expires_at=datetime.now(UTC) + timedelta(days=2),
                )
            )  # fmt: skip
            assessment = assessments[school.id]
            out.append({
                "token": token, "csrf": csrf, "assessment": assessment.id,
                "respondent": respondents[assessment.id],
            })  # fmt: skip
        session.commit()
    engine.dispose()
    out_items = [i.id for i in skola.items]
    for client in out:
        client["items"] = out_items
    return out


# ----------------------------------------------------------------------------------- servers


def start(
    command: list[str], env: dict[str, str], port: int, health: str
) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )
    import urllib.request

    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{health}", timeout=2) as r:
                if r.status < 500:
                    return process
        except Exception:  # noqa: BLE001 - not up yet
            time.sleep(0.3)
    process.kill()
    raise RuntimeError(f"{command} did not start: {process.stderr.read().decode()[-2000:]}")  # type: ignore[union-attr]


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


# ----------------------------------------------------------------------------------- load


LOAD = Path(__file__).with_name("autosave_load.py")


def load(
    clients: list[dict[str, Any]], port: int, mode: str, seconds: float, think: float = 0.0
) -> dict[str, Any]:
    spec = {"clients": clients, "port": port, "mode": mode, "seconds": seconds, "warmup": 2.0,
            "think": think}  # fmt: skip
    done = subprocess.run(
        [sys.executable, str(LOAD)], input=json.dumps(spec).encode(), capture_output=True,
        check=True, timeout=seconds + 300,
    )  # fmt: skip
    data = json.loads(done.stdout)
    rows = data["results"]
    latencies = [lat for _, lat, s in rows if s == 200]
    statuses: dict[str, int] = {}
    for _, _, s in rows:
        statuses[str(s)] = statuses.get(str(s), 0) + 1
    return {
        "throughput": len(latencies) / seconds,
        "p50_ms": percentile(latencies, 0.5) * 1000,
        "p95_ms": percentile(latencies, 0.95) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "max_ms": max(latencies, default=float("nan")) * 1000,
        "statuses": statuses,
        "server_errors": sum(n for s, n in statuses.items() if s.startswith("5")),
        "connection_errors": sum(n for s, n in statuses.items() if s.startswith("error")),
        "acks": data["acks"],
    }


def check_acks(url: str, attempts: list[list[Any]]) -> tuple[int, int]:
    """Every (respondent, item) with an acknowledged save against the database: the stored
    value must be the last acknowledged one, or one sent after it whose answer never came
    (a server killed after the commit). Returns the pairs checked and the wrong ones."""
    from sqlalchemy import text

    from survey.db import make_engine

    history: dict[tuple[int, str], list[tuple[float, int, bool]]] = {}
    for respondent, item, value, at, acked in attempts:
        history.setdefault((int(respondent), item), []).append((at, int(value), bool(acked)))
    engine = make_engine(url)
    with engine.connect() as connection:
        stored = {
            (r, i): v
            for r, i, v in connection.execute(
                text("SELECT respondent_id, item_id, value FROM answer")
            )
        }
    engine.dispose()
    checked = wrong = 0
    for key, events in history.items():
        events.sort()
        last_ack = max((i for i, (_, _, acked) in enumerate(events) if acked), default=None)
        if last_ack is None:
            continue
        checked += 1
        allowed = {value for _, value, _ in events[last_ack:]}
        if stored.get(key) not in allowed:
            wrong += 1
            print(f"  not stored: respondent {key[0]} item {key[1]}: acknowledged "
                  f"{events[last_ack][1]}, stored {stored.get(key)}")  # fmt: skip
    return checked, wrong


# ----------------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--clients", default="10,50,200,500")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", choices=("postgres", "sqlite"), default="postgres")
    parser.add_argument("--only", choices=("app", "minimal"), help="measure one side only")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds between one client's saves (0: saves back to back, the throughput "
        "test; 2: a person answering an item every few seconds)",
    )
    args = parser.parse_args()
    counts = [int(c) for c in args.clients.split(",")]
    admin_url = os.environ.get("SURVEY_BENCH_POSTGRES_URL", DEFAULT_URL)
    print(f"python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.platform()}")
    folder = Path(tempfile.mkdtemp(prefix="bench-autosave-"))
    url = create_database(args.database, admin_url, folder)
    try:
        began = time.perf_counter()
        clients = build(url, max(counts))
        took = time.perf_counter() - began
        print(f"built {len(clients)} schools with signed-in principals in {took:.0f} s")
        env = {**os.environ, "SURVEY_DATABASE_URL": url, "SURVEY_COOKIE_SECURE": "false"}
        sides = [s for s in ("app", "minimal") if args.only in (None, s)]
        table: dict[str, dict[int, dict[str, Any]]] = {s: {} for s in sides}
        ack_total, ack_wrong = 0, 0
        for side in sides:
            port = free_port()
            if side == "app":
                command = [str(ROOT / ".venv/bin/survey"), "serve", "--workers", str(args.workers),
                           "--port", str(port)]  # fmt: skip
                health = "/healthz"
            else:
                command = [sys.executable, "-m", "uvicorn", "bench.minimal_upsert:app", "--workers",
                           str(args.workers), "--port", str(port), "--log-level", "warning",
                           "--no-access-log"]  # fmt: skip
                health = "/docs"
            server = start(command, {**env, "PYTHONPATH": str(ROOT)}, port, health)
            try:
                for n in counts:
                    result = load(clients[:n], port, side, args.seconds, args.think)
                    table[side][n] = result
                    if side == "app":
                        total, wrong = check_acks(url, result["acks"])
                        ack_total += total
                        ack_wrong += wrong
                    print(
                        f"{side:8} {n:4} clients: {result['throughput']:7.1f} saves/s, "
                        f"p50 {result['p50_ms']:7.1f} ms, p95 {result['p95_ms']:7.1f} ms, "
                        f"p99 {result['p99_ms']:7.1f} ms, statuses {result['statuses']}",
                        flush=True,
                    )
            finally:
                stop(server)
        if "app" in table and "minimal" in table:
            print()
            print(f"{'clients':>7} {'app/s':>8} {'minimal/s':>10} {'ratio':>6} {'app p95':>9} "
                  f"{'5xx':>5} {'conn err':>8}")  # fmt: skip
            for n in counts:
                a, m = table["app"][n], table["minimal"][n]
                ratio = a["throughput"] / m["throughput"] if m["throughput"] else float("nan")
                print(
                    f"{n:>7} {a['throughput']:>8.1f} {m['throughput']:>10.1f} {ratio:>6.2f} "
                    f"{a['p95_ms']:>8.0f}ms {a['server_errors']:>5} {a['connection_errors']:>8}"
                )
        if "app" in table:
            print(f"acknowledged saves checked: {ack_total} (respondent, item) pairs, "
                  f"{ack_wrong} not stored with their last acknowledged value")  # fmt: skip
        load_avg = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"load average after the run: {load_avg}")
    finally:
        if args.keep:
            print(f"kept {url}")
        else:
            drop_database(admin_url, url)


if __name__ == "__main__":
    main()
