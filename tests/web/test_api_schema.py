"""The OpenAPI document tells the truth (issue 14): Schemathesis generates requests for every API
operation from the document itself — valid ones and invalid ones (negative mode), with random ids
and with the ids of real rounds and assessments — signed in as a principal and as a strategist,
and runs every check it has (no 5xx, status codes, content types, headers and bodies as
documented, invalid data rejected, valid data accepted, …). Bounded in examples so it stays quick.
"""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import CHECKS, load_all_checks

from tests.factories import answer_all, build_world, login, make_round, publish_release
from tests.factories import submit_and_share as submit_all

load_all_checks()
# Checks about resources that live across calls (create, then delete) and about other users'
# objects need a stateful test and a second account; the API has no such operations.
STATEFUL = {"use_after_free", "ensure_resource_availability", "object_level_authorization"}
CHECKS_ALL = [check for check in CHECKS.get_all() if check.__name__ not in STATEFUL]
EXAMPLES = 12


def _world(engine) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    round_id, assessments = make_round(
        engine, questionnaire_id=world.questionnaires["skola"], owner=world.org_a,
        units=[world.school_a, world.school_a2],
    )  # fmt: skip
    for aid in assessments.values():
        answer_all(engine, aid, value=3)
    submit_all(engine, list(assessments.values()))
    national, nat_assessments = make_round(
        engine, questionnaire_id=world.questionnaires["skola"], owner=world.nation,
        units=[world.school_a, world.school_a2, world.school_b], kind="national",
    )  # fmt: skip
    for aid in nat_assessments.values():
        answer_all(engine, aid, value=2)
    submit_all(engine, list(nat_assessments.values()))
    publish_release(engine, national, k=2, k_detail=2)
    return {"round": round_id, "assessment": assessments[world.school_a], "national": national}


def _explore(strategy: Any, label: str, headers: dict[str, str],
             failures: dict[str, set[str]]) -> None:  # fmt: skip
    @given(case=strategy)
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def run(case: Any) -> None:
        try:
            case.call_and_validate(headers=headers, checks=CHECKS_ALL)
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - reported together
            lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
            failures.setdefault(label, set()).add(" | ".join(lines[1:6])[:400])

    with contextlib.suppress(Unsatisfiable):  # e.g. no invalid request without parameters
        run()


@pytest.mark.parametrize("email", ["principal-a@example.org", "strategist-a@example.org"])
def test_every_operation_answers_as_documented(client: TestClient, engine, email: str) -> None:  # type: ignore[no-untyped-def]
    ids = _world(engine)
    csrf = login(client, email)
    headers = {"Cookie": f"survey_session={client.cookies.get('survey_session')}",
               "X-CSRF-Token": csrf}  # fmt: skip
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", client.app)
    failures: dict[str, set[str]] = {}
    real = {"assessment_id": ids["assessment"], "round_id": ids["round"]}
    for result in schema.get_all_operations():
        operation = result.ok()
        names = {p.name for p in operation.iter_parameters() if p.location == "path"}
        strategies = [operation.as_strategy(mode) for mode in
                      (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]  # fmt: skip
        if names & real.keys():
            fixed = {n: real[n] for n in names if n in real}
            if "round_id" in names and "national" in operation.full_path:
                fixed["round_id"] = ids["national"]
            strategies.append(operation.as_strategy(path_parameters=fixed))
        for strategy in strategies:
            _explore(strategy, operation.label, headers, failures)
    assert failures == {}, "\n".join(f"{k}: {sorted(v)[:3]}" for k, v in failures.items())
