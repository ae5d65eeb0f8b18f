"""Validation problems: each names the file, the line (where known), the item and what is wrong."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One validation problem, printable as ``file:line: item X: message``."""

    file: str
    line: int | None
    item: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        item = f" item {self.item}:" if self.item else ""
        return f"{where}:{item} {self.message}"


class QuestionnaireError(Exception):
    """A questionnaire could not be loaded; ``problems`` says why."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))
