"""Domain errors: a message key and its values, and the HTTP status. Services never write
sentences: the web renders the message in the reader's language, the command line in English.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Message:
    """A message of the catalogue: its key and the values of its placeholders; ``where`` (a
    file and line, a field) is shown before the text as it is."""

    key: str
    params: dict[str, object] = field(default_factory=dict)
    where: str | None = None


def message_key(key: str) -> str:
    """Marks a literal key where no error class or ``msg`` call names it (``make messages``
    extracts the keys of the calls it knows)."""
    return key


def msg(key: str, where: str | None = None, **params: object) -> Message:
    return Message(key, params, where)


class DomainError(Exception):
    status_code = 400

    def __init__(self, key: str, /, *, problems: Sequence[Message] = (), **params: object):
        super().__init__(key)
        self.key = key
        self.params = params
        self.problems = list(problems)

    @property
    def message(self) -> Message:
        return Message(self.key, self.params)


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    status_code = 409


class InvalidInput(DomainError):
    status_code = 422
