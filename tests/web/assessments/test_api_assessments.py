"""The JSON API mirrors the answering pages, with the same checks."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import answer_all, build_world, login, make_round


def test_api_answer_submit_and_summary(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    _, a = make_round(
        engine,
        questionnaire_id=world.questionnaires["skola"],
        owner=world.org_a,
        units=[world.school_a],
    )
    aid = a[world.school_a]
    csrf = login(client, "principal-a@example.org")
    headers = {"X-CSRF-Token": csrf}
    listed = client.get("/api/v1/assessments").json()
    assert [row["id"] for row in listed] == [aid] and listed[0]["answered"] == 0

    saved = client.put(
        f"/api/v1/assessments/{aid}/answers/L.01",
        json={"choice": "3", "comment": "ok"},
        headers=headers,
    )
    assert saved.status_code == 200 and saved.json() == {
        "item_id": "L.01",
        "kind": "level",
        "value": 3,
        "comment": "ok",
    }
    bad = client.put(
        f"/api/v1/assessments/{aid}/answers/L.01", json={"choice": "9"}, headers=headers
    )
    # The reason in the reader's language: Swedish by default, English when asked for.
    assert bad.status_code == 422 and bad.json()["detail"] == "L.01: '9' är ingen nivå på skalan"
    english = client.put(
        f"/api/v1/assessments/{aid}/answers/L.01",
        json={"choice": "9"},
        headers={**headers, "Accept-Language": "en-GB,en;q=0.9,sv;q=0.5"},
    )
    assert english.json()["detail"] == "L.01: '9' is not a level of the scale"
    no_csrf = client.put(f"/api/v1/assessments/{aid}/answers/L.01", json={"choice": "1"})
    assert no_csrf.status_code == 403

    body = client.get(f"/api/v1/assessments/{aid}").json()
    assert body["progress"]["answered"] == 1 and body["progress"]["total"] == 45

    refused = client.post(f"/api/v1/assessments/{aid}/submit", headers=headers)
    assert refused.status_code == 422 and "FO" in refused.json()["detail"]
    answer_all(engine, aid, value=4)
    assert (
        client.post(f"/api/v1/assessments/{aid}/submit", headers=headers).json()["state"]
        == "submitted"
    )
    summary = client.get(f"/api/v1/assessments/{aid}/summary").json()
    total = next(r for r in summary["results"] if r["scope_type"] == "total")
    assert total["score"] == 4 and total["index"] == 100 and total["level"] == 4


def test_api_signed_out_is_401_json(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/api/v1/assessments")
    assert response.status_code == 401 and response.json()["detail"]
