"""Application factory."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote

import anyio
import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from survey import __version__
from survey.config import Settings, get_settings
from survey.db import WRITE, make_engine
from survey.errors import DomainError
from survey.questionnaire import load_directory, load_framework
from survey.web import pages
from survey.web.accounts import invitations, oidc, passwords
from survey.web.accounts import routes as accounts
from survey.web.accounts import tokens as account_tokens
from survey.web.admin import units as admin_units
from survey.web.admin import users as admin_users
from survey.web.assessments import api as assessments_api
from survey.web.assessments import class_sessions, link_mail, pupils, respond, team
from survey.web.assessments import routes as assessments
from survey.web.auth import SignInRequired
from survey.web.benchmarks import routes as benchmarks
from survey.web.comparison import api as comparison_api
from survey.web.comparison import routes as comparison
from survey.web.deps import get_lang
from survey.web.errors import error_text, problem_texts
from survey.web.i18n import N_, install_jinja, translate
from survey.web.mail import routes as mail_admin
from survey.web.mail.background import MailThread
from survey.web.national import api as national_api
from survey.web.national import reports as national_reports
from survey.web.national import routes as national
from survey.web.plan import routes as plan
from survey.web.rendering import RoutePaths, render
from survey.web.rounds import api as rounds_api
from survey.web.rounds import manage as round_pages
from survey.web.rounds import remind as round_remind
from survey.web.rounds import routes as rounds
from survey.web.security_headers import LoadShedder, SecurityHeaders

log = logging.getLogger("survey")


def _wants_json(request: Request) -> bool:
    return (
        request.url.path.startswith("/api/")
        or "application/json" in request.headers.get("accept", "").split(",")[0]
    )


def _error(
    request: Request, status: int, message: str, problems: list[str] | None = None
) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": message, "problems": problems or []}, status_code=status)
    return render(
        request,
        "error.html",
        {"status": status, "message": message, "problems": problems or []},
        status_code=status,
    )


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    # As many threads as database connections (survey.db.make_engine): a request that got a
    # thread gets a connection without waiting.
    threads = app.state.settings.threads
    anyio.to_thread.current_default_thread_limiter().total_tokens = threads
    app.state.endings = anyio.CapacityLimiter(threads)  # see survey.web.deps.get_session
    if app.state.settings.gc_freeze:
        # A full garbage collection scans every tracked object. After start-up there are about
        # 170,000 long-lived ones, ~100 ms per full collection on a 2-core server: a tail of
        # 270-380 ms at p95 on the heat map (bench/bench_organiser.py). Frozen, they are skipped.
        gc.collect()
        gc.freeze()
    mail = MailThread.start_for(app.state.settings, app.state.engine)
    try:
        yield
    finally:
        if mail is not None:
            mail.stop()
    app.state.engine.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        lifespan=_lifespan,
        title="survey",
        version=__version__,
        description=(
            "Self-assessment of school digitalisation: questionnaires, rounds, scores, equity."
        ),
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # our own /docs below: vendored Swagger UI, no CDN
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url, pool_size=settings.threads)
    app.state.write_engine = app.state.engine.execution_options(**{WRITE: True})
    # Sign-in checks read outside the request's transaction (survey.web.auth).
    app.state.auth_engine = app.state.engine.execution_options(isolation_level="AUTOCOMMIT")
    app.state.templates = Jinja2Templates(directory=str(settings.templates_dir))
    app.state.path_for = RoutePaths(app)
    install_jinja(app.state.templates.env)
    framework = load_framework(settings.questionnaire_dir / "framework.yaml")
    questionnaires, problems = load_directory(settings.questionnaire_dir, framework)
    for problem in problems:
        log.warning("questionnaire skipped: %s", problem)
    app.state.framework = framework
    app.state.questionnaires = {(q.key, q.version): q for q in questionnaires}
    app.state.questionnaire_problems = problems

    app.mount("/static", StaticFiles(directory=str(settings.static_dir)), name="static")
    if settings.api_docs:

        @app.get("/docs", include_in_schema=False)
        def api_docs(request: Request) -> Response:
            return app.state.templates.TemplateResponse(
                request, "docs.html", {"openapi": app.openapi_url}
            )

    routers = (
        pages, accounts, oidc, account_tokens, assessments, link_mail, class_sessions, team, plan,
        respond, pupils,
        assessments_api, rounds, round_pages, round_remind, rounds_api, national_api,
        comparison_api, comparison, benchmarks, national,
        national_reports, passwords, invitations, mail_admin, admin_units, admin_users,
    )  # fmt: skip
    for module in routers:
        app.include_router(module.router)

    @app.exception_handler(SignInRequired)
    def sign_in_required(request: Request, exc: SignInRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": error_text(exc, get_lang(request))}, status_code=401)
        target = f"/login?next={quote(request.url.path)}"
        if request.headers.get("hx-request") == "true":
            return Response(status_code=401, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(DomainError)
    def domain_error(request: Request, exc: DomainError) -> Response:
        lang = get_lang(request)
        response = _error(request, exc.status_code, error_text(exc, lang), problem_texts(exc, lang))
        response.headers.update(getattr(exc, "headers", {}))  # e.g. WWW-Authenticate
        return response

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        lang_key = N_("error.404") if exc.status_code == 404 else None

        message = translate(lang_key, get_lang(request)) if lang_key else str(exc.detail)
        response = _error(request, exc.status_code, message)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(RequestValidationError)
    def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"] if p not in ("body", "query", "path"))
            problems.append(f"{field}: {err['msg']}")
        return _error(request, 422, "invalid input", problems)

    @app.exception_handler(DatabaseUnavailable)
    def database_unavailable(request: Request, exc: DatabaseUnavailable) -> Response:
        return _busy(request)

    @app.exception_handler(PoolTimeout)
    def pool_timeout(request: Request, exc: PoolTimeout) -> Response:
        log.warning("no database connection within the pool timeout: %s", request.url.path)
        return _busy(request)

    @app.exception_handler(OperationalError)
    def operational(request: Request, exc: OperationalError) -> Response:
        # A dropped or refused connection (database restarted, unreachable): nothing was
        # written, and the client may try again.
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return _busy(request)

    @app.exception_handler(Exception)
    def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path)

        return _error(request, 500, translate("error.500", get_lang(request)))

    return SecurityHeaders(  # type: ignore[return-value]
        LoadShedder(app, limit=settings.threads + settings.max_waiting),
        hsts=settings.cookie_secure,
    )


class DatabaseUnavailable(Exception):
    """Raised where the database cannot be reached; answered 503 with Retry-After."""


RETRY_AFTER = "2"


def _busy(request: Request) -> Response:
    response = _error(request, 503, translate("error.503", get_lang(request)))
    response.headers["Retry-After"] = RETRY_AFTER
    return response
