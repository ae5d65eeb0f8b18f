"""README "API tokens": its example, exactly as written there (between the
``api-token-example`` markers), run against a real uvicorn server with a strategist's token.

Only the placeholders change: the base URL, the round id and the token (each must occur once, so a
README edit that drops one fails here)."""

from __future__ import annotations

import contextlib
import io
import re
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import uvicorn
from sqlmodel import Session

from survey.config import Settings
from survey.services.accounts.tokens import create_token
from survey.services.questionnaires import questionnaire_for
from survey.stats import scopes_of
from survey.web.app import create_app
from tests.factories import answer_all, build_world, make_round, submit_and_share

README = Path(__file__).resolve().parents[3] / "README.md"
EXAMPLE = re.compile(
    r"<!-- api-token-example:start -->\s*```python\n(.*?)```\s*<!-- api-token-example:end -->", re.S
)


def readme_example() -> str:
    found = EXAMPLE.search(README.read_text(encoding="utf-8"))
    assert found, "README.md has no API token example between the markers"
    return found.group(1)


@contextlib.contextmanager
def serve(database_url: str) -> Iterator[str]:
    """The app under uvicorn on a free 127.0.0.1 port, in a thread; yields its base URL."""
    app = create_app(Settings(database_url=database_url, cookie_secure=False, gc_freeze=False))
    config = uvicorn.Config(app, host="127.0.0.1", port=0, lifespan="on", log_config=None,
                            log_level="warning", access_log=False)  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="uvicorn-readme", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert server.started, "the server did not start"
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _substitute(code: str, **values: str) -> str:
    for placeholder, value in values.items():
        assert code.count(placeholder) == 1, f"the example should contain {placeholder} once"
        code = code.replace(placeholder, value)
    return code


def test_readme_example_reads_a_rounds_results(db_url: str, engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    round_id, assessments = make_round(engine, questionnaire_id=world.questionnaires["skola"],
                                       owner=world.org_a, units=[world.school_a, world.school_a2])  # fmt: skip
    answer_all(engine, assessments[world.school_a], value=2)
    answer_all(engine, assessments[world.school_a2], value=3)
    submit_and_share(engine, list(assessments.values()))
    with Session(engine, expire_on_commit=False) as session:
        made = create_token(session, user_id=world.users["strategist-a@example.org"],
                            name="pandas", scope="read", today=date.today(),
                            expires=(date.today() + timedelta(days=7)).isoformat())  # fmt: skip
        n_scopes = len(
            scopes_of(
                questionnaire_for(session, questionnaire_id=world.questionnaires["skola"])
            ).ids
        )
        session.commit()
    code = readme_example()
    assert len(code.strip().splitlines()) == 5
    with serve(db_url) as base_url:
        runnable = _substitute(
            code,
            **{
                "https://survey.example.org": base_url,
                "/rounds/42/": f"/rounds/{round_id}/",
                "svy_PASTE_YOUR_TOKEN_HERE": made.secret,
            },
        )
        namespace: dict[str, object] = {}
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(runnable, "README.md", "exec"), namespace)  # noqa: S102
        # Without the token the same request is refused: the token is what lets it in.
        assert httpx.get(f"{base_url}/api/v1/rounds/{round_id}/results").status_code == 401
    units = namespace["units"]
    assert len(units) == 2 * n_scopes  # type: ignore[arg-type]
    assert set(units["unit_id"]) == {str(world.school_a), str(world.school_a2)}  # type: ignore[index]
    assert not units["suppressed"].any()  # type: ignore[index]
    total = units[units["scope_type"] == "total"].set_index("unit_id")["index"]  # type: ignore[index]
    assert total[str(world.school_a2)] > total[str(world.school_a)]  # answered 3 against 2
    assert "scope_type" in printed.getvalue()
