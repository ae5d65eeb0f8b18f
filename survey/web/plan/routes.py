"""The action plan (handlingsplan) of a unit's assessment, and the exports of an assessment.

Reading and exporting need the right to view the result (the unit, or the organiser's strategists
once it is shared); editing needs the right to answer. Individual questionnaires have no plan of
their own, and their export holds aggregated results only.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from survey.errors import DomainError, InvalidInput, NotFound
from survey.models import ACTION_STATUSES, Answer
from survey.questionnaire import Questionnaire
from survey.services.access import AssessmentContext, can_answer, get_assessment_for
from survey.services.assessments.answers import answers_of
from survey.services.plan.actions import (
    EDITABLE,
    PRIORITIES,
    PlanFilters,
    StaleRow,
    add_row,
    delete_row,
    parse_filters,
    plan_rows,
    row_version,
    status_counts,
    update_row,
)
from survey.services.rounds.store import unit_respondent
from survey.sheets import Sheet
from survey.web.assessments.common import assessment_questionnaire
from survey.web.assessments.files import assessment_export, export_stem, plan_sheet
from survey.web.auth import CsrfProtected, CurrentActor
from survey.web.deps import (
    FormDep,
    Id,
    OptionalIdQuery,
    SessionDep,
    get_framework,
    get_lang,
)
from survey.web.errors import error_text
from survey.web.i18n import translate
from survey.web.plan.present import line_views
from survey.web.rendering import SheetFormat, is_htmx, redirect_to, render, sheets_file

router = APIRouter(prefix="/assessments", dependencies=[CsrfProtected], include_in_schema=False)

ADD_FIELDS = ("title", "activity", "priority", "owner", "due_date")


def _load(
    request: Request, session: SessionDep, actor: CurrentActor, assessment_id: Id, purpose: str
) -> tuple[AssessmentContext, Questionnaire]:
    ctx = get_assessment_for(session, actor=actor, assessment_id=assessment_id, purpose=purpose)
    return ctx, assessment_questionnaire(session, ctx, get_framework(request))


def _load_plan(
    request: Request, session: SessionDep, actor: CurrentActor, assessment_id: Id, purpose: str
) -> tuple[AssessmentContext, Questionnaire]:
    ctx, q = _load(request, session, actor, assessment_id, purpose)
    if q.is_individual:
        raise NotFound("err.plan.individual")
    return ctx, q


def _answers(session: SessionDep, ctx: AssessmentContext) -> dict[str, Answer]:
    respondent = unit_respondent(session, assessment=ctx.assessment)
    return answers_of(session, respondent_id=respondent.id)  # type: ignore[arg-type]


def _filters_of(request: Request, q: Questionnaire) -> PlanFilters:
    params = request.query_params
    return parse_filters(
        q, area=params.get("area"), subgoal=params.get("subgoal"), tag=params.get("tag")
    )


def _to_plan(
    request: Request, assessment_id: Id, query: dict[str, str], anchor: str = ""
) -> Response:
    return redirect_to(
        request, "plan_page", query=query, anchor=anchor, assessment_id=assessment_id
    )


def _form_values(form: Any, names: tuple[str, ...]) -> dict[str, str]:
    return {name: value for name in names if isinstance(value := form.get(name), str)}


def _render_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    ctx: AssessmentContext,
    q: Questionnaire,
    *,
    error: str | None = None,
    add_values: dict[str, str] | None = None,
    open_row: OptionalIdQuery = None,
    status_code: int = 200,
) -> Response:
    lang = get_lang(request)
    framework = get_framework(request)
    filters = _filters_of(request, q)
    answers = _answers(session, ctx)
    lines = line_views(
        plan_rows(session, ctx=ctx, q=q, answers=answers, filters=filters), framework, lang
    )
    counts = status_counts(session, ctx=ctx)
    done = request.query_params.get("done")
    chosen = [
        framework.area_by_id[filters.area].title.get(lang) if filters.area else None,
        filters.subgoal.replace("FO", "FO ") if filters.subgoal else None,
        filters.tag,
    ]
    return render(
        request,
        "plan.html",
        {
            "ctx": ctx,
            "q": q,
            "lines": lines,
            "filters": filters,
            "filter_query": urlencode(filters.query()),
            "filter_text": ", ".join(c for c in chosen if c),
            "areas": [(a, framework.area_by_id[a].title.get(lang)) for a in q.area_ids],
            "subgoals": [
                (s, f"{s.replace('FO', 'FO ')} {framework.subgoal_by_id[s].short.get(lang)}")
                for s in q.subgoal_ids
            ],
            "level_labels": {level.value: level.label.get(lang) for level in q.scale.levels},
            "priorities": PRIORITIES,
            "statuses": ACTION_STATUSES,
            "counts": counts,
            "total": sum(counts.values()),
            "can_edit": can_answer(actor, ctx.unit),
            "version_of": row_version,
            "done": done if done in ("saved", "added", "deleted") else None,
            "error": error,
            "add_values": add_values or {},
            "open_row": open_row,
        },
        status_code=status_code,
    )


@router.get("/{assessment_id}/plan", name="plan_page")
def plan_page(
    request: Request, session: SessionDep, actor: CurrentActor, assessment_id: Id
) -> Response:
    ctx, q = _load_plan(request, session, actor, assessment_id, "view")
    return _render_page(request, session, actor, ctx, q)


@router.post("/{assessment_id}/plan/rows/{row_id}")
def plan_update_row(
    request: Request,
    session: SessionDep,
    form: FormDep,
    actor: CurrentActor,
    assessment_id: Id,
    row_id: Id,
) -> Response:
    """Autosave of one field (htmx) or the plain save of a whole row (then Post/Redirect/Get)."""
    ctx, q = _load_plan(request, session, actor, assessment_id, "answer")
    values = _form_values(form, EDITABLE)
    version = form.get("version")
    if is_htmx(request):
        field = next(iter(values), "row")
        try:
            row = update_row(
                session,
                ctx=ctx,
                row_id=row_id,
                values=values,
                version=version if isinstance(version, str) else None,
            )
        except DomainError as exc:
            return render(
                request,
                "plan.html",
                block="row_saved",
                context={
                    "row_id": row_id,
                    "field": field,
                    "error": error_text(exc, get_lang(request)),
                },
                status_code=exc.status_code,
            )
        counts = status_counts(session, ctx=ctx)
        return render(
            request,
            "plan.html",
            block="row_saved",
            context={
                "row_id": row.id,
                "field": field,
                "error": None,
                "version": row_version(row),
                "counts": counts,
                "total": sum(counts.values()),
                "row": row,
                "oob": True,
            },
        )
    try:
        update_row(
            session,
            ctx=ctx,
            row_id=row_id,
            values=values,
            version=version if isinstance(version, str) and version else None,
        )
    except (StaleRow, InvalidInput) as exc:
        return _render_page(
            request,
            session,
            actor,
            ctx,
            q,
            error=error_text(exc, get_lang(request)),
            open_row=row_id,
            status_code=exc.status_code,
        )
    query = {**_filters_of(request, q).query(), "done": "saved"}
    return _to_plan(request, assessment_id, query, f"row-{row_id}")


@router.post("/{assessment_id}/plan/rows")
def plan_add_row(
    request: Request, session: SessionDep, form: FormDep, actor: CurrentActor, assessment_id: Id
) -> Response:
    ctx, q = _load_plan(request, session, actor, assessment_id, "answer")
    values = _form_values(form, ADD_FIELDS)
    try:
        row = add_row(session, ctx=ctx, **values)
    except InvalidInput as exc:
        return _render_page(
            request,
            session,
            actor,
            ctx,
            q,
            error=error_text(exc, get_lang(request)),
            add_values=values,
            status_code=exc.status_code,
        )
    return _to_plan(request, assessment_id, {"done": "added"}, f"row-{row.id}")


@router.post("/{assessment_id}/plan/rows/{row_id}/delete")
def plan_delete_row(
    request: Request, session: SessionDep, actor: CurrentActor, assessment_id: Id, row_id: Id
) -> Response:
    ctx, q = _load_plan(request, session, actor, assessment_id, "answer")
    delete_row(session, ctx=ctx, row_id=row_id)
    query = {**_filters_of(request, q).query(), "done": "deleted"}
    return _to_plan(request, assessment_id, query)


def _plan_export(
    request: Request, session: SessionDep, actor: CurrentActor, assessment_id: Id
) -> tuple[list[Sheet], str]:
    ctx, q = _load_plan(request, session, actor, assessment_id, "view")
    lang = get_lang(request)
    found = plan_rows(
        session, ctx=ctx, q=q, answers=_answers(session, ctx), filters=_filters_of(request, q)
    )
    lines = line_views(found, get_framework(request), lang)
    sheet = plan_sheet(lines, q=q, tr=lambda key, **kw: translate(key, lang, **kw), lang=lang)
    return [sheet], export_stem(ctx, part=translate("export.file_plan", lang))


def _whole_export(
    request: Request, session: SessionDep, actor: CurrentActor, assessment_id: Id
) -> tuple[list[Sheet], str]:
    ctx, q = _load(request, session, actor, assessment_id, "view")
    lang = get_lang(request)
    state = request.app.state
    sheets = assessment_export(
        session,
        ctx=ctx,
        q=q,
        framework=state.framework,
        answers={} if q.is_individual else _answers(session, ctx),
        lang=lang,
        tr=lambda key, **kw: translate(key, lang, **kw),
        min_group_size=state.settings.min_group_size,
    )
    return sheets, export_stem(ctx, part=translate("export.file_all", lang))


@router.get("/{assessment_id}/plan.{fmt}", name="plan_file")
def plan_file(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    assessment_id: Id,
    fmt: SheetFormat,
) -> Response:
    """The action plan (with the page's filters) as CSV or XLSX."""
    sheets, stem = _plan_export(request, session, actor, assessment_id)
    return sheets_file(sheets, stem, fmt.value)


@router.get("/{assessment_id}/export.{fmt}", name="export_file")
def export_file(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    assessment_id: Id,
    fmt: SheetFormat,
) -> Response:
    """The whole assessment (about, answers, scores, plan) as CSV or XLSX."""
    sheets, stem = _whole_export(request, session, actor, assessment_id)
    return sheets_file(sheets, stem, fmt.value)
