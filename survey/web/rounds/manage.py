"""One round's participation page (refreshed in place by htmx; plain links and forms without
JavaScript), extending / closing / reopening the round, reopening a submitted assessment, the
reminder list and the participation files. The round comes through
:data:`~survey.web.rounds.common.RoundView` (404 for national staff and for strategists of other
organisers)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from survey.clock import local_today, utcnow
from survey.errors import Conflict, NotFound
from survey.parsing import ascii_int
from survey.questionnaire import Questionnaire
from survey.services.access import Actor, can_reopen, can_view_results, load_assessment
from survey.services.assessments.answers import reopen
from survey.services.rounds.access import RoundScope
from survey.services.rounds.organiser import (
    RoundConflict,
    close_round,
    extend_round,
    reopen_round,
)
from survey.services.rounds.participation import Participation, participation, reminders
from survey.services.rounds.requests import Issue, RoundInputError
from survey.sheets import csv_bytes, file_stem, xlsx_bytes
from survey.web.auth import CsrfProtected, CurrentActor, client_ip
from survey.web.deps import FormDep, Id, SessionDep, TrDep, get_app_settings, get_lang
from survey.web.errors import error_text
from survey.web.rendering import SheetFormat, download, is_htmx, redirect_to, render
from survey.web.rounds.common import (
    RoundQuestionnaire,
    RoundView,
    local_time,
    round_nav,
)
from survey.web.rounds.files import about_sheet, participation_sheet, reminders_sheet
from survey.web.rounds.routes import issue_texts

router = APIRouter(prefix="/rounds", dependencies=[CsrfProtected], include_in_schema=False)

DONE = ("created", "extended", "closed", "reopened", "assessment_reopened")


def _participation(
    request: Request, session: Session, scope: RoundScope, q: Questionnaire
) -> Participation:
    k = get_app_settings(request).min_group_size
    return participation(session, scope=scope, q=q, k=k)


def _overview(
    request: Request,
    session: Session,
    actor: Actor,
    scope: RoundScope,
    q: Questionnaire,
    *,
    error: str | None = None,
    issues: list[Issue] | None = None,
    status_code: int = 200,
) -> Response:
    assert scope.round.id is not None
    part = _participation(request, session, scope, q)
    lang = get_lang(request)
    context: dict[str, Any] = {
        "scope": scope,
        "round": scope.round,
        "part": part,
        "q": q,
        "can_reopen": {r.unit.id: can_reopen(actor, r.unit) for r in part.rows},
        "can_view": {r.unit.id: can_view_results(actor, r.unit, r.assessment) for r in part.rows},
        "when": lambda moment: local_time(moment, lang),
        "refreshed": local_time(utcnow(), lang),
        "today": local_today(),
        "nav": round_nav(request, scope.round.id, "participation"),
    }
    if is_htmx(request) and request.method == "GET":  # the participation section alone
        return render(request, "rounds_overview.html", context, block="participation")
    done = request.query_params.get("done")
    context.update(
        done=done if done in DONE else None, error=error, issues=issue_texts(issues or [], lang)
    )
    return render(request, "rounds_overview.html", context, status_code=status_code)


def _done(request: Request, scope: RoundScope, done: str, anchor: str = "") -> Response:
    query = {"done": done}
    return redirect_to(
        request, "round_overview", query=query, anchor=anchor, round_id=scope.round.id
    )


@router.get("/{round_id}", name="round_overview")
def round_overview(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    scope: RoundView,
    q: RoundQuestionnaire,
) -> Response:
    return _overview(request, session, actor, scope, q)


def _closes_field(form: Any) -> tuple[date | None, list[Issue]]:
    raw = form.get("closes")
    raw = raw.strip() if isinstance(raw, str) else ""
    if not raw:
        return None, []
    try:
        return date.fromisoformat(raw), []
    except ValueError:
        return None, [Issue("closes", "date_invalid", {"value": raw})]


def _lifecycle(
    request: Request,
    session: Session,
    actor: Actor,
    scope: RoundScope,
    q: Questionnaire,
    form: Any,
    action: str,
) -> Response:
    """Extend, close or reopen the round. The services check everything before they write, so
    a refused change has written nothing."""
    closes, issues = _closes_field(form)
    ip = client_ip(request)
    try:
        if issues:
            raise RoundInputError(issues)
        if action == "extend":
            if closes is None:
                raise RoundInputError([Issue("closes", "date_missing", {})])
            extend_round(session, scope=scope, closes=closes, actor=actor, ip=ip)
        elif action == "close":
            k = get_app_settings(request).min_group_size
            close_round(session, scope=scope, actor=actor, today=local_today(), k=k, ip=ip)
        else:
            reopen_round(
                session, scope=scope, actor=actor, today=local_today(), closes=closes, ip=ip
            )
    except RoundInputError as exc:
        return _overview(request, session, actor, scope, q, issues=exc.issues, status_code=422)
    except RoundConflict as exc:
        message = error_text(exc, get_lang(request))
        return _overview(request, session, actor, scope, q, error=message, status_code=409)
    return _done(
        request, scope, {"extend": "extended", "close": "closed", "reopen": "reopened"}[action]
    )


@router.post("/{round_id}/extend", name="extend_round")
def extend(
    request: Request,
    session: SessionDep,
    form: FormDep,
    actor: CurrentActor,
    scope: RoundView,
    q: RoundQuestionnaire,
) -> Response:
    return _lifecycle(request, session, actor, scope, q, form, "extend")


@router.post("/{round_id}/close", name="close_round")
def close(
    request: Request,
    session: SessionDep,
    form: FormDep,
    actor: CurrentActor,
    scope: RoundView,
    q: RoundQuestionnaire,
) -> Response:
    return _lifecycle(request, session, actor, scope, q, form, "close")


@router.post("/{round_id}/reopen", name="reopen_round")
def reopen_whole_round(
    request: Request,
    session: SessionDep,
    form: FormDep,
    actor: CurrentActor,
    scope: RoundView,
    q: RoundQuestionnaire,
) -> Response:
    return _lifecycle(request, session, actor, scope, q, form, "reopen")


@router.post("/{round_id}/assessments/{assessment_id}/reopen", name="round_reopen_assessment")
def reopen_assessment(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    scope: RoundView,
    q: RoundQuestionnaire,
    assessment_id: Id,
    tr: TrDep,
) -> Response:
    """Reopen a submitted assessment from the participation list (logged)."""
    ctx = load_assessment(session, assessment_id=assessment_id)
    if (
        ctx.round.id != scope.round.id
        or not scope.sees_unit(ctx.unit)
        or not can_reopen(actor, ctx.unit)
    ):
        raise NotFound("err.assessment.not_found")
    if scope.round.state == "closed":
        message = tr("rounds.err.reopen_in_closed_round")
        return _overview(request, session, actor, scope, q, error=message, status_code=409)
    try:
        reopen(session, ctx=ctx, actor=actor, ip=client_ip(request))
    except Conflict as exc:
        message = error_text(exc, tr.lang)
        return _overview(request, session, actor, scope, q, error=message, status_code=409)
    return _done(request, scope, "assessment_reopened", f"unit-{ctx.unit.id}")


# --------------------------------------------------------------------------------- files


@router.get("/{round_id}/participation.{fmt}", name="participation_file")
def participation_file(
    request: Request,
    session: SessionDep,
    scope: RoundView,
    q: RoundQuestionnaire,
    fmt: SheetFormat,
    tr: TrDep,
) -> Response:
    """The participation list as CSV, or as XLSX with a sheet about the round first."""
    part = _participation(request, session, scope, q)
    stem = file_stem(part.round.title, tr("rounds.file.participation"))
    sheet = participation_sheet(part, tr=tr)
    if fmt is SheetFormat.csv:
        return download(csv_bytes([sheet]), f"{stem}.csv")
    about = about_sheet(part, owner_name=scope.owner.name, q=q, tr=tr, lang=tr.lang)
    return download(xlsx_bytes([about, sheet]), f"{stem}.xlsx")


# --------------------------------------------------------------------------------- reminders


@router.get("/{round_id}/reminders", name="round_reminders")
def reminders_page(
    request: Request, session: SessionDep, scope: RoundView, q: RoundQuestionnaire, tr: TrDep
) -> Response:
    part = _participation(request, session, scope, q)
    waiting = reminders(session, part=part)
    return render(
        request,
        "rounds_reminders.html",
        {
            "scope": scope,
            "round": scope.round,
            "part": part,
            "reminders": waiting,
            "emails": list(dict.fromkeys(e for r in waiting for e in r.emails)),
            "without_email": [r for r in waiting if not r.emails],
            "when": lambda moment: local_time(moment, tr.lang),
            "sent": ascii_int(request.query_params.get("sent", "")),
            "sent_units": ascii_int(request.query_params.get("units", "")) or 0,
        },
    )


@router.get("/{round_id}/reminders.csv", name="round_reminders_csv")
def reminders_csv(
    request: Request, session: SessionDep, scope: RoundView, q: RoundQuestionnaire, tr: TrDep
) -> Response:
    part = _participation(request, session, scope, q)
    sheet = reminders_sheet(part, reminders(session, part=part), tr=tr)
    stem = file_stem(part.round.title, tr("rounds.file.reminders"))
    return download(csv_bytes([sheet]), f"{stem}.csv")
