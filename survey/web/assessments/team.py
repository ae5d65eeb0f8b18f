"""Team consensus (README "Team consensus"): the principal's team page (invite members, see the
spread of their ratings per item, set the agreed value) and a member's own rating page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from survey.config import Settings
from survey.errors import DomainError
from survey.models import id_of
from survey.questionnaire import Questionnaire
from survey.services.access import Actor, AssessmentContext, get_assessment_for
from survey.services.assessments.answers import answers_of, progress_of
from survey.services.assessments.consensus import (
    DIFFER_SPAN,
    Invited,
    agree,
    disagreed,
    ensure_unit_level,
    invite_member,
    member_for,
    plan_disagreed,
    rating_editable,
    ratings_of,
    save_rating,
    save_rating_area,
    spread_for_member,
    submit_rating,
    team_spread,
)
from survey.services.rounds.store import unit_respondent
from survey.web.assessments.common import (
    AnswerableAssessment,
    AnsweredQuestionnaire,
    assessment_questionnaire,
)
from survey.web.auth import CsrfProtected, CurrentActor, client_ip
from survey.web.deps import FormDep, FrameworkDep, Id, SessionDep, SettingsDep, get_lang
from survey.web.errors import error_text
from survey.web.i18n import translate
from survey.web.mail.compose import absolute_url, compose, queue
from survey.web.rendering import render

router = APIRouter(prefix="/assessments", dependencies=[CsrfProtected], include_in_schema=False)


def _to_rate(session: SessionDep, actor: CurrentActor, assessment_id: Id) -> AssessmentContext:
    return get_assessment_for(session, actor=actor, assessment_id=assessment_id, purpose="rate")


RatableAssessment = Annotated[AssessmentContext, Depends(_to_rate)]


def _rated_questionnaire(
    session: SessionDep, ctx: RatableAssessment, framework: FrameworkDep
) -> Questionnaire:
    q = assessment_questionnaire(session, ctx, framework)
    ensure_unit_level(q)
    return q


RatedQuestionnaire = Annotated[Questionnaire, Depends(_rated_questionnaire)]


@dataclass(frozen=True)
class RateTarget:
    """Where the member's form posts (the shape the form's macros expect)."""

    base: str
    anonymous: bool = False

    def item_url(self, item_id: str) -> str:
        return f"{self.base}/items/{item_id}"

    def area_url(self, area: str) -> str:
        return f"{self.base}/areas/{area}"


# ----------------------------------------------------------------------------- principal's page


def _team_page(
    request: Request,
    session: Session,
    ctx: AssessmentContext,
    q: Questionnaire,
    *,
    email: str = "",
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    ensure_unit_level(q)
    members, spreads = team_spread(session, ctx=ctx, q=q)
    respondent = unit_respondent(session, assessment=ctx.assessment)
    only = request.query_params.get("only") == "differ"
    shown = [s for s in spreads if s.differs] if only else spreads
    return render(
        request,
        "team.html",
        {
            "ctx": ctx,
            "q": q,
            "members": members,
            "spreads": shown,
            "differing": disagreed(spreads),
            "only_differ": only,
            "span": DIFFER_SPAN,
            "answers": answers_of(session, respondent_id=id_of(respondent)),
            "editable": ctx.assessment.state != "submitted" and ctx.round.state != "closed",
            "email": email,
            "error": error,
            "done": request.query_params.get("done", ""),
        },
        status_code=status_code,
    )


@router.get("/{assessment_id}/team", name="team_page")
def team_page(
    request: Request, session: SessionDep, ctx: AnswerableAssessment, q: AnsweredQuestionnaire
) -> Response:
    return _team_page(request, session, ctx, q)


def _mail_member(
    request: Request, session: Session, settings: Settings, actor: Actor, ctx: AssessmentContext,
    invited: Invited,
) -> None:  # fmt: skip
    lang = invited.user.language
    path_for = request.app.state.path_for
    password_link = None
    if invited.password_token is not None:
        path = path_for("password_reset_form", token=invited.password_token)
        password_link = absolute_url(request, settings, path)
    mail = compose(
        settings,
        "team_invitation",
        lang=lang,
        subject=translate("mail.team.subject", lang, unit=ctx.unit.name),
        inviter=actor.user.name or actor.user.email,
        unit=ctx.unit.name,
        link=absolute_url(
            request, settings, path_for("rate_page", assessment_id=ctx.assessment.id)
        ),
        password_link=password_link,
    )
    queue(session, mail, recipient=invited.user.email, lang=lang, kind="team_invitation")


@router.post("/{assessment_id}/team/members", name="team_invite")
def team_invite(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    ctx: AnswerableAssessment,
    q: AnsweredQuestionnaire,
    email: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    ensure_unit_level(q)
    try:
        invited = invite_member(
            session, ctx=ctx, email=email, actor=actor, ip=client_ip(request),
            link_minutes=settings.invitation_days * 24 * 60,
        )  # fmt: skip
    except DomainError as exc:
        text = error_text(exc, get_lang(request))
        return _team_page(request, session, ctx, q, email=email, error=text, status_code=422)
    _mail_member(request, session, settings, actor, ctx, invited)
    url = request.app.state.path_for("team_page", assessment_id=ctx.assessment.id)
    return RedirectResponse(url + "?done=invited", status_code=303)


@router.post("/{assessment_id}/team/items/{item_id}", name="team_agree")
def team_agree(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    ctx: AnswerableAssessment,
    q: AnsweredQuestionnaire,
    item_id: str,
    agreed: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    ensure_unit_level(q)
    agree(
        session, ctx=ctx, q=q, item_id=item_id, choice_raw=agreed, note=note, actor=actor,
        ip=client_ip(request),
    )  # fmt: skip
    url = request.app.state.path_for("team_page", assessment_id=ctx.assessment.id)
    fid = item_id.replace(".", "-")
    return RedirectResponse(f"{url}?done=agreed#team-{fid}", status_code=303)


@router.post("/{assessment_id}/team/plan", name="team_plan")
def team_plan(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    ctx: AnswerableAssessment,
    q: AnsweredQuestionnaire,
) -> Response:
    ensure_unit_level(q)
    added = plan_disagreed(session, ctx=ctx, q=q, actor=actor, ip=client_ip(request))
    url = request.app.state.path_for("plan_page", assessment_id=ctx.assessment.id)
    return RedirectResponse(f"{url}?added={added}", status_code=303)


# ----------------------------------------------------------------------------- a member's page


def _rate_context(
    request: Request, session: Session, ctx: AssessmentContext, q: Questionnaire, member: Any,
    area: str | None,
) -> dict[str, Any]:  # fmt: skip
    area = area if area in q.area_ids else q.area_ids[0]
    ratings = ratings_of(session, member_id=id_of(member))
    spreads = None
    if member.submitted_at is not None:
        spreads = {s.item_id: s for s in spread_for_member(session, ctx=ctx, q=q, member=member)}
    return {
        "target": RateTarget(base=f"/assessments/{ctx.assessment.id}/rate"),
        "ctx": ctx,
        "q": q,
        "area": area,
        "items": q.items_in("area", area),
        "answers": ratings,
        "progress": progress_of(q, ratings),  # type: ignore[arg-type]
        "editable": rating_editable(ctx, member),
        "member": member,
        "spreads": spreads,
        "span": DIFFER_SPAN,
        "synced": "",
        "next_area": None,
    }


@router.get("/{assessment_id}/rate", name="rate_page")
def rate_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    ctx: RatableAssessment,
    q: RatedQuestionnaire,
    area: str | None = None,
) -> Response:
    member = member_for(session, ctx=ctx, actor=actor)
    context = _rate_context(request, session, ctx, q, member, area)
    context["message"] = request.query_params.get("saved")
    return render(request, "team_rate.html", context)


@router.post("/{assessment_id}/rate/items/{item_id}", name="rate_item")
def rate_item(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    form: FormDep,
    ctx: RatableAssessment,
    q: RatedQuestionnaire,
    item_id: str,
) -> Response:
    """Autosave of one rating; htmx gets the form's out-of-band fragments."""
    member = member_for(session, ctx=ctx, actor=actor)
    htmx = request.headers.get("hx-request") == "true"
    raw, comment = form.get(f"answer-{item_id}"), form.get(f"comment-{item_id}")
    item = q.item_by_id.get(item_id)
    try:
        save_rating(
            session, ctx=ctx, q=q, member=member, item_id=item_id,
            choice_raw=raw if isinstance(raw, str) else None,
            comment=comment if isinstance(comment, str) else None,
        )  # fmt: skip
    except DomainError as exc:
        if not htmx:
            raise
        context: dict[str, Any] = {
            "item_id": item_id,
            "error": error_text(exc, get_lang(request)),
        }
        return render(request, "_save_result.html", context, status_code=exc.status_code)
    area = item.area if item else None
    if not htmx:
        url = f"/assessments/{ctx.assessment.id}/rate?area={area}#item-{item_id.replace('.', '-')}"
        return RedirectResponse(url, status_code=303)
    context = _rate_context(request, session, ctx, q, member, area)
    context.update({"item_id": item_id, "error": None, "changed_items": []})
    return render(request, "_save_result.html", context)


@router.post("/{assessment_id}/rate/areas/{area}", name="rate_area")
def rate_area(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    form: FormDep,
    ctx: RatableAssessment,
    q: RatedQuestionnaire,
    area: str,
) -> Response:
    member = member_for(session, ctx=ctx, actor=actor)
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    given = {
        item.id: (values.get(f"answer-{item.id}"), values.get(f"comment-{item.id}"))
        for item in q.items_in("area", area)
    }
    save_rating_area(session, ctx=ctx, q=q, member=member, area=area, given=given)
    url = f"/assessments/{ctx.assessment.id}/rate?area={area}&saved=saved"
    return RedirectResponse(url, status_code=303)


@router.post("/{assessment_id}/rate/submit", name="rate_submit")
def rate_submit(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    ctx: RatableAssessment,
    q: RatedQuestionnaire,
) -> Response:
    member = member_for(session, ctx=ctx, actor=actor)
    submit_rating(session, ctx=ctx, member=member, ip=client_ip(request))
    url = request.app.state.path_for("rate_page", assessment_id=ctx.assessment.id)
    return RedirectResponse(url + "?saved=submitted", status_code=303)
