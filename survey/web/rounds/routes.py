"""Rounds and participation (issue 7): the list of rounds, creating an organiser round, a round's
overview with the participation of its units (refreshed in place by htmx, plain links and forms
without JavaScript), extending / closing / reopening it, reopening a submitted assessment, the
reminder list and the exports.

Pages that show single units go through ``get_round_units_view`` (404 for national staff and for
strategists of other organisers).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.responses import Response

from survey.clock import LOCAL_TZ, local_today, utcnow
from survey.errors import Conflict, NotFound
from survey.models import SCHOOL_FORMS
from survey.parsing import ascii_int
from survey.questionnaire import Questionnaire
from survey.services.access import Actor, can_reopen, can_view_results, load_assessment
from survey.services.assessments.answers import reopen
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.access import (
    RoundScope,
    get_round_units_view,
    strategist_paths,
    visible_rounds,
)
from survey.services.rounds.organiser import (
    RoundConflict,
    close_round,
    create_organiser_round,
    extend_round,
    organiser_units,
    owner_choices,
    parse_round_request,
    reopen_round,
    unit_forms,
)
from survey.services.rounds.participation import (
    Participation,
    Reminder,
    participation,
    reminders,
    round_summaries,
)
from survey.services.rounds.requests import Issue, RoundInputError
from survey.sheets import csv_bytes, xlsx_bytes
from survey.web.auth import CsrfProtected, CurrentActor, client_ip, csrf_token_for
from survey.web.comparison.routes import round_nav
from survey.web.deps import FormDep, Id, SessionDep, get_lang
from survey.web.errors import error_text
from survey.web.formatting import format_datetime
from survey.web.i18n import N_, translate
from survey.web.labels import SCHOOL_FORMS as SCHOOL_FORM_LABELS
from survey.web.labels import UNIT_KIND, UNIT_KINDS
from survey.web.rendering import is_htmx, render
from survey.web.rounds.files import (
    about_sheet,
    file_stem,
    participation_sheet,
    reminders_sheet,
)

router = APIRouter(prefix="/rounds", dependencies=[CsrfProtected], include_in_schema=False)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
ROUND_ROLES = {"strategist", "national", "admin"}
DONE = ("created", "extended", "closed", "reopened", "assessment_reopened")


def local_time(moment: datetime | None, lang: str) -> str:
    """A stored (UTC) timestamp as Swedish local time, ``2026-04-10 16:00``; '–' when None."""
    return format_datetime(moment, lang, tz=LOCAL_TZ)


def _require_round_role(actor: Actor) -> None:
    if not actor.roles() & ROUND_ROLES:
        raise NotFound("err.page_not_found")


def _questionnaire(request: Request, session: SessionDep, scope: RoundScope) -> Questionnaire:
    return questionnaire_for(
        session,
        questionnaire_id=scope.round.questionnaire_id,
        framework=request.app.state.framework,
    )


# The texts of the form's fields and of the problems and conflicts (Issue.key, RoundConflict.key).
FIELDS = {
    "owner": N_("rounds.field.owner"),
    "questionnaire": N_("rounds.field.questionnaire"),
    "title": N_("rounds.field.title"),
    "opens": N_("rounds.field.opens"),
    "closes": N_("rounds.field.closes"),
    "selection": N_("rounds.field.selection"),
    "units": N_("rounds.field.units"),
    "school_forms": N_("rounds.field.school_forms"),
    "sharing_mandatory": N_("rounds.field.sharing_mandatory"),
}
ISSUES = {
    "date_missing": N_("rounds.err.date_missing"),
    "date_invalid": N_("rounds.err.date_invalid"),
    "selection_invalid": N_("rounds.err.selection_invalid"),
    "school_form_invalid": N_("rounds.err.school_form_invalid"),
    "unit_invalid": N_("rounds.err.unit_invalid"),
    "none_match": N_("rounds.err.none_match"),
    "none_chosen": N_("rounds.err.none_chosen"),
    "unit_unknown": N_("rounds.err.unit_unknown"),
    "unit_outside": N_("rounds.err.unit_outside"),
    "unit_kind": N_("rounds.err.unit_kind"),
    "owner_invalid": N_("rounds.err.owner_invalid"),
    "questionnaire_invalid": N_("rounds.err.questionnaire_invalid"),
    "title_missing": N_("rounds.err.title_missing"),
    "title_long": N_("rounds.err.title_long"),
    "closes_before_opens": N_("rounds.err.closes_before_opens"),
    "closes_past": N_("rounds.err.closes_past"),
    "extend_not_later": N_("rounds.err.extend_not_later"),
    "reopen_needs_date": N_("rounds.err.reopen_needs_date"),
    "extend_closed": N_("rounds.err.extend_closed"),
    "already_closed": N_("rounds.err.already_closed"),
    "not_closed": N_("rounds.err.not_closed"),
    "reopen_in_closed_round": N_("rounds.err.reopen_in_closed_round"),
}


def _participation(request: Request, session: SessionDep, scope: RoundScope) -> Participation:
    q = _questionnaire(request, session, scope)
    return participation(session, scope=scope, q=q, k=request.app.state.settings.min_group_size)


def _issue_values(values: dict[str, Any], lang: str) -> dict[str, Any]:
    """Unit kinds in a problem, in words."""
    shown = dict(values)
    if "kind" in shown:
        shown["kind"] = translate(UNIT_KIND[shown["kind"]], lang).lower()
    if "kinds" in shown:
        shown["kinds"] = ", ".join(translate(UNIT_KINDS[k], lang) for k in shown["kinds"])
    return shown


def _issue_texts(issues: list[Issue], lang: str) -> list[dict[str, str]]:
    return [
        {
            "field": i.field,
            "label": translate(FIELDS[i.field], lang),
            "text": translate(ISSUES[i.key], lang, **_issue_values(i.values, lang)),
        }
        for i in issues
    ]


# --------------------------------------------------------------------------------- list


@router.get("", name="rounds_list")
def rounds_list(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    _require_round_role(actor)
    rounds = visible_rounds(session, actor=actor)
    paths = None if actor.is_admin or actor.has("national") else strategist_paths(actor)
    return render(
        request,
        "rounds_list.html",
        {
            "summaries": round_summaries(session, rounds=rounds, paths=paths),
            # National staff see aggregates only: no single-unit overview (issue 8).
            "can_open": actor.is_admin or bool(strategist_paths(actor)),
            "can_create": bool(owner_choices(session, actor=actor)),
            "today": local_today(),
        },
    )


# --------------------------------------------------------------------------------- new round


def _form_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    *,
    owner_id: int | None,
    values: dict[str, Any],
    issues: list[Issue] | None = None,
    status_code: int = 200,
) -> Response:
    owners = owner_choices(session, actor=actor)
    if not owners:
        raise NotFound("err.page_not_found")
    owner = next((o for o in owners if o.id == owner_id), owners[0])
    units = organiser_units(session, owner=owner)
    forms = unit_forms(session, unit_ids=[u.id for u in units])  # type: ignore[misc]
    present = {f for fs in forms.values() for f in fs}
    lang = get_lang(request)
    questionnaires = sorted(
        request.app.state.questionnaires.values(), key=lambda q: (q.title.get(lang), q.version)
    )
    issue_list = _issue_texts(issues or [], lang)
    described = {
        u.id: ", ".join(
            dict.fromkeys(
                [translate(UNIT_KIND[u.kind], lang)]
                + [translate(SCHOOL_FORM_LABELS[f], lang) for f in forms.get(u.id, [])]  # type: ignore[arg-type]
            )
        )
        for u in units
    }
    return render(
        request,
        "rounds_new.html",
        {
            "owners": owners,
            "owner": owner,
            "units": units,
            "unit_labels": described,
            "school_forms": [f for f in SCHOOL_FORMS if f in present],
            "questionnaires": questionnaires,
            "values": values,
            "issues": issue_list,
            "invalid": {i["field"] for i in issue_list},
            "today": local_today(),
        },
        status_code=status_code,
    )


@router.get("/new", name="new_round")
def new_round(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    raw = request.query_params.get("owner", "")
    values = {"selection": "all", "school_forms": [], "units": []}
    return _form_page(request, session, actor, owner_id=ascii_int(raw), values=values)


@router.post("", name="create_round")
def create_round_action(
    request: Request, session: SessionDep, form: FormDep, actor: CurrentActor
) -> Response:
    if not owner_choices(session, actor=actor):
        raise NotFound("err.page_not_found")
    single = {k: v for k, v in form.items() if isinstance(v, str)}
    lists = {
        name: [v for v in form.getlist(name) if isinstance(v, str)]
        for name in ("school_forms", "units")
    }
    req = parse_round_request(single, lists)
    try:
        round_ = create_organiser_round(
            session,
            actor=actor,
            req=req,
            questionnaires=request.app.state.questionnaires,
            today=local_today(),
            ip=client_ip(request),
        )
    except RoundInputError as exc:
        session.rollback()
        values = {**single, **lists}
        return _form_page(
            request,
            session,
            actor,
            owner_id=req.owner_id,
            values=values,
            issues=exc.issues,
            status_code=422,
        )
    return RedirectResponse(f"/rounds/{round_.id}?done=created", status_code=303)


# --------------------------------------------------------------------------------- overview


def _overview_context(
    request: Request, session: SessionDep, actor: Actor, scope: RoundScope
) -> dict[str, Any]:
    part = _participation(request, session, scope)
    lang = get_lang(request)
    return {
        "scope": scope,
        "round": scope.round,
        "part": part,
        "q": _questionnaire(request, session, scope),
        "can_reopen": {r.unit.id: can_reopen(actor, r.unit) for r in part.rows},
        "can_view": {r.unit.id: can_view_results(actor, r.unit, r.assessment) for r in part.rows},
        "when": lambda moment: local_time(moment, lang),
        "refreshed": local_time(utcnow(), lang),
        "today": local_today(),
        "nav": round_nav(request, scope.round.id, "participation"),  # type: ignore[arg-type]
    }


def _render_participation_block(request: Request, context: dict[str, Any]) -> Response:
    """The participation section alone, for htmx's in-place refresh."""
    lang = get_lang(request)
    template = request.app.state.templates.env.get_template("rounds_overview.html")
    found = getattr(request.state, "auth", None)
    values = {
        "request": request,
        "lang": lang,
        "csrf_token": csrf_token_for(request),
        "actor": found.actor if found else None,
        "path_for": request.app.url_path_for,
        **context,
    }
    html = "".join(template.blocks["participation"](template.new_context(values)))
    return HTMLResponse(html, headers={"Vary": "HX-Request, Cookie", "Cache-Control": "no-store"})


def _overview(
    request: Request,
    session: SessionDep,
    actor: Actor,
    scope: RoundScope,
    *,
    error: str | None = None,
    issues: list[Issue] | None = None,
    status_code: int = 200,
) -> Response:
    context = _overview_context(request, session, actor, scope)
    if is_htmx(request) and request.method == "GET":
        return _render_participation_block(request, context)
    done = request.query_params.get("done")
    context.update(
        done=done if done in DONE else None,
        error=error,
        issues=_issue_texts(issues or [], get_lang(request)),
    )
    return render(request, "rounds_overview.html", context, status_code=status_code)


@router.get("/{round_id}", name="round_overview")
def round_overview(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    scope = get_round_units_view(session, actor=actor, round_id=round_id)
    return _overview(request, session, actor, scope)


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
    request: Request, session: SessionDep, actor: Actor, round_id: Id, form: Any, action: str
) -> Response:
    scope = get_round_units_view(session, actor=actor, round_id=round_id)
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
            close_round(
                session,
                scope=scope,
                actor=actor,
                today=local_today(),
                k=request.app.state.settings.min_group_size,
                ip=ip,
            )
        else:
            reopen_round(
                session, scope=scope, actor=actor, today=local_today(), closes=closes, ip=ip
            )
    except RoundInputError as exc:
        session.rollback()
        return _overview(request, session, actor, scope, issues=exc.issues, status_code=422)
    except RoundConflict as exc:
        session.rollback()
        message = error_text(exc, get_lang(request))
        return _overview(request, session, actor, scope, error=message, status_code=409)
    done = {"extend": "extended", "close": "closed", "reopen": "reopened"}[action]
    return RedirectResponse(f"/rounds/{round_id}?done={done}", status_code=303)


@router.post("/{round_id}/extend", name="extend_round")
def extend(
    request: Request, session: SessionDep, form: FormDep, actor: CurrentActor, round_id: Id
) -> Response:
    return _lifecycle(request, session, actor, round_id, form, "extend")


@router.post("/{round_id}/close", name="close_round")
def close(
    request: Request, session: SessionDep, form: FormDep, actor: CurrentActor, round_id: Id
) -> Response:
    return _lifecycle(request, session, actor, round_id, form, "close")


@router.post("/{round_id}/reopen", name="reopen_round")
def reopen_whole_round(
    request: Request, session: SessionDep, form: FormDep, actor: CurrentActor, round_id: Id
) -> Response:
    return _lifecycle(request, session, actor, round_id, form, "reopen")


@router.post("/{round_id}/assessments/{assessment_id}/reopen", name="round_reopen_assessment")
def reopen_assessment(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id, assessment_id: Id
) -> Response:
    """Reopen a submitted assessment from the participation list (logged)."""
    scope = get_round_units_view(session, actor=actor, round_id=round_id)
    ctx = load_assessment(session, assessment_id=assessment_id)
    if (
        ctx.round.id != scope.round.id
        or not scope.sees_unit(ctx.unit)
        or not can_reopen(actor, ctx.unit)
    ):
        raise NotFound("err.assessment.not_found")
    if scope.round.state == "closed":
        message = translate("rounds.err.reopen_in_closed_round", get_lang(request))
        return _overview(request, session, actor, scope, error=message, status_code=409)
    try:
        reopen(session, ctx=ctx, actor=actor, ip=client_ip(request))
    except Conflict as exc:
        session.rollback()
        return _overview(
            request,
            session,
            actor,
            scope,
            error=error_text(exc, get_lang(request)),
            status_code=409,
        )
    return RedirectResponse(
        f"/rounds/{round_id}?done=assessment_reopened#unit-{ctx.unit.id}", status_code=303
    )


# --------------------------------------------------------------------------------- exports


def _download(content: bytes, filename: str, media_type: str) -> Response:
    return Response(
        content,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def _tr(lang: str) -> Callable[[str], str]:
    return lambda key: translate(key, lang)


def _export(
    request: Request, session: SessionDep, actor: Actor, round_id: Id
) -> tuple[Participation, RoundScope, Questionnaire, str]:
    scope = get_round_units_view(session, actor=actor, round_id=round_id)
    part = _participation(request, session, scope)
    lang = get_lang(request)
    return part, scope, _questionnaire(request, session, scope), lang


@router.get("/{round_id}/participation.csv", name="participation_csv")
def participation_csv(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    part, _, _, lang = _export(request, session, actor, round_id)
    sheet = participation_sheet(part, tr=_tr(lang))
    stem = file_stem(part.round, translate("rounds.file.participation", lang))
    return _download(csv_bytes([sheet]), f"{stem}.csv", CSV)


@router.get("/{round_id}/participation.xlsx", name="participation_xlsx")
def participation_xlsx(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    part, scope, q, lang = _export(request, session, actor, round_id)
    tr = _tr(lang)
    sheets = [
        about_sheet(part, owner_name=scope.owner.name, q=q, tr=tr, lang=lang),
        participation_sheet(part, tr=tr),
    ]
    stem = file_stem(part.round, translate("rounds.file.participation", lang))
    return _download(xlsx_bytes(sheets), f"{stem}.xlsx", XLSX)


# --------------------------------------------------------------------------------- reminders


def _reminders(
    request: Request, session: SessionDep, actor: Actor, round_id: Id
) -> tuple[RoundScope, Participation, list[Reminder]]:
    scope = get_round_units_view(session, actor=actor, round_id=round_id)
    part = _participation(request, session, scope)
    return scope, part, reminders(session, part=part)


@router.get("/{round_id}/reminders", name="round_reminders")
def reminders_page(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    scope, part, waiting = _reminders(request, session, actor, round_id)
    emails = list(dict.fromkeys(e for r in waiting for e in r.emails))
    return render(
        request,
        "rounds_reminders.html",
        {
            "scope": scope,
            "round": scope.round,
            "part": part,
            "reminders": waiting,
            "emails": emails,
            "without_email": [r for r in waiting if not r.emails],
            "when": lambda moment: local_time(moment, get_lang(request)),
        },
    )


@router.get("/{round_id}/reminders.csv", name="round_reminders_csv")
def reminders_csv(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    _, part, waiting = _reminders(request, session, actor, round_id)
    lang = get_lang(request)
    sheet = reminders_sheet(part, waiting, tr=_tr(lang))
    stem = file_stem(part.round, translate("rounds.file.reminders", lang))
    return _download(csv_bytes([sheet]), f"{stem}.csv", CSV)
