"""Hostile input never gets a 500 (issue 14): ids beyond the database's integer range, Unicode
digits that pass ``str.isdigit()``, numbers of thousands of digits — in every path with an id, as
an administrator (who may open everything, so nothing stops the request before the id is used),
and in the form fields that take numbers."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.factories import build_world, login, make_round
from tests.web.test_authorization import app_routes

HOSTILE = [
    "2147483648",  # PostgreSQL int4 + 1
    "9223372036854775808",  # SQLite int64 + 1
    "99999999999999999999",
    "²",  # str.isdigit() is True, int() fails
    "١٢",  # Arabic-Indic digits: int() accepts them
    "1" * 5000,  # beyond Python's int() digit limit (4,300)
    "-1",
    "0",
]
FILL = {"item_id": "L.01", "area": "ledning", "token": "no-such-token"}


def test_every_path_with_an_id_answers_404_or_422(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    build_world(engine)
    csrf = login(client, "admin@example.org")
    failures = []
    for method, path in app_routes(client.app):
        names = re.findall(r"{(\w+)}", path)
        if not any(n.endswith("_id") and n != "item_id" for n in names):
            continue
        for value in HOSTILE:
            url = path
            for name in names:
                url = url.replace("{" + name + "}", FILL.get(name, value))
            response = client.request(
                method, url, data={"csrf_token": csrf}, follow_redirects=False
            )
            if response.status_code not in (404, 422):
                failures.append(f"{method} {path} with {value[:12]!r}: {response.status_code}")
    assert failures == [], "\n".join(failures[:20])


def test_numbers_in_forms_are_checked_not_trusted(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    _, assessments = make_round(
        engine, questionnaire_id=world.questionnaires["skola"], owner=world.org_a,
        units=[world.school_a],
    )  # fmt: skip
    aid = assessments[world.school_a]
    csrf = login(client, "principal-a@example.org")
    headers = {"HX-Request": "true", "X-CSRF-Token": csrf}
    for value in ("²", "١", "1" * 5000, "9" * 30):
        saved = client.post(f"/assessments/{aid}/items/L.01", data={"answer-L.01": value},
                            headers=headers)  # fmt: skip
        assert saved.status_code == 422, (value[:10], saved.status_code)
        area = client.post(f"/assessments/{aid}/areas/ledning",
                           data={"csrf_token": csrf, "version": value, "answer-L.01": "2"},
                           follow_redirects=False)  # fmt: skip
        assert area.status_code < 500, (value[:10], area.status_code)
        put = client.put(f"/api/v1/assessments/{aid}/answers/L.01", json={"choice": value},
                         headers={"X-CSRF-Token": csrf})  # fmt: skip
        assert put.status_code == 422, (value[:10], put.status_code)
        row = client.post(f"/assessments/{aid}/plan/rows",
                          data={"csrf_token": csrf, "title": "x", "priority": value},
                          follow_redirects=False)  # fmt: skip
        assert row.status_code < 500, (value[:10], row.status_code)
    strategist = TestClient(client.app, base_url="https://testserver")
    token = login(strategist, "strategist-a@example.org")
    for value in ("²", "1" * 5000):
        created = strategist.post("/rounds", data={
            "csrf_token": token, "owner": value, "questionnaire": "skola", "title": "X",
            "opens": "2026-01-01", "closes": "2026-02-01", "selection": "chosen", "units": value,
        }, follow_redirects=False)  # fmt: skip
        assert created.status_code in (303, 422), (value[:10], created.status_code)
