"""Domain errors in the reader's language."""

from __future__ import annotations

from survey.errors import DomainError, Message
from survey.web.i18n import translate


def say(message: Message, lang: str) -> str:
    """A catalogue message with its values, after its file/line or field when it has one."""
    text = translate(message.key, lang, **message.params)
    return f"{message.where}: {text}" if message.where else text


def error_text(exc: DomainError, lang: str) -> str:
    return say(exc.message, lang)


def problem_texts(exc: DomainError, lang: str) -> list[str]:
    return [say(p, lang) for p in exc.problems]
