"""/admin/mail: the outbox for administrators, with the message bodies and the reasons of
failures; it says plainly when no SMTP server is configured (messages are then only stored).
Teachers' links (``EPHEMERAL_KINDS``) are listed without recipient, body or reason: only that they
exist."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from survey.errors import NotFound
from survey.services.access import Actor
from survey.services.mail.outbox import (
    EPHEMERAL_KINDS,
    get_message,
    list_messages,
    outbox_counts,
)
from survey.web.auth import CsrfProtected, CurrentActor
from survey.web.deps import Id, SessionDep, SettingsDep
from survey.web.rendering import render

router = APIRouter(prefix="/admin/mail", dependencies=[CsrfProtected], include_in_schema=False)


def _require_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise NotFound("err.page_not_found")


@router.get("", name="admin_mail")
def outbox_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    status: str = "",
) -> Response:
    _require_admin(actor)
    return render(
        request,
        "admin_mail.html",
        {
            "messages": list_messages(session, status=status or None),
            "counts": outbox_counts(session),
            "status": status,
            "smtp": bool(settings.smtp_url.strip()),
            "interval": settings.mail_send_interval,
            "hidden_kinds": EPHEMERAL_KINDS,
        },
    )


@router.get("/{message_id}", name="admin_mail_message")
def message_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    message_id: Id,
) -> Response:
    _require_admin(actor)
    return render(
        request,
        "admin_mail_message.html",
        {
            "message": get_message(session, message_id=message_id),
            "smtp": bool(settings.smtp_url.strip()),
            "hidden_kinds": EPHEMERAL_KINDS,
        },
    )
