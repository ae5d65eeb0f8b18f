"""Benchmarks in national rounds: pages and their JSON twins.

- ``/benchmarks/rounds/{round_id}``: a strategist's organiser (its units) against the region and
  the nation; admins choose the organiser. Strategists of other organisers, national staff (they
  see aggregates only) and principals get 404.
- ``/assessments/{assessment_id}/benchmark``: one unit against its organiser, region and nation,
  for whoever may view the assessment's results (its principals; its organiser's strategists once
  shared; admins). National staff and strategists of other organisers get 404.
- Any round that is not national answers 404 (benchmarks compare with national statistics).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from survey.errors import InvalidInput, NotFound, msg
from survey.models import Round, Unit
from survey.questionnaire import Questionnaire
from survey.services.access import Actor, get_assessment_for
from survey.services.benchmarks.build import (
    benchmark_organisers,
    national_round,
    organiser_benchmark,
    unit_benchmark,
)
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.access import get_round_for, visible_rounds
from survey.web.auth import CsrfProtected, CurrentActor
from survey.web.benchmarks.present import describe
from survey.web.comparison.present import fmt, fmt_p, fmt_pct
from survey.web.deps import (
    Id,
    OptionalIdQuery,
    SessionDep,
    get_app_settings,
    get_framework,
    get_lang,
)
from survey.web.i18n import translate
from survey.web.openapi import API_ERRORS
from survey.web.rendering import render

router = APIRouter(dependencies=[CsrfProtected])
api = APIRouter(prefix="/api/v1/benchmarks", tags=["benchmarks"], responses=API_ERRORS)


def _questionnaire(request: Request, session: SessionDep, round_: Round) -> Questionnaire:
    return questionnaire_for(
        session, questionnaire_id=round_.questionnaire_id, framework=get_framework(request)
    )


def _may_benchmark_rounds(actor: Actor) -> bool:
    return actor.is_admin or actor.has("strategist")


def _round_choice(
    request: Request, session: SessionDep, actor: Actor, round_id: Id, organiser: int | None
) -> tuple[Round, Questionnaire, list[Unit], Unit | None]:
    """The national round, the organisers the actor may benchmark in it and the chosen one
    (None when the actor has to choose)."""
    if not _may_benchmark_rounds(actor):
        raise NotFound("err.round.not_found")
    scope = get_round_for(session, actor=actor, round_id=round_id)
    if scope.aggregates_only:
        raise NotFound("err.round.not_found")
    round_ = national_round(scope)
    choices = benchmark_organisers(session, scope=scope, actor=actor)
    if organiser is not None:
        chosen = next((u for u in choices if u.id == organiser), None)
        if chosen is None:
            raise NotFound("err.benchmark.organiser_not_in_round")
    else:
        chosen = choices[0] if len(choices) == 1 else None
        if not choices:
            raise NotFound("err.round.not_found")
    return round_, _questionnaire(request, session, round_), choices, chosen


def _described(request: Request, benchmark: Any, q: Questionnaire) -> dict[str, Any]:
    lang = get_lang(request)
    return describe(
        benchmark,
        q=q,
        framework=get_framework(request),
        tr=lambda key, **kw: translate(key, lang, **kw),
        lang=lang,
    )


def _round_data(
    request: Request, session: SessionDep, actor: Actor, round_id: Id, organiser: int | None
) -> tuple[dict[str, Any] | None, Round, list[Unit]]:
    round_, q, choices, chosen = _round_choice(request, session, actor, round_id, organiser)
    if chosen is None:
        return None, round_, choices
    benchmark = organiser_benchmark(
        session,
        round_=round_,
        q=q,
        organiser=chosen,
        k=get_app_settings(request).min_group_size,
    )
    return _described(request, benchmark, q), round_, choices


def _unit_data(
    request: Request, session: SessionDep, actor: Actor, assessment_id: Id
) -> dict[str, Any]:
    ctx = get_assessment_for(session, actor=actor, assessment_id=assessment_id, purpose="view")
    if ctx.round.kind != "national":
        raise NotFound("err.assessment.not_found")
    q = _questionnaire(request, session, ctx.round)
    benchmark = unit_benchmark(session, ctx=ctx, q=q, k=get_app_settings(request).min_group_size)
    data = _described(request, benchmark, q)
    data["assessment"] = {"id": ctx.assessment.id, "state": ctx.assessment.state}
    return data


# ------------------------------------------------------------------------------------- pages


def _formatters(request: Request) -> dict[str, Any]:
    lang = get_lang(request)
    return {
        "num": lambda v, d=2: fmt(v, d, lang),
        "pval": lambda p: fmt_p(p, lang),
        "pct": lambda s: fmt_pct(s, lang),
    }


@router.get("/benchmarks", include_in_schema=False)
def benchmark_index(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    if not _may_benchmark_rounds(actor):
        raise NotFound("err.page_not_found")
    entries = []
    for round_ in visible_rounds(session, actor=actor):
        if round_.kind != "national":
            continue
        scope = get_round_for(session, actor=actor, round_id=round_.id)  # type: ignore[arg-type]
        organisers = (
            [] if actor.is_admin else benchmark_organisers(session, scope=scope, actor=actor)
        )
        entries.append({"round": round_, "organisers": organisers})
    return render(request, "benchmark_index.html", {"entries": entries})


@router.get("/benchmarks/rounds/{round_id}", include_in_schema=False)
def round_benchmark_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    round_id: Id,
    organiser: OptionalIdQuery = None,
) -> Response:
    data, round_, choices = _round_data(request, session, actor, round_id, organiser)
    if data is None:
        return render(request, "benchmark_choose.html", {"round": round_, "choices": choices})
    return render(
        request,
        "benchmark_view.html",
        {"b": data, "choices": choices, "back": None, **_formatters(request)},
    )


@router.get("/assessments/{assessment_id}/benchmark", include_in_schema=False)
def unit_benchmark_page(
    request: Request, session: SessionDep, actor: CurrentActor, assessment_id: Id
) -> Response:
    data = _unit_data(request, session, actor, assessment_id)
    return render(
        request,
        "benchmark_view.html",
        {
            "b": data,
            "choices": [],
            "back": request.app.state.path_for("summary_page", assessment_id=str(assessment_id)),
            **_formatters(request),
        },
    )


# --------------------------------------------------------------------------------- JSON twins


@api.get("/rounds/{round_id}")
def round_benchmark_json(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    round_id: Id,
    organiser: OptionalIdQuery = None,
) -> dict[str, Any]:
    """The organiser's units in a national round against its region and the nation (the data of
    ``/benchmarks/rounds/{round_id}``). ``organiser`` (a unit id) is needed when the caller may
    benchmark several organisers. Suppressed groups are ``null`` with ``"suppressed": true``.
    404 for a round that is not national, for national staff and for other organisers."""
    data, _, choices = _round_data(request, session, actor, round_id, organiser)
    if data is None:
        problems = [msg("err.benchmark.choice", id=u.id, name=u.name) for u in choices]
        raise InvalidInput("err.benchmark.organiser", problems=problems)
    return data


@api.get("/assessments/{assessment_id}")
def unit_benchmark_json(
    request: Request, session: SessionDep, actor: CurrentActor, assessment_id: Id
) -> dict[str, Any]:
    """One unit's assessment in a national round against its organiser, region and nation (the
    data of ``/assessments/{assessment_id}/benchmark``). 404 when the round is not national or
    the caller may not view the assessment's results (national staff, other organisers)."""
    return _unit_data(request, session, actor, assessment_id)


router.include_router(api)
