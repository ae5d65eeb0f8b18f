"""Teacher links by mail: the list of addresses a principal pastes, checked line by line.

The addresses are used only to put one message per address in the outbox (kind
``teacher_link``, see :data:`survey.services.mail.outbox.EPHEMERAL_KINDS`); they are never stored
with the respondents, and the links are handed to the addresses in random order, so neither the
outbox's order nor its ids say which address got which link.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from survey.services.accounts.users import valid_email

MAX_ADDRESSES = 500  # as many as one "create links" request may make
_SEPARATORS = re.compile(r"[,;]")


@dataclass(frozen=True)
class AddressProblem:
    line: int  # 1-based
    value: str
    reason: str  # "invalid" | "duplicate"


@dataclass(frozen=True)
class AddressList:
    addresses: list[str]
    problems: list[AddressProblem]
    too_many: bool = False

    @property
    def ok(self) -> bool:
        return bool(self.addresses) and not self.problems and not self.too_many


def parse_addresses(text: str) -> AddressList:
    """One address per line or several separated by commas (or semicolons); blank entries are
    ignored, an address given twice is reported (each address gets one link)."""
    addresses: list[str] = []
    seen: set[str] = set()
    problems: list[AddressProblem] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for raw in _SEPARATORS.split(line):
            value = raw.strip().strip("<>").strip()
            if not value:
                continue
            if not valid_email(value):
                problems.append(AddressProblem(number, value[:254], "invalid"))
            elif value.casefold() in seen:
                problems.append(AddressProblem(number, value, "duplicate"))
            else:
                seen.add(value.casefold())
                addresses.append(value)
    return AddressList(addresses, problems, too_many=len(addresses) > MAX_ADDRESSES)


def pair_at_random(addresses: list[str], tokens: list[str]) -> list[tuple[str, str]]:
    """Each address with one token, the tokens in a random order (the order the respondents
    were stored in then says nothing about which address got which)."""
    assert len(addresses) == len(tokens)
    shuffled = list(tokens)
    secrets.SystemRandom().shuffle(shuffled)
    return list(zip(addresses, shuffled, strict=True))
