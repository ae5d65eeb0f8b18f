"""Request dependencies: the database session (owns the transaction), the language, templates."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import anyio.to_thread
from fastapi import Depends, Path, Query, Request
from sqlmodel import Session
from starlette.datastructures import FormData

from survey.config import Settings
from survey.questionnaire import Framework, Questionnaire
from survey.services.accounts.tokens import LiveToken, record_use
from survey.web.i18n import LANGUAGES, translate

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request: commit when the route returns, roll back on any error. A
    request that may write says so when its transaction begins (SQLite takes the write lock
    then, so concurrent writers queue instead of failing). Creating the session does no I/O;
    the first query takes a connection in the route's thread."""
    state = request.app.state
    engine = state.write_engine if request.method in UNSAFE_METHODS else state.engine
    session = Session(engine, expire_on_commit=False)
    # Ending a request's transaction never waits behind new requests for a thread: it runs on a
    # limiter of its own, as large as the pool (survey.web.app's lifespan), so a connection held
    # by a finished request is always given back. With one shared limiter, new requests waiting
    # for a connection could hold every thread while finished ones wait for a thread.
    endings = getattr(state, "endings", None)  # None: the default limiter (no lifespan ran)
    try:
        yield session
        auth = getattr(request.state, "auth", None)
        if isinstance(auth, LiveToken) and request.method in UNSAFE_METHODS:
            # Every change made with an API token is attributable to the token (in the same
            # transaction: recorded exactly when the change is committed).
            record_use(session, live=auth, method=request.method, path=request.url.path,
                       ip=request.client.host if request.client else None)  # fmt: skip
        if session.in_transaction():
            await anyio.to_thread.run_sync(session.commit, limiter=endings)
    except BaseException:
        if session.in_transaction():
            await anyio.to_thread.run_sync(session.rollback, limiter=endings)
        raise
    finally:
        session.close()


# scope="function": the session commits before the response is sent, so an answer the browser
# is told was saved is already committed (docs/architecture.md, "How a request flows"), not a
# moment later.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_lang(request: Request) -> str:
    """``?lang=`` wins, then the ``lang`` cookie (the page's language switch); for the JSON API
    then the preferred of our languages in ``Accept-Language``; then the configured default
    (Swedish: pages stay Swedish whatever the browser's language until the reader switches)."""
    lang = request.query_params.get("lang") or request.cookies.get("lang")
    if lang in LANGUAGES:
        return lang  # type: ignore[return-value]
    if request.url.path.startswith("/api/"):
        accepted = _accepted(request.headers.get("accept-language", ""))
        if accepted:
            return accepted
    return request.app.state.settings.default_language


def _accepted(header: str) -> str | None:
    best, best_q = None, 0.0
    for part in header.split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        language = tag.strip().lower().split("-")[0]
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        if language in LANGUAGES and q > best_q:
            best, best_q = language, q
    return best


LangDep = Annotated[str, Depends(get_lang)]


class Translator:
    """``tr(key, **values)``: an interface text in the request's language."""

    def __init__(self, lang: str):
        self.lang = lang

    def __call__(self, key: str, **values: object) -> str:
        return translate(key, self.lang, **values)


def get_tr(lang: LangDep) -> Translator:
    return Translator(lang)


TrDep = Annotated[Translator, Depends(get_tr)]


def get_app_settings(request: Request) -> Settings:
    """The settings the app was made with (tests make apps with settings of their own)."""
    settings: Settings = request.app.state.settings
    return settings


def get_framework(request: Request) -> Framework:
    framework: Framework = request.app.state.framework
    return framework


def get_questionnaires(request: Request) -> dict[tuple[str, str], Questionnaire]:
    """Every questionnaire version the app loaded, by (key, version)."""
    found: dict[tuple[str, str], Questionnaire] = request.app.state.questionnaires
    return found


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
FrameworkDep = Annotated[Framework, Depends(get_framework)]
QuestionnairesDep = Annotated[dict[tuple[str, str], Questionnaire], Depends(get_questionnaires)]


async def form_data(request: Request) -> FormData:
    """The parsed form, so that endpoints can stay synchronous (run in the thread pool)."""
    return await request.form()


FormDep = Annotated[FormData, Depends(form_data)]


# Ids are PostgreSQL integers (int4); SQLite's are kept in the same range. Every id in a path or
# query is parsed here, once: anything but 1 to 2,147,483,647 written in ASCII digits is 422 with
# the reason, never a database error.
MAX_ID = 2_147_483_647
Id = Annotated[
    int,
    Path(ge=1, le=MAX_ID, description="A database id: a whole number from 1 to 2,147,483,647."),
]
OptionalIdQuery = Annotated[
    int | None,
    Query(ge=1, le=MAX_ID, description="A database id: a whole number from 1 to 2,147,483,647."),
]
