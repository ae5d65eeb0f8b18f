"""Operating the database (issue 14): a bad URL or an unreachable database is one line and a
non-zero exit; the health check says 503 with the reason; two upgrades at once both succeed on
PostgreSQL; a backup restores into a fresh database with every table equal."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from survey.config import Settings
from survey.migrate import upgrade
from survey.web.app import create_app
from tests.conftest import POSTGRES_URL
from tests.factories import answer_all, build_world, make_round

ROOT = Path(__file__).resolve().parents[1]
SURVEY = str(ROOT / ".venv" / "bin" / "survey")


def _survey(*args: str, url: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SURVEY_DATABASE_URL": url}
    return subprocess.run([SURVEY, *args], capture_output=True, text=True, env=env,
                          timeout=timeout, input="")  # fmt: skip


@pytest.mark.parametrize("url", ["not a url", "mysql://root@localhost/x", "sqlite:///"])
def test_an_unusable_database_url_is_one_line(url: str) -> None:
    for args in (("db", "upgrade"), ("serve", "--wait", "0")):
        done = _survey(*args, url=url)
        assert done.returncode == 2, (args, done.stderr)
        assert done.stderr.startswith("error: SURVEY_DATABASE_URL")
        assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_serve_refuses_an_unreachable_or_unmigrated_database(tmp_path: Path) -> None:
    unreachable = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"
    done = _survey("serve", "--wait", "0", url=unreachable)
    assert done.returncode == 1 and "error: the database cannot be reached" in done.stderr
    done = _survey("serve", "--wait", "6", url=unreachable)  # tried again, visibly, then given up
    assert done.returncode == 1 and "trying again for" in done.stderr
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    done = _survey("serve", "--wait", "0", url=empty)
    assert done.returncode == 1
    assert "not migrated: run `survey db upgrade`" in done.stderr


def test_health_check_says_why_it_is_unavailable(tmp_path: Path, db_url: str) -> None:
    with TestClient(create_app(Settings(database_url=db_url, gc_freeze=False))) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    with TestClient(create_app(Settings(database_url=empty, gc_freeze=False))) as client:
        response = client.get("/healthz")
        assert response.status_code == 503 and response.headers["retry-after"]
        assert "run `survey db upgrade`" in response.json()["reason"]
    gone = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"
    with TestClient(create_app(Settings(database_url=gone, gc_freeze=False))) as client:
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.json()["reason"].startswith("the database cannot be reached")


@pytest.mark.postgres
def test_two_upgrades_at_once_both_succeed(postgres_template: str) -> None:
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"survey_up_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        env = {**os.environ, "SURVEY_DATABASE_URL": url}
        runs = [subprocess.Popen([SURVEY, "db", "upgrade"], env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(2)]  # fmt: skip
        results = [(p.wait(timeout=120), p.stderr.read()) for p in runs]  # type: ignore[union-attr]
        assert all(code == 0 for code, _ in results), results
        engine = create_engine(url)
        assert "round_release" in inspect(engine).get_table_names()
        engine.dispose()
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _tables(url: str) -> dict[str, list[tuple[object, ...]]]:
    engine = create_engine(url)
    out = {}
    with engine.connect() as connection:
        for table in sorted(inspect(connection).get_table_names()):
            rows = connection.execute(text(f'SELECT * FROM "{table}"')).all()
            out[table] = sorted((tuple(r) for r in rows), key=repr)
    engine.dispose()
    return out


def test_backup_restores_into_a_fresh_database(db_url: str, engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    _, assessments = make_round(engine, questionnaire_id=world.questionnaires["skola"],
                                owner=world.org_a, units=[world.school_a])  # fmt: skip
    answer_all(engine, assessments[world.school_a], value=3)
    backup_file = tmp_path / ("backup.db" if db_url.startswith("sqlite") else "backup.dump")
    done = _survey("db", "backup", str(backup_file), url=db_url)
    assert done.returncode == 0, done.stderr
    if db_url.startswith("sqlite"):
        fresh = f"sqlite:///{tmp_path / 'fresh.db'}"
        upgrade(fresh)
    else:
        admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
        name = f"survey_restore_{uuid.uuid4().hex[:10]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        fresh = make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)
    try:
        done = _survey("db", "restore", str(backup_file), "--yes", url=fresh)
        assert done.returncode == 0, done.stderr
        before, after = _tables(db_url), _tables(fresh)
        assert before.keys() == after.keys()
        assert all(before[t] == after[t] for t in before), [
            t for t in before if before[t] != after[t]
        ]
        assert len(after["answer"]) > 0
        bad = tmp_path / "not-a-backup"
        bad.write_text("nonsense", encoding="utf-8")
        refused = _survey("db", "restore", str(bad), "--yes", url=fresh)
        assert refused.returncode == 1 and "not a" in refused.stderr
    finally:
        if not fresh.startswith("sqlite"):
            admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
