"""Mail texts in the recipient's language: subject from the catalogue, plain text and HTML from
``templates/mail/NAME.txt`` and ``NAME.html`` (message keys like every page), then into the
outbox in the caller's transaction (:func:`survey.services.mail.outbox.enqueue`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlmodel import Session

from survey.config import Settings
from survey.models import OutboxMessage
from survey.services.mail.outbox import enqueue
from survey.web.i18n import LANGUAGES, install_jinja


@dataclass(frozen=True)
class Mail:
    subject: str
    text: str
    html: str


@cache
def _environment(templates_dir: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(templates_dir / "mail"),
        autoescape=select_autoescape(["html"], default_for_string=False, default=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    install_jinja(env)
    return env


def compose(settings: Settings, name: str, *, lang: str, subject: str, **values: Any) -> Mail:
    """Render mail ``name`` in ``lang``; ``subject`` is the finished subject line."""
    lang = lang if lang in LANGUAGES else settings.default_language
    env = _environment(settings.templates_dir)
    context = {"lang": lang, "subject": subject, **values}
    return Mail(
        subject=subject,
        text=env.get_template(f"{name}.txt").render(context),
        html=env.get_template(f"{name}.html").render(context),
    )


def absolute_url(request: Request, settings: Settings, path: str) -> str:
    """A link for mail: SURVEY_BASE_URL, or the address this request came to."""
    base = settings.base_url.strip().rstrip("/") or str(request.base_url).rstrip("/")
    return base + path


def queue(session: Session, mail: Mail, *, recipient: str, lang: str, kind: str) -> OutboxMessage:
    return enqueue(
        session,
        recipient=recipient,
        language=lang,
        subject=mail.subject,
        text=mail.text,
        html=mail.html,
        kind=kind,
    )
