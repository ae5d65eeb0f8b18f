"""Teacher links by mail, from the principal's page of a teacher round: a pasted list of
addresses, each of which gets one single-use anonymous link in a message of its own.

The addresses only go into the outbox (kind ``teacher_link``); nothing stores them with the
respondents, the links are paired with the addresses at random, and a sent message is deleted
from the outbox (survey/services/mail/sender.py), so which teacher got which link cannot be read
from the database once the mail has gone. README "E-mail" says what is kept until then.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import Response

from survey.errors import Conflict, InvalidInput
from survey.services.assessments.link_mail import MAX_ADDRESSES, pair_at_random, parse_addresses
from survey.services.assessments.respondents import create_links
from survey.web.assessments.common import AnswerableAssessment, AnsweredQuestionnaire
from survey.web.assessments.routes import individual_page
from survey.web.auth import CsrfProtected, CurrentActor, client_ip
from survey.web.deps import SessionDep, SettingsDep, TrDep
from survey.web.i18n import N_
from survey.web.mail.compose import absolute_url, compose, queue
from survey.web.rendering import redirect_to

router = APIRouter(prefix="/assessments", dependencies=[CsrfProtected], include_in_schema=False)

MAX_TEXT = 100_000  # characters of pasted addresses
REASONS = {"invalid": N_("linkmail.err.invalid"), "duplicate": N_("linkmail.err.duplicate")}


@router.post("/{assessment_id}/links/mail", name="mail_links")
def mail_links(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    tr: TrDep,
    ctx: AnswerableAssessment,
    q: AnsweredQuestionnaire,
    emails: Annotated[str, Form(max_length=MAX_TEXT)] = "",
) -> Response:
    """One link per address, each in its own message; nothing at all when a line is wrong."""
    if not q.is_individual:
        raise InvalidInput("err.links.not_individual")
    if ctx.assessment.state == "submitted" or ctx.round.state != "open":
        raise Conflict("err.links.collection_closed")
    found = parse_addresses(emails)
    if not found.ok:
        problems = [tr(REASONS[p.reason], line=p.line, value=p.value) for p in found.problems]
        if found.too_many:
            problems.append(tr("linkmail.err.too_many", max=MAX_ADDRESSES))
        if not found.addresses and not found.problems:
            problems.append(tr("linkmail.err.empty"))
        return individual_page(
            request, session, ctx, q, None, emails=emails, email_problems=problems,
            status_code=422,
        )  # fmt: skip
    tokens = create_links(
        session, ctx=ctx, count=len(found.addresses), actor=actor, ip=client_ip(request)
    )
    lang = tr.lang
    subject = tr("mail.teacher_link.subject", unit=ctx.unit.name)
    for address, token in pair_at_random(found.addresses, tokens):
        link = absolute_url(
            request, settings, request.app.url_path_for("respond_page", token=token)
        )
        mail = compose(
            settings,
            "teacher_link",
            lang=lang,
            subject=subject,
            unit=ctx.unit.name,
            title=ctx.round.title,
            closes=ctx.round.closes,
            link=link,
        )
        queue(session, mail, recipient=address, lang=lang, kind="teacher_link")
    query = {"mailed": str(len(found.addresses))}
    return redirect_to(request, "assessment_page", query=query, assessment_id=ctx.assessment.id)
