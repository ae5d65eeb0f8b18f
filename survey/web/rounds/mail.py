"""Mail about rounds, composed in each recipient's language and put in the outbox in the
caller's transaction: "a round has opened" to the principals of a new round's units (organiser
and national rounds), and the reminders sent from the participation page. Who gets what comes
from :mod:`survey.services.rounds.mailing`."""

from __future__ import annotations

from fastapi import Request
from sqlmodel import Session

from survey.config import Settings
from survey.models import Round, id_of
from survey.services.rounds.mailing import Recipient, round_principals
from survey.web.i18n import LANGUAGES, translate
from survey.web.mail.compose import Mail, absolute_url, compose, queue


def language_of(recipient: Recipient, settings: Settings) -> str:
    """The user's own language, else the app's default."""
    lang = recipient.language
    return lang if lang in LANGUAGES else settings.default_language


def _units(request: Request, settings: Settings, recipient: Recipient) -> list[dict[str, str]]:
    return [
        {
            "name": unit.unit_name,
            "link": absolute_url(
                request,
                settings,
                request.app.url_path_for("assessment_page", assessment_id=str(unit.assessment_id)),
            ),
        }
        for unit in recipient.units
    ]


def opened_mail(
    request: Request, settings: Settings, round_: Round, recipient: Recipient, lang: str
) -> Mail:
    return compose(
        settings,
        "round_opened",
        lang=lang,
        subject=translate("mail.round_opened.subject", lang, title=round_.title),
        title=round_.title,
        opens=round_.opens,
        closes=round_.closes,
        units=_units(request, settings, recipient),
    )


def mail_round_opened(request: Request, session: Session, settings: Settings, round_: Round) -> int:
    """One message per principal of the round's units; returns how many were queued."""
    recipients = round_principals(session, round_id=id_of(round_))
    for recipient in recipients:
        lang = language_of(recipient, settings)
        mail = opened_mail(request, settings, round_, recipient, lang)
        queue(session, mail, recipient=recipient.email, lang=lang, kind="round_opened")
    return len(recipients)


def reminder_mail(
    request: Request, settings: Settings, round_: Round, recipient: Recipient, lang: str
) -> Mail:
    return compose(
        settings,
        "round_reminder",
        lang=lang,
        subject=translate("mail.reminder.subject", lang, title=round_.title),
        title=round_.title,
        closes=round_.closes,
        units=_units(request, settings, recipient),
    )


def queue_reminders(
    request: Request,
    session: Session,
    settings: Settings,
    round_: Round,
    recipients: list[Recipient],
) -> None:
    for recipient in recipients:
        lang = language_of(recipient, settings)
        mail = reminder_mail(request, settings, round_, recipient, lang)
        queue(session, mail, recipient=recipient.email, lang=lang, kind="round_reminder")
