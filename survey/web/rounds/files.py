"""A round's participation and reminder list as export sheets (XLSX sheets / CSV), with the
column names and labels in the reader's language (``tr``). Times are Swedish local time."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from survey.clock import utcnow
from survey.models import Round
from survey.questionnaire import Questionnaire
from survey.services.rounds.participation import Participation, Reminder
from survey.sheets import Sheet

Translate = Callable[[str], str]


PARTICIPATION_COLUMNS = (
    "unit_id",
    "unit",
    "school_unit_code",
    "school_form",
    "state",
    "state_code",
    "progress",
    "answered",
    "items",
    "n_respondents",
    "links",
    "updated_at",
)
REMINDER_COLUMNS = (
    "unit_id",
    "unit",
    "school_unit_code",
    "state",
    "progress",
    "n_respondents",
    "principals",
    "emails",
    "contact_email",
    "updated_at",
)


def state_label(part: Participation, state: str, tr: Translate) -> str:
    if part.individual and state == "draft":
        return tr("rounds.state.collecting")
    return tr(f"rounds.state.{state}")


def participation_sheet(part: Participation, *, tr: Translate) -> Sheet:
    rows: list[list[Any]] = [
        [
            r.unit.id,
            r.unit.name,
            r.unit.school_unit_code or "",
            tr(f"rounds.sf.{r.school_form}") if r.school_form else "",
            state_label(part, r.state, tr),
            r.state,
            r.progress,
            None if part.individual else r.answered,
            None if part.individual else r.items,
            r.n_respondents,
            r.links,
            r.updated_at,
        ]
        for r in part.rows
    ]
    return Sheet(
        "participation",
        tr("rounds.sheet.participation"),
        [tr(f"rounds.col.{c}") for c in PARTICIPATION_COLUMNS],
        rows,
    )


def about_sheet(
    part: Participation, *, owner_name: str, q: Questionnaire, tr: Translate, lang: str
) -> Sheet:
    facts: list[tuple[str, Any]] = [
        ("round", part.round.title),
        ("questionnaire", f"{q.title.get(lang)} ({q.key} {q.version})"),
        ("owner", owner_name),
        ("opens", part.round.opens),
        ("closes", part.round.closes),
        ("round_state", tr(f"rounds.round_state.{part.round.state}")),
        ("units", part.total),
        *((f"count_{s}", n) for s, n in part.counts.items()),
        ("exported_at", utcnow()),
    ]
    if part.individual:
        facts += [("k", part.k), ("reached_k", part.reached_k), ("respondents", part.respondents)]
    return Sheet(
        "about",
        tr("rounds.sheet.about"),
        [tr("rounds.col.fact"), tr("rounds.col.value")],
        [[tr(f"rounds.fact.{key}"), value] for key, value in facts],
    )


def reminders_sheet(part: Participation, waiting: list[Reminder], *, tr: Translate) -> Sheet:
    rows: list[list[Any]] = [
        [
            r.row.unit.id,
            r.row.unit.name,
            r.row.unit.school_unit_code or "",
            state_label(part, r.row.state, tr),
            r.row.progress,
            r.row.n_respondents,
            "; ".join(c.name or c.email for c in r.principals),
            "; ".join(r.emails),
            r.contact_email or "",
            r.row.updated_at,
        ]
        for r in waiting
    ]
    return Sheet(
        "reminders",
        tr("rounds.sheet.reminders"),
        [tr(f"rounds.col.{c}") for c in REMINDER_COLUMNS],
        rows,
    )


def file_stem(round_: Round, part: str) -> str:
    """An ASCII file name without extension: ``sjalvvardering-skolor-vt-2026-deltagande``."""
    text = f"{round_.title} {part}"
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:150] or "omgang"
