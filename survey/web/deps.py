"""Request dependencies: the database session (owns the transaction), the language, templates."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session
from starlette.datastructures import FormData

from survey.web.i18n import LANGUAGES


def get_session(request: Request) -> Iterator[Session]:
    """One session per request: commit when the route returns, roll back on any error."""
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# scope="function": the session commits before the response is sent, so an answer the browser
# is told was saved is already committed (DESIGN.md §8), not a moment later.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_lang(request: Request) -> str:
    """``?lang=`` wins, then the ``lang`` cookie, then the configured default (Swedish)."""
    lang = request.query_params.get("lang") or request.cookies.get("lang")
    if lang in LANGUAGES:
        return lang  # type: ignore[return-value]
    return request.app.state.settings.default_language


LangDep = Annotated[str, Depends(get_lang)]


async def form_data(request: Request) -> FormData:
    """The parsed form, so that endpoints can stay synchronous (run in the thread pool)."""
    return await request.form()


FormDep = Annotated[FormData, Depends(form_data)]
