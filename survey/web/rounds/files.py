"""A round's participation and reminder list as export sheets (XLSX sheets / CSV), with the
column names and labels in the reader's language (``tr``). Times are Swedish local time."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from survey.clock import utcnow
from survey.questionnaire import Questionnaire
from survey.services.rounds.participation import Participation, Reminder
from survey.sheets import Sheet
from survey.web.i18n import N_
from survey.web.labels import PARTICIPATION_STATE, ROUND_STATE, SCHOOL_FORMS

Translate = Callable[[str], str]


PARTICIPATION_COLUMNS = {  # column → the key of its name
    "unit_id": N_("rounds.col.unit_id"),
    "unit": N_("rounds.col.unit"),
    "school_unit_code": N_("rounds.col.school_unit_code"),
    "school_form": N_("rounds.col.school_form"),
    "state": N_("rounds.col.state"),
    "state_code": N_("rounds.col.state_code"),
    "progress": N_("rounds.col.progress"),
    "answered": N_("rounds.col.answered"),
    "items": N_("rounds.col.items"),
    "n_respondents": N_("rounds.col.n_respondents"),
    "links": N_("rounds.col.links"),
    "updated_at": N_("rounds.col.updated_at"),
}
REMINDER_COLUMNS = {  # column → the key of its name
    "unit_id": N_("rounds.col.unit_id"),
    "unit": N_("rounds.col.unit"),
    "school_unit_code": N_("rounds.col.school_unit_code"),
    "state": N_("rounds.col.state"),
    "progress": N_("rounds.col.progress"),
    "n_respondents": N_("rounds.col.n_respondents"),
    "principals": N_("rounds.col.principals"),
    "emails": N_("rounds.col.emails"),
    "contact_email": N_("rounds.col.contact_email"),
    "updated_at": N_("rounds.col.updated_at"),
}

FACTS = {
    "round": N_("rounds.fact.round"),
    "questionnaire": N_("rounds.fact.questionnaire"),
    "owner": N_("rounds.fact.owner"),
    "opens": N_("rounds.fact.opens"),
    "closes": N_("rounds.fact.closes"),
    "round_state": N_("rounds.fact.round_state"),
    "units": N_("rounds.fact.units"),
    "count_not_started": N_("rounds.fact.count_not_started"),
    "count_draft": N_("rounds.fact.count_draft"),
    "count_submitted": N_("rounds.fact.count_submitted"),
    "count_reopened": N_("rounds.fact.count_reopened"),
    "exported_at": N_("rounds.fact.exported_at"),
    "k": N_("rounds.fact.k"),
    "reached_k": N_("rounds.fact.reached_k"),
    "respondents": N_("rounds.fact.respondents"),
}


def state_label(part: Participation, state: str, tr: Translate) -> str:
    if part.individual and state == "draft":
        return tr("rounds.state.collecting")
    return tr(PARTICIPATION_STATE[state])


def participation_sheet(part: Participation, *, tr: Translate) -> Sheet:
    rows: list[list[Any]] = [
        [
            r.unit.id,
            r.unit.name,
            r.unit.school_unit_code or "",
            tr(SCHOOL_FORMS[r.school_form]) if r.school_form else "",
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
        [tr(key) for key in PARTICIPATION_COLUMNS.values()],
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
        ("round_state", tr(ROUND_STATE[part.round.state])),
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
        [[tr(FACTS[key]), value] for key, value in facts],
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
        [tr(key) for key in REMINDER_COLUMNS.values()],
        rows,
    )
