"""The answering form, shared by a unit's assessment and an anonymous respondent's link."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.datastructures import FormData
from starlette.responses import Response

from survey.clock import utcnow
from survey.errors import DomainError
from survey.models import Answer, Respondent
from survey.parsing import ascii_int
from survey.questionnaire import Questionnaire
from survey.services.access import AssessmentContext
from survey.services.assessments.answers import (
    StaleForm,
    answers_of,
    progress_of,
    save_answer,
    save_area,
)
from survey.web.deps import get_lang
from survey.web.errors import error_text
from survey.web.rendering import render


@dataclass(frozen=True)
class FormTarget:
    """Where the form posts: ``base`` is /assessments/{id} or /r/{token}."""

    base: str
    ctx: AssessmentContext
    q: Questionnaire
    respondent: Respondent
    user_id: int | None
    anonymous: bool

    def item_url(self, item_id: str) -> str:
        return f"{self.base}/items/{item_id}"

    def area_url(self, area: str) -> str:
        return f"{self.base}/areas/{area}"


def _parse_time(raw: str | None) -> datetime | None:
    try:
        moment = datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return moment if moment is None or moment.tzinfo else None  # the page sends UTC with zone


def form_context(
    request: Request,
    session: Session,
    target: FormTarget,
    area: str | None,
    answers: dict[str, Answer] | None = None,
) -> dict[str, Any]:
    q = target.q
    area = area if area in q.area_ids else q.area_ids[0]
    if answers is None:
        answers = answers_of(session, respondent_id=target.respondent.id)  # type: ignore[arg-type]
    return {
        "target": target,
        "q": q,
        "ctx": target.ctx,
        "area": area,
        "items": q.items_in("area", area),
        "answers": answers,
        "progress": progress_of(q, answers),
        "synced": utcnow().isoformat(),
        "editable": target.ctx.assessment.state != "submitted"
        and target.respondent.state != "submitted"
        and target.ctx.round.state != "closed",
        "next_area": _next(q.area_ids, area),
    }


def _next(areas: tuple[str, ...], area: str) -> str | None:
    index = areas.index(area)
    return areas[index + 1] if index + 1 < len(areas) else None


def render_form(
    request: Request,
    session: Session,
    target: FormTarget,
    area: str | None,
    *,
    status_code: int = 200,
    message: str | None = None,
) -> Response:
    context = form_context(request, session, target, area)
    context["message"] = message
    return render(request, "answer_form.html", context, status_code=status_code)


def save_item_response(
    request: Request, session: Session, target: FormTarget, item_id: str, form: FormData
) -> Response:
    """Autosave of one item. htmx gets out-of-band fragments; a plain POST is redirected."""
    htmx = request.headers.get("hx-request") == "true"
    raw = form.get(f"answer-{item_id}")
    comment = form.get(f"comment-{item_id}")
    item = target.q.item_by_id.get(item_id)
    area = item.area if item else None
    try:
        saved = save_answer(
            session,
            ctx=target.ctx,
            q=target.q,
            respondent=target.respondent,
            item_id=item_id,
            choice_raw=raw if isinstance(raw, str) else None,
            comment=comment if isinstance(comment, str) else None,
            user_id=target.user_id,
        )
    except DomainError as exc:
        if not htmx:
            raise
        return render(
            request,
            "_save_result.html",
            {
                "item_id": item_id,
                "error": error_text(exc, get_lang(request)),
                "status_code": exc.status_code,
            },
            status_code=exc.status_code,
        )
    if not htmx:
        return RedirectResponse(f"{target.base}?area={area}#item-{item_id}", status_code=303)
    synced = form.get("synced")
    since = _parse_time(synced if isinstance(synced, str) else None)
    answers = answers_of(session, respondent_id=target.respondent.id)  # type: ignore[arg-type]
    others = [
        a.item_id
        for a in answers.values()
        if since is not None and a.item_id != item_id and a.updated_at > since
    ]
    # Committed before the fragment is rendered: the unit's row, locked by the save, is free
    # for the next save sooner (the session dependency's own commit then has nothing to do).
    session.commit()
    context = form_context(request, session, target, area, answers)
    context.update(
        item_id=item_id,
        saved=saved,
        error=None,
        changed_items=[target.q.item_by_id[i] for i in others if i in target.q.item_by_id],
    )
    return render(request, "_save_result.html", context)


def save_area_response(
    request: Request, session: Session, target: FormTarget, area: str, form: FormData
) -> Response:
    version_raw = form.get("version")
    version = ascii_int(version_raw) if isinstance(version_raw, str) else None
    values = {k: v for k, v in form.items() if isinstance(v, str)}
    # The form's field names (answer-<item>, comment-<item>) are this page's business.
    given = {
        item.id: (values.get(f"answer-{item.id}"), values.get(f"comment-{item.id}"))
        for item in target.q.items_in("area", area)
    }
    try:
        save_area(
            session,
            ctx=target.ctx,
            q=target.q,
            respondent=target.respondent,
            area=area,
            given=given,
            version=None if target.anonymous else version,
            user_id=target.user_id,
        )
    except StaleForm as exc:
        return render_form(
            request,
            session,
            target,
            area,
            status_code=409,
            message=error_text(exc, get_lang(request)),
        )
    next_area = _next(target.q.area_ids, area) if form.get("go") == "next" else area
    return RedirectResponse(f"{target.base}?area={next_area or area}&saved=1", status_code=303)
