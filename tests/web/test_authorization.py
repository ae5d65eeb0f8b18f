"""Every route × every role × own/other unit: the expected status, checked on the server.

Another unit's assessment answers 404 (its existence is not revealed); signed-out users are sent
to sign in. A new route without an entry in EXPECT fails ``test_every_route_is_covered``.
"""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from survey.models import RoleGrant
from survey.services.access import Actor, UserInfo, load_assessment
from survey.services.accounts.tokens import create_token
from survey.services.assessments.answers import submit
from survey.services.assessments.class_sessions import open_session
from survey.services.assessments.respondents import create_links
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.store import unit_respondent
from tests.factories import answer_all, build_world, login, make_round

ROLES = [
    "anonymous",
    "principal-a",
    "principal-b",
    "strategist-a",
    "strategist-b",
    "national",
    "admin",
]
ANSWER = {"principal-a", "admin"}  # the unit's own principal (and admins)
VIEW = ANSWER | {"strategist-a"}  # + the organiser's strategist once submitted and shared
REOPEN = {"strategist-a", "admin"}
EVERYONE = set(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}

# (method, path) → roles allowed on school A's submitted, shared assessment; every other role gets
# 404 (or, signed out, a redirect to sign in). "public" routes are open to everyone.
EXPECT: dict[tuple[str, str], set[str] | str] = {
    ("GET", "/"): "public",
    ("GET", "/healthz"): "public",
    ("GET", "/login"): "public",
    ("POST", "/login"): "public",
    ("POST", "/logout"): SIGNED_IN,
    # Sign-in with an organisation's provider (tests/web/accounts/test_oidc.py): open to all.
    ("POST", "/login/oidc/{provider}"): "public",
    ("GET", "/login/oidc/{provider}/callback"): "public",
    ("GET", "/assessments/{assessment_id}"): ANSWER,
    ("POST", "/assessments/{assessment_id}/items/{item_id}"): ANSWER,
    ("POST", "/assessments/{assessment_id}/areas/{area}"): ANSWER,
    ("GET", "/assessments/{assessment_id}/submit"): ANSWER,
    ("POST", "/assessments/{assessment_id}/submit"): ANSWER,
    ("POST", "/assessments/{assessment_id}/share"): ANSWER,
    ("POST", "/assessments/{assessment_id}/links"): ANSWER,
    ("GET", "/assessments/{assessment_id}/summary"): VIEW,
    ("POST", "/assessments/{assessment_id}/reopen"): REOPEN,
    # A teacher collection's end and reopening: on a unit-level assessment there is none, 404 for
    # everyone (on a teacher round: its principals, tests/web/assessments/test_respondents.py).
    ("POST", "/assessments/{assessment_id}/collection/close"): set(),
    ("POST", "/assessments/{assessment_id}/collection/reopen"): set(),
    ("GET", "/r/{token}"): "public",
    ("POST", "/r/{token}/items/{item_id}"): "public",
    ("POST", "/r/{token}/areas/{area}"): "public",
    ("GET", "/r/{token}/submit"): "public",
    ("POST", "/r/{token}/submit"): "public",
}
EXPECT.update(
    {
        ("GET", "/api/v1/me"): SIGNED_IN,
        ("GET", "/api/v1/assessments"): SIGNED_IN,
        ("GET", "/api/v1/assessments/{assessment_id}"): ANSWER,
        ("PUT", "/api/v1/assessments/{assessment_id}/answers/{item_id}"): ANSWER,
        ("POST", "/api/v1/assessments/{assessment_id}/submit"): ANSWER,
        ("GET", "/api/v1/assessments/{assessment_id}/summary"): VIEW,
    }
)
# Team consensus (README "Team consensus"): the principal's team page like answering; a member's
# rating page admits members of that assessment's team only, and nobody in this world is one
# (members: tests/web/assessments/test_team.py).
EXPECT.update(
    {
        ("GET", "/assessments/{assessment_id}/team"): ANSWER,
        ("POST", "/assessments/{assessment_id}/team/members"): ANSWER,
        ("POST", "/assessments/{assessment_id}/team/items/{item_id}"): ANSWER,
        ("POST", "/assessments/{assessment_id}/team/plan"): ANSWER,
        ("GET", "/assessments/{assessment_id}/rate"): set(),
        ("POST", "/assessments/{assessment_id}/rate/items/{item_id}"): set(),
        ("POST", "/assessments/{assessment_id}/rate/areas/{area}"): set(),
        ("POST", "/assessments/{assessment_id}/rate/submit"): set(),
    }
)
# Plan and export routes (the action plan): editing like answering, reading like viewing.
PLAN_EDIT = ANSWER
EXPECT.update(
    {
        (
            "GET",
            "/assessments/{assessment_id}/plan",
        ): VIEW,  # read-only for the strategist once shared
        ("POST", "/assessments/{assessment_id}/plan/rows"): PLAN_EDIT,
        ("POST", "/assessments/{assessment_id}/plan/rows/{row_id}"): PLAN_EDIT,
        ("POST", "/assessments/{assessment_id}/plan/rows/{row_id}/delete"): PLAN_EDIT,
        ("GET", "/assessments/{assessment_id}/plan.xlsx"): VIEW,
        ("GET", "/assessments/{assessment_id}/plan.csv"): VIEW,
        ("GET", "/assessments/{assessment_id}/export.xlsx"): VIEW,
        ("GET", "/assessments/{assessment_id}/export.csv"): VIEW,
    }
)
# Organiser views (issue 7): on organiser A's round, strategist A and admins; national staff see
# aggregates only (their own pages), so 404 here like everybody else.
ROUND = {"strategist-a", "admin"}
# --- rounds and participation (issue 7) ---
# The rounds list: every role that runs or follows rounds (principals have no round views);
# creating organiser rounds: strategists (for their own organiser) and admins.
ROUND_LIST = {"strategist-a", "strategist-b", "national", "admin"}
ROUND_CREATE = {"strategist-a", "strategist-b", "admin"}
EXPECT.update(
    {
        ("GET", "/rounds"): ROUND_LIST,
        ("GET", "/rounds/new"): ROUND_CREATE,
        ("POST", "/rounds"): ROUND_CREATE,
        ("GET", "/rounds/{round_id}"): ROUND,
        ("POST", "/rounds/{round_id}/extend"): ROUND,
        ("POST", "/rounds/{round_id}/close"): ROUND,
        ("POST", "/rounds/{round_id}/reopen"): ROUND,
        ("POST", "/rounds/{round_id}/assessments/{assessment_id}/reopen"): ROUND,
        ("GET", "/rounds/{round_id}/participation.csv"): ROUND,
        ("GET", "/rounds/{round_id}/participation.xlsx"): ROUND,
        ("GET", "/rounds/{round_id}/reminders"): ROUND,
        ("GET", "/rounds/{round_id}/reminders.csv"): ROUND,
        ("GET", "/api/v1/rounds"): SIGNED_IN,
        ("GET", "/api/v1/rounds/{round_id}/participation"): ROUND,
    }
)
# --- heat map, equity panel, trend (issue 7) ---
EXPECT.update(
    {
        ("GET", "/rounds/{round_id}/heatmap"): ROUND,
        ("GET", "/rounds/{round_id}/heatmap.csv"): ROUND,
        ("GET", "/rounds/{round_id}/heatmap.xlsx"): ROUND,
        ("GET", "/rounds/{round_id}/heatmap.parquet"): ROUND,
        ("GET", "/rounds/{round_id}/equity"): ROUND,
        ("GET", "/rounds/{round_id}/equity.csv"): ROUND,
        ("GET", "/rounds/{round_id}/equity.xlsx"): ROUND,
        ("GET", "/rounds/{round_id}/equity.parquet"): ROUND,
        ("GET", "/rounds/{round_id}/trend"): ROUND,
    }
)
# --- results API and export (issue 7) ---
EXPECT.update(
    {
        ("GET", "/api/v1/rounds/{round_id}/results"): ROUND,
        ("GET", "/api/v1/rounds/{round_id}/export"): ROUND,
    }
)
# --- national follow-up (issue 8) ---
# National pages: the list and creating a national round for national staff and admins; every page
# and file of one national round answers 404 on organiser A's (non-national) round for everyone
# (access inside national rounds: tests/web/national/test_national_pages.py).
NATIONAL = {"national", "admin"}
EXPECT.update(
    {
        ("GET", "/national"): NATIONAL,
        ("GET", "/national/rounds/new"): NATIONAL,
        ("POST", "/national/rounds"): NATIONAL,
        ("GET", "/national/rounds/{round_id}"): set(),
        ("GET", "/national/rounds/{round_id}/trends"): set(),
        ("GET", "/national/rounds/{round_id}/report"): set(),
        ("GET", "/national/rounds/{round_id}/aggregates.csv"): set(),
        ("GET", "/national/rounds/{round_id}/aggregates.xlsx"): set(),
        ("GET", "/national/rounds/{round_id}/aggregates.parquet"): set(),
        ("POST", "/national/rounds/{round_id}/releases"): set(),
        ("GET", "/api/v1/national/rounds/{round_id}/releases"): set(),
        ("GET", "/api/v1/national/rounds/{round_id}/aggregates.csv"): set(),
        ("GET", "/api/v1/national/rounds/{round_id}/aggregates.xlsx"): set(),
        ("GET", "/api/v1/national/rounds/{round_id}/aggregates.parquet"): set(),
    }
)
# Benchmarks (issue 8): the list of national rounds for strategists and admins; on organiser A's own
# (non-national) round and school A's assessment in it, every benchmark answers 404 for everyone
# (benchmarks compare with national statistics; access in national rounds:
# tests/web/benchmarks/test_benchmarks.py).
EXPECT.update(
    {
        ("GET", "/benchmarks"): {"strategist-a", "strategist-b", "admin"},
        ("GET", "/benchmarks/rounds/{round_id}"): set(),
        ("GET", "/assessments/{assessment_id}/benchmark"): set(),
        ("GET", "/api/v1/benchmarks/rounds/{round_id}"): set(),
        ("GET", "/api/v1/benchmarks/assessments/{assessment_id}"): set(),
    }
)
# On an organiser's round the national aggregates answer 404 for everyone (national rounds only;
# access for national staff is tested in tests/web/national/test_national_api.py).
EXPECT[("GET", "/api/v1/national/rounds/{round_id}/aggregates")] = set()
# Personal API tokens (the signed-in user's own): everyone signed in has the page; a token (id 1,
# principal A's, made in _world) is revoked by its owner only, anyone else gets 404.
EXPECT.update(
    {
        ("GET", "/account/tokens"): SIGNED_IN,
        ("POST", "/account/tokens"): SIGNED_IN,
        ("POST", "/account/tokens/{token_id}/revoke"): {"principal-a"},
    }
)

# --- mail, invitations, password reset (onboarding) ---
# Invitations: administrators and strategists (each in their own organiser's subtree); the outbox
# for administrators. No invitation or message has id 1 in this world: 404 for everyone (access to
# real ones: tests/web/accounts/test_invitations.py, tests/web/mail/test_outbox_page.py). The
# invitee's and the password reset's pages are public; an unknown token answers 410.
INVITE = {"strategist-a", "strategist-b", "admin"}
EXPECT.update(
    {
        ("GET", "/invitations"): INVITE,
        ("POST", "/invitations"): INVITE,
        ("POST", "/invitations/upload"): INVITE,
        ("POST", "/invitations/import"): INVITE,
        ("POST", "/invitations/{invitation_id}/resend"): set(),
        ("POST", "/invitations/{invitation_id}/revoke"): set(),
        ("GET", "/invite/{token}"): "public",
        ("POST", "/invite/{token}"): "public",
        ("GET", "/password/forgot"): "public",
        ("POST", "/password/forgot"): "public",
        ("GET", "/password/reset/{token}"): "public",
        ("POST", "/password/reset/{token}"): "public",
        ("GET", "/admin/mail"): {"admin"},
        ("GET", "/admin/mail/{message_id}"): set(),
    }
)

# Unit and people administration: lists and the import for administrators and strategists; one
# unit (school A) and one user (principal A, with their grant) for school A's strategist and admins.
ADMIN_LIST = {"strategist-a", "strategist-b", "admin"}
ADMIN_OWN = {"strategist-a", "admin"}
EXPECT.update(
    {
        ("GET", "/admin/units"): ADMIN_LIST,
        ("GET", "/admin/units/import"): ADMIN_LIST,
        ("POST", "/admin/units/import"): ADMIN_LIST,
        ("POST", "/admin/units/import/accept"): ADMIN_LIST,
        ("GET", "/admin/units/{unit_id}"): ADMIN_OWN,
        ("POST", "/admin/units/{unit_id}"): ADMIN_OWN,
        ("POST", "/admin/units/{unit_id}/move"): ADMIN_OWN,
        ("POST", "/admin/units/{unit_id}/active"): ADMIN_OWN,
        ("GET", "/admin/users"): ADMIN_LIST,
        ("GET", "/admin/users/{user_id}"): ADMIN_OWN,
        ("POST", "/admin/users/{user_id}/grants/{grant_id}"): ADMIN_OWN,
        ("POST", "/admin/users/{user_id}/grants/{grant_id}/revoke"): ADMIN_OWN,
        ("POST", "/admin/users/{user_id}/active"): ADMIN_OWN,
    }
)
# Mail about rounds and teachers' links: the reminder preview and sending it, for everyone who sees
# the round's reminder list; links by mail on school A's (unit-level) assessment: its answerers
# get the refusal, others 404 (teacher rounds: tests/web/assessments/test_link_mail.py).
EXPECT.update(
    {
        ("GET", "/rounds/{round_id}/reminders/send"): ROUND,
        ("POST", "/rounds/{round_id}/reminders/send"): ROUND,
        ("POST", "/assessments/{assessment_id}/links/mail"): ANSWER,
    }
)
# Class sessions (issue 18): on school A's unit-level assessment there are none, 404 for everyone
# (teacher rounds: tests/web/assessments/test_class_sessions.py); the pupils' pages are public,
# with a session opened in _world (unknown, expired, full: the same test file).
EXPECT.update(
    {
        ("POST", "/assessments/{assessment_id}/class-sessions"): set(),
        ("GET", "/assessments/{assessment_id}/class-sessions/{session_id}"): set(),
        ("POST", "/assessments/{assessment_id}/class-sessions/{session_id}/close"): set(),
        ("GET", "/elev"): "public",
        ("POST", "/elev"): "public",
        ("GET", "/elev/{code}"): "public",
        ("POST", "/elev/{code}/start"): "public",
        ("POST", "/elev/{code}/items/{item_id}"): "public",
        ("POST", "/elev/{code}/areas/{area}"): "public",
        ("GET", "/elev/{code}/submit"): "public",
        ("POST", "/elev/{code}/submit"): "public",
    }
)
IGNORED = {"/static", "/docs", "/api/v1/openapi.json", "/docs/oauth2-redirect"}
LAST = {  # change the state: run at the end
    ("POST", "/assessments/{assessment_id}/reopen"),
    ("POST", "/rounds/{round_id}/assessments/{assessment_id}/reopen"),
}


def _expand_formats(route: APIRoute, path: str) -> list[str]:
    """A download route takes its format from the path (``export.{fmt}``): one path per format
    it accepts, so that each file is checked for each role."""
    fmt = next((p for p in route.dependant.path_params if p.name == "fmt"), None)
    if fmt is None:
        return [path]
    return [path.replace("{fmt}", f.value) for f in fmt.field_info.annotation]


def app_routes(app) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Every (method, path) the app serves, descending into included routers (FastAPI keeps
    them as wrappers around the original router)."""
    inner = app
    while not hasattr(inner, "routes") and hasattr(inner, "app"):  # through the ASGI middlewares
        inner = inner.app
    found: list[tuple[str, str]] = []

    def walk(routes, prefix: str) -> None:  # type: ignore[no-untyped-def]
        for route in routes:
            original = getattr(route, "original_router", None)
            if original is not None:
                walk(original.routes, prefix + route.include_context.prefix)
            elif isinstance(route, APIRoute):
                for path in _expand_formats(route, prefix + route.path):
                    if path not in IGNORED:
                        found.extend((m, path) for m in sorted(route.methods - {"HEAD"}))

    walk(inner.routes, "")
    return found


def test_every_route_is_covered(client: TestClient) -> None:
    routes = app_routes(client.app)
    # The walk must see the app's routes at all (a walker that finds nothing would pass).
    assert ("GET", "/assessments/{assessment_id}") in routes and len(routes) > 40
    missing = [r for r in routes if r not in EXPECT]
    assert missing == [], f"add these routes to EXPECT: {missing}"


def _world(engine):  # type: ignore[no-untyped-def]
    world = build_world(engine)
    round_a, a = make_round(
        engine,
        questionnaire_id=world.questionnaires["skola"],
        owner=world.org_a,
        units=[world.school_a],
    )
    _, b = make_round(
        engine,
        questionnaire_id=world.questionnaires["skola"],
        owner=world.org_b,
        units=[world.school_b],
    )
    _, t = make_round(
        engine,
        questionnaire_id=world.questionnaires["larare"],
        owner=world.org_a,
        units=[world.school_a],
    )
    for aid in (a[world.school_a], b[world.school_b]):
        answer_all(engine, aid, value=2)
    with Session(engine, expire_on_commit=False) as session:
        tokens = {}
        for aid in (a[world.school_a], b[world.school_b]):
            ctx = load_assessment(session, assessment_id=aid)
            q = questionnaire_for(session, questionnaire_id=ctx.round.questionnaire_id)
            submit(
                session,
                ctx=ctx,
                q=q,
                respondent=unit_respondent(session, assessment=ctx.assessment),
                actor=None,
            )
            ctx.assessment.shared = True
            session.add(ctx.assessment)
        ctx = load_assessment(session, assessment_id=t[world.school_a])
        admin = Actor(user=UserInfo(id=world.users["admin@example.org"], email="", name=""))
        tokens["token"] = create_links(session, ctx=ctx, count=1, actor=admin, ip=None)[0]
        lesson = open_session(session, ctx=ctx, label="7B", minutes=60, max_pupils=40,
                              actor=admin, ip=None)  # fmt: skip
        tokens["code"], tokens["session_id"] = lesson.code, str(lesson.id)
        api_token = create_token(session, user_id=world.users["principal-a@example.org"],
                                 name="matrix", expires=(date.today() + timedelta(days=9)).isoformat(),
                                 scope="read", today=date.today())  # fmt: skip
        world.api_token = api_token.token.id  # type: ignore[attr-defined]
        session.commit()
    world.round_a = round_a  # type: ignore[attr-defined]
    with Session(engine) as session:
        principal = world.users["principal-a@example.org"]
        grant = session.exec(select(RoleGrant.id).where(RoleGrant.user_id == principal)).one()
    world.extra = {  # type: ignore[attr-defined]
        "{unit_id}": world.school_a,
        "{user_id}": principal,
        "{grant_id}": grant,
        "{token_id}": world.api_token,  # type: ignore[attr-defined]
        "{code}": tokens["code"],
        "{session_id}": tokens["session_id"],
    }
    return world, a[world.school_a], tokens["token"]


def _url(
    path: str, assessment_id: int, token: str, round_id: int = 0, extra: dict | None = None
) -> str:
    for name, value in (extra or {}).items():
        path = path.replace(name, str(value))
    return (
        path.replace("{assessment_id}", str(assessment_id))
        .replace("{round_id}", str(round_id))
        .replace("{item_id}", "L.01")
        .replace("{area}", "ledning")
        .replace("{token}", token)
        .replace("{row_id}", "1")
        .replace("{invitation_id}", "1")
        .replace("{message_id}", "1")
    )


def test_route_role_matrix(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world, own, token = _world(engine)
    clients: dict[str, tuple[TestClient, str | None]] = {}
    for role in ROLES:
        c = TestClient(client.app, base_url="https://testserver")
        csrf = None
        if role == "anonymous":
            from tests.factories import csrf_of

            csrf = csrf_of(c.get("/login").text)
        else:
            csrf = login(c, f"{role}@example.org")
        clients[role] = (c, csrf)
    routes = sorted(app_routes(client.app), key=lambda r: r in LAST)
    failures = []
    for method, path in routes:
        rule = EXPECT[(method, path)]
        for role in ROLES:
            if (method, path) == ("POST", "/logout") or (method, path) == ("POST", "/login"):
                continue  # sign-in/out change the client's session; covered in test_auth
            if path.startswith("/login/oidc/"):
                continue  # no provider configured here (404); covered in test_oidc
            c, csrf = clients[role]
            url = _url(path, own, token, world.round_a, world.extra)  # type: ignore[attr-defined]
            if method == "GET":
                response = c.get(url, follow_redirects=False)
            elif method == "PUT":
                response = c.put(url, json={"choice": "2"}, headers={"X-CSRF-Token": csrf or ""})
            else:
                response = c.post(url, data={"csrf_token": csrf or ""}, follow_redirects=False)
            allowed = rule == "public" or role in rule  # type: ignore[operator]
            status = response.status_code
            to_login = (
                status in (303, 401)
                and (
                    response.headers.get("location", "").startswith("/login")
                    or response.headers.get("hx-redirect", "").startswith("/login")
                )
            ) or (status == 401 and path.startswith("/api/"))
            if allowed:
                ok = status not in (401, 403, 404) and not to_login and status < 500
            elif role == "anonymous":
                ok = to_login
            else:
                ok = status == 404
            if not ok:
                failures.append(f"{role:13} {method} {path}: {status} (allowed={allowed})")
    assert failures == [], "\n".join(failures)


def test_other_units_assessment_is_404_not_its_data(client: TestClient, engine) -> None:  # type: ignore[no-untyped-def]
    world, own, _ = _world(engine)
    login(client, "principal-b@example.org")
    response = client.get(f"/assessments/{own}/summary")
    assert response.status_code == 404
    assert "Kvarnbackaskolan" not in response.text
