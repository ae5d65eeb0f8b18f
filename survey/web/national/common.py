"""What every national page shares: the national round as a dependency (national staff and
admins only, national rounds only — 404 for everyone and everything else), the page context,
the release bar and the navigation."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from sqlmodel import Session

from survey.errors import Conflict, InvalidInput, NotFound
from survey.models import Round, Unit
from survey.services.access import Actor
from survey.services.comparison.heatmap import ScopeColumn, scope_columns
from survey.services.national.publishing import next_kind
from survey.services.national.releases import parse_release_number, releases_of
from survey.services.national.rounds import can_create_national_round
from survey.services.rounds.access import can_manage_round, get_national_round
from survey.web.auth import CurrentActor
from survey.web.deps import Id, SessionDep, get_app_settings, get_framework, get_lang
from survey.web.errors import error_text
from survey.web.i18n import translate
from survey.web.national.files import MARKER
from survey.web.national.present import SCOPE_TYPES, formatters
from survey.web.scopes import ScopeNames


def national_staff(actor: CurrentActor) -> Actor:
    """The signed-in actor, who must be national staff or an admin (else 404)."""
    if not can_create_national_round(actor):
        raise NotFound("err.page_not_found")
    return actor


NationalActor = Annotated[Actor, Depends(national_staff)]


def national_round(session: SessionDep, actor: CurrentActor, round_id: Id) -> Round:
    """The national round of the path, for national staff and admins (else 404)."""
    return get_national_round(session, actor=actor, round_id=round_id)


NationalRound = Annotated[Round, Depends(national_round)]


def release_number(release: str | None = None) -> int | None:
    """``?release=N`` (a release of the round), or None for the latest."""
    return parse_release_number(release)


ReleaseNumber = Annotated[int | None, Depends(release_number)]


def checked_scope_type(raw: str) -> str:
    """``?scope=``: total, area or subgoal, else a clear message."""
    if raw not in SCOPE_TYPES:
        raise InvalidInput(
            "err.field.not_one_of", field="scope", value=raw, allowed=", ".join(SCOPE_TYPES)
        )
    return raw


def page_context(request: Request) -> dict[str, Any]:
    """The values every national template uses beside the common ones."""
    lang = get_lang(request)
    return {
        "lang": lang,
        "k": get_app_settings(request).min_group_size,
        "marker": MARKER,
        "tr": lambda key, **kw: translate(key, lang, **kw),
        "names": ScopeNames(get_framework(request), lang),
        **formatters(lang),
    }


def columns_of(q: Any, scope_type: str) -> list[ScopeColumn]:
    return [c for c in scope_columns(q) if c.scope_type == scope_type]


PAGES = {"round": "national_round", "trends": "national_trends", "report": "national_report"}


def page_url(request: Request, page: str, round_id: int, release: int | None = None) -> str:
    url = str(request.app.state.path_for(PAGES[page], round_id=str(round_id)))
    return f"{url}?release={release}" if release else url


def nav(request: Request, round_id: int, current: str, release: int | None) -> list[dict[str, Any]]:
    return [
        {"key": key, "url": page_url(request, key, round_id, release), "current": key == current}
        for key in PAGES
        if release or key == "round"
    ]


def release_bar(
    request: Request, session: Session, actor: Actor, round_: Round, current: int | None, page: str
) -> dict[str, Any]:
    """What the release bar shows: the releases (links), the current one, and whether the actor
    may publish the next (and which kind it would be, or why not)."""
    assert round_.id is not None
    found = releases_of(session, round_id=round_.id)
    owner = session.get(Unit, round_.owner_unit_id)
    can_publish = owner is not None and can_manage_round(actor, round_, owner)
    kind, blocked = None, None
    if can_publish:
        try:
            kind = next_kind(round_, found)
        except Conflict as exc:  # the reason is shown beside the (absent) button
            blocked = error_text(exc, get_lang(request))
    return {
        "releases": [
            {
                "number": r.number,
                "kind": r.kind,
                "date": r.created_at,
                "n_units": r.n_units,
                "url": page_url(request, page, round_.id, r.number),
                "current": r.number == current,
            }
            for r in found
        ],
        "can_publish": can_publish,
        "next_kind": kind,
        "blocked": blocked,
        "publish_url": request.app.state.path_for("national_publish", round_id=str(round_.id)),
    }
