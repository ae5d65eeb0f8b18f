"""Forgotten passwords: ask for a link by e-mail, set a new password through it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from survey.errors import InvalidInput
from survey.services.accounts.passwords import open_reset, request_reset, reset_password
from survey.services.accounts.users import MAX_PASSWORD_LENGTH, normalise_email, valid_email
from survey.web.auth import CsrfProtected, client_ip
from survey.web.deps import SessionDep, SettingsDep, TrDep
from survey.web.errors import error_text
from survey.web.i18n import translate
from survey.web.mail.compose import absolute_url, compose, queue
from survey.web.rendering import render

router = APIRouter(prefix="/password", dependencies=[CsrfProtected], include_in_schema=False)


@router.get("/forgot", name="password_forgot")
def forgot_form(request: Request) -> Response:
    return render(request, "password_forgot.html", {"email": "", "sent": False})


@router.post("/forgot", name="password_forgot_send")
def forgot(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    tr: TrDep,
    email: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """The same answer for every well-formed address, whether or not it has an account and
    whether or not the request was over the limit."""
    if not valid_email(normalise_email(email)):
        error = tr("err.user.email", value=email.strip())
        context = {"email": email, "sent": False, "error": error}
        return render(request, "password_forgot.html", context, status_code=422)
    found = request_reset(
        session, email=email, ip=client_ip(request), minutes=settings.password_reset_minutes
    )
    if found is not None:
        user, token = found
        lang = user.language
        path = request.app.state.path_for("password_reset_form", token=token)
        mail = compose(
            settings,
            "password_reset",
            lang=lang,
            subject=translate("mail.reset.subject", lang),
            link=absolute_url(request, settings, path),
            minutes=settings.password_reset_minutes,
        )
        queue(session, mail, recipient=user.email, lang=lang, kind="password_reset")
    return render(request, "password_forgot.html", {"email": "", "sent": True})


@router.get("/reset/{token}", name="password_reset_form")
def reset_form(request: Request, session: SessionDep, token: str) -> Response:
    _, user = open_reset(session, token=token)
    return render(request, "password_reset.html", {"token": token, "email": user.email})


@router.post("/reset/{token}", name="password_reset")
def reset(
    request: Request,
    session: SessionDep,
    tr: TrDep,
    token: str,
    password: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH + 1)] = "",
    password2: Annotated[str, Form(max_length=MAX_PASSWORD_LENGTH + 1)] = "",
) -> Response:
    _, user = open_reset(session, token=token)
    error = None
    if password != password2:
        error = tr("password.mismatch")
    else:
        try:
            reset_password(session, token=token, password=password, ip=client_ip(request))
        except InvalidInput as exc:
            error = error_text(exc, tr.lang)
    if error:
        context = {"token": token, "email": user.email, "error": error}
        return render(request, "password_reset.html", context, status_code=422)
    return RedirectResponse(request.app.state.path_for("login_form") + "?done=reset", 303)
