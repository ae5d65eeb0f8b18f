"""Sending reminders from a round's reminder list: a preview (the message in Swedish and
English, how many units and addresses, which units were reminded today already and are
skipped), then the send on confirmation: one message per address into the outbox, at most one
reminder per unit and day, in the audit log with the counts. Plain forms; no JavaScript needed."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from survey.clock import local_today
from survey.errors import Conflict
from survey.questionnaire import Questionnaire
from survey.services.access import Actor
from survey.services.rounds.access import RoundScope
from survey.services.rounds.mailing import Recipient, ReminderPlan, plan_reminders, record_reminders
from survey.services.rounds.participation import participation
from survey.web.auth import CsrfProtected, CurrentActor, client_ip
from survey.web.deps import SessionDep, SettingsDep, get_app_settings
from survey.web.i18n import LANGUAGES
from survey.web.mail.compose import Mail
from survey.web.rendering import redirect_to, render
from survey.web.rounds.common import RoundQuestionnaire, RoundView
from survey.web.rounds.mail import queue_reminders, reminder_mail

router = APIRouter(prefix="/rounds", dependencies=[CsrfProtected], include_in_schema=False)


def _plan(request: Request, session: Session, scope: RoundScope, q: Questionnaire) -> ReminderPlan:
    k = get_app_settings(request).min_group_size
    part = participation(session, scope=scope, q=q, k=k)
    return plan_reminders(session, part=part, today=local_today())


def _samples(request: Request, scope: RoundScope, plan: ReminderPlan) -> dict[str, Mail]:
    """The message as the first address would get it, in each language."""
    settings = get_app_settings(request)
    sample = plan.recipients[0] if plan.recipients else None
    if sample is None:
        return {}
    # Every language, whatever the first address's own: the preview shows both.
    neutral = Recipient(sample.email, sample.user_id, None, sample.units)
    return {
        lang: reminder_mail(request, settings, scope.round, neutral, lang) for lang in LANGUAGES
    }


def _preview(
    request: Request,
    session: Session,
    scope: RoundScope,
    q: Questionnaire,
    *,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    plan = _plan(request, session, scope, q)
    context: dict[str, Any] = {
        "scope": scope,
        "round": scope.round,
        "plan": plan,
        "samples": _samples(request, scope, plan),
        "closed": scope.round.state == "closed",
        "error": error,
    }
    return render(request, "rounds_remind.html", context, status_code=status_code)


@router.get("/{round_id}/reminders/send", name="round_remind_preview")
def remind_preview(
    request: Request, session: SessionDep, scope: RoundView, q: RoundQuestionnaire
) -> Response:
    """What would be sent; nothing is written."""
    return _preview(request, session, scope, q)


@router.post("/{round_id}/reminders/send", name="round_remind")
def remind(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    scope: RoundView,
    q: RoundQuestionnaire,
) -> Response:
    """Send now: the plan is worked out again (units reminded meanwhile are skipped)."""
    if scope.round.state == "closed":
        raise Conflict("rounds.err.remind_closed")
    plan = _plan(request, session, scope, q)
    _send(request, session, settings, actor, scope, plan)
    query = {"sent": str(len(plan.recipients)), "units": str(len(plan.due))}
    return redirect_to(request, "round_reminders", query=query, round_id=scope.round.id)


def _send(
    request: Request,
    session: Session,
    settings: Any,
    actor: Actor,
    scope: RoundScope,
    plan: ReminderPlan,
) -> None:
    if not plan.due:
        return
    today = local_today()
    record_reminders(
        session, round_=scope.round, plan=plan, actor=actor, today=today, ip=client_ip(request)
    )
    queue_reminders(request, session, settings, scope.round, plan.recipients)
