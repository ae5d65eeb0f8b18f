"""Invitations: the list with its one-at-a-time form and CSV upload (preview, then write), resend
and revoke; and the invitee's page behind the link (set a name and password, or just accept with
an existing account)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.datastructures import UploadFile
from starlette.responses import Response

from survey.config import Settings
from survey.errors import InvalidInput
from survey.models import Invitation, Unit
from survey.services.access import Actor
from survey.services.accounts.invitations import (
    FieldProblem,
    InviteRequest,
    accept_invitation,
    check_invitation,
    create_invitation,
    invitable_roles,
    open_invitation,
    parse_invitations_csv,
    resend_invitation,
    revoke_invitation,
    state_of,
    visible_invitations,
)
from survey.services.accounts.users import MAX_PASSWORD_LENGTH
from survey.web.auth import CsrfProtected, CurrentActor, client_ip
from survey.web.deps import FormDep, Id, SessionDep, SettingsDep, TrDep, get_app_settings, get_lang
from survey.web.errors import error_text, problem_texts, say
from survey.web.i18n import N_, translate
from survey.web.labels import ROLE
from survey.web.mail.compose import absolute_url, compose, queue
from survey.web.rendering import render

router = APIRouter(dependencies=[CsrfProtected], include_in_schema=False)

MAX_UPLOAD = 1_000_000  # bytes of CSV
FIELDS = {
    "email": N_("invitations.field.email"),
    "role": N_("invitations.field.role"),
    "unit": N_("invitations.field.unit"),
    "language": N_("invitations.field.language"),
}


def _mail(
    request: Request,
    session: Session,
    settings: Settings,
    actor: Actor,
    *,
    invitation: Invitation,
    unit: Unit,
    token: str,
) -> None:
    """The invitation mail, in the language the inviter chose, into the outbox (same
    transaction as the invitation)."""
    lang = invitation.language
    path = request.app.state.path_for("invite_accept_form", token=token)
    mail = compose(
        settings,
        "invitation",
        lang=lang,
        subject=translate("mail.invitation.subject", lang, unit=unit.name),
        inviter=actor.user.name or actor.user.email,
        role=ROLE[invitation.role],
        unit=unit.name,
        link=absolute_url(request, settings, path),
        expires=invitation.expires_at,
    )
    queue(session, mail, recipient=invitation.email, lang=lang, kind="invitation")


def _list_page(
    request: Request,
    session: Session,
    actor: Actor,
    *,
    values: dict[str, str] | None = None,
    issues: list[dict[str, str]] | None = None,
    upload_problems: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    rows = visible_invitations(session, actor=actor)
    context: dict[str, Any] = {
        "invitations": [(i, u, state_of(i)) for i, u in rows],
        "roles": invitable_roles(actor),
        "values": values or {"language": get_lang(request)},
        "issues": issues or [],
        "invalid": {i["field"] for i in issues or []},
        "upload_problems": upload_problems or [],
        "done": request.query_params.get("done", ""),
    }
    return render(request, "invitations.html", context, status_code=status_code)


@router.get("/invitations", name="invitations")
def invitations_page(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    return _list_page(request, session, actor)


def _issues(problems: list[FieldProblem], lang: str) -> list[dict[str, str]]:
    return [
        {"field": p.field, "label": translate(FIELDS[p.field], lang), "text": say(p.message, lang)}
        for p in problems
    ]


@router.post("/invitations", name="invite")
def invite(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    email: Annotated[str, Form(max_length=1000)] = "",
    role: Annotated[str, Form(max_length=50)] = "",
    unit: Annotated[str, Form(max_length=100)] = "",
    language: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    found, problems = check_invitation(
        session, actor=actor, email=email, role=role, unit_ref=unit, language=language
    )
    if found is None:
        values = {"email": email, "role": role, "unit": unit, "language": language}
        issues = _issues(problems, get_lang(request))
        return _list_page(request, session, actor, values=values, issues=issues, status_code=422)
    _send_new(request, session, settings, actor, [found])
    return RedirectResponse(request.app.state.path_for("invitations") + "?done=sent", 303)


def _send_new(
    request: Request,
    session: Session,
    settings: Settings,
    actor: Actor,
    found: list[InviteRequest],
) -> None:
    ip = client_ip(request)
    for item in found:
        invitation, token = create_invitation(
            session, actor=actor, request=item, days=settings.invitation_days, ip=ip
        )
        _mail(request, session, settings, actor, invitation=invitation, unit=item.unit,
              token=token)  # fmt: skip


def _csv_text(form: Any) -> str | None:
    upload = form.get("file")
    if isinstance(upload, UploadFile) and upload.filename:
        data = upload.file.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            raise InvalidInput("err.invitation.file_large", max=MAX_UPLOAD // 1000)
        try:
            return str(data.decode("utf-8"))
        except UnicodeDecodeError:
            raise InvalidInput("err.invitation.not_utf8") from None
    text = form.get("csv_text")
    return text if isinstance(text, str) and text.strip() else None


def _parse(
    request: Request, session: Session, actor: Actor, text: str | None, language: str
) -> tuple[list[InviteRequest], list[str]]:
    lang = get_lang(request)
    if text is None:
        return [], [translate("err.invitation.no_file", lang)]
    if language not in ("sv", "en"):
        language = lang
    try:
        return parse_invitations_csv(session, actor=actor, text=text, language=language), []
    except InvalidInput as exc:
        return [], [error_text(exc, lang), *problem_texts(exc, lang)]


@router.post("/invitations/upload", name="invitations_upload")
def upload(request: Request, session: SessionDep, actor: CurrentActor, form: FormDep) -> Response:
    """Check a CSV and show what would be sent; nothing is written."""
    language = str(form.get("language") or get_lang(request))
    try:
        text = _csv_text(form)
    except InvalidInput as exc:
        failure = [error_text(exc, get_lang(request))]
        return _list_page(request, session, actor, upload_problems=failure, status_code=422)
    found, problems = _parse(request, session, actor, text, language)
    if problems:
        return _list_page(request, session, actor, upload_problems=problems, status_code=422)
    context = {"rows": found, "csv_text": text, "language": language}
    return render(request, "invitations_preview.html", context)


@router.post("/invitations/import", name="invitations_import")
def import_invitations(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    csv_text: Annotated[str, Form(max_length=MAX_UPLOAD)] = "",
    language: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Write the previewed CSV: checked again, all rows or none."""
    found, problems = _parse(request, session, actor, csv_text or None, language)
    if problems:
        return _list_page(request, session, actor, upload_problems=problems, status_code=422)
    _send_new(request, session, settings, actor, found)
    target = request.app.state.path_for("invitations") + f"?done=imported&n={len(found)}"
    return RedirectResponse(target, 303)


@router.post("/invitations/{invitation_id}/resend", name="invitation_resend")
def resend(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    settings: SettingsDep,
    invitation_id: Id,
) -> Response:
    invitation, unit, token = resend_invitation(
        session,
        actor=actor,
        invitation_id=invitation_id,
        days=settings.invitation_days,
        ip=client_ip(request),
    )
    _mail(request, session, settings, actor, invitation=invitation, unit=unit, token=token)
    return RedirectResponse(request.app.state.path_for("invitations") + "?done=resent", 303)


@router.post("/invitations/{invitation_id}/revoke", name="invitation_revoke")
def revoke(
    request: Request, session: SessionDep, actor: CurrentActor, invitation_id: Id
) -> Response:
    revoke_invitation(session, actor=actor, invitation_id=invitation_id, ip=client_ip(request))
    return RedirectResponse(request.app.state.path_for("invitations") + "?done=revoked", 303)


# --------------------------------------------------------------------------------- invitee


def _accept_page(
    request: Request, session: Session, token: str, error: str | None = None, status: int = 200
) -> Response:
    found = open_invitation(session, token=token)
    context = {
        "token": token,
        "invitation": found.invitation,
        "unit": found.unit,
        "existing": found.user is not None,
        "error": error,
        "providers": [{"name": p.name, "label": p.label} for p in get_app_settings(request).oidc()],
    }
    return render(request, "invite_accept.html", context, status_code=status)


@router.get("/invite/{token}", name="invite_accept_form")
def accept_form(request: Request, session: SessionDep, token: str) -> Response:
    return _accept_page(request, session, token)


@router.post("/invite/{token}", name="invite_accept")
def accept(
    request: Request,
    session: SessionDep,
    tr: TrDep,
    token: str,
    name: Annotated[str, Form(max_length=1000)] = "",
    password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH + 1)] = "",
    password2: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH + 1)] = "",
) -> Response:
    found = open_invitation(session, token=token)
    if found.user is None and password != password2:
        return _accept_page(request, session, token, tr("password.mismatch"), 422)
    try:
        accept_invitation(session, token=token, name=name, password=password, ip=client_ip(request))
    except InvalidInput as exc:
        return _accept_page(request, session, token, error_text(exc, tr.lang), 422)
    return RedirectResponse(request.app.state.path_for("login_form") + "?done=invited", 303)
