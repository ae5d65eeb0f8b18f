"""What a new-round form sends, parsed and checked the same way for organiser and national
rounds: questionnaire, title and dates. Problems are collected per form field (``Issue``: field,
message key, values) so that the form shows them all at once; nothing is created while there is
any."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from survey.errors import InvalidInput, message_key, msg
from survey.questionnaire import Questionnaire

TITLE_MAX = 200


@dataclass(frozen=True)
class Issue:
    field: str
    key: str  # the message's key suffix (the form's own message family)
    values: dict[str, Any]


class RoundInputError(InvalidInput):
    """Bad input for a round; ``issues`` name the fields."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        problems = [msg("err.round.issue", field=i.field, reason=i.key) for i in issues]
        super().__init__(message_key("err.round.input"), problems=problems)


@dataclass
class RoundBasics:
    """The fields every new round has (``None`` where they could not be parsed)."""

    questionnaire: str = ""  # "key@version"
    title: str = ""
    opens: date | None = None
    closes: date | None = None
    issues: list[Issue] = field(default_factory=list)

    def parse_basics(self, form: Mapping[str, str]) -> None:
        self.questionnaire = form.get("questionnaire", "").strip()
        self.title = form.get("title", "").strip()
        self.opens = _date(form.get("opens", ""), "opens", self.issues)
        self.closes = _date(form.get("closes", ""), "closes", self.issues)

    def check_basics(
        self, questionnaires: Mapping[tuple[str, str], Questionnaire], today: date
    ) -> tuple[Questionnaire | None, list[Issue]]:
        """The chosen questionnaire, and every problem so far (parsing's and these)."""
        issues = list(self.issues)
        key, _, version = self.questionnaire.partition("@")
        q = questionnaires.get((key, version))
        if q is None:
            issues.append(Issue("questionnaire", "questionnaire_invalid", {}))
        if not self.title:
            issues.append(Issue("title", "title_missing", {}))
        elif len(self.title) > TITLE_MAX:
            issues.append(Issue("title", "title_long", {"max": TITLE_MAX}))
        if self.opens and self.closes:
            if self.closes < self.opens:
                issues.append(Issue("closes", "closes_before_opens", {}))
            elif self.closes < today:
                issues.append(Issue("closes", "closes_past", {}))
        return q, issues


def _date(raw: str, name: str, issues: list[Issue]) -> date | None:
    raw = raw.strip()
    if not raw:
        issues.append(Issue(name, "date_missing", {}))
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        issues.append(Issue(name, "date_invalid", {"value": raw}))
        return None
