"""Who has answered in a round: every visible unit's state, progress and last change, the totals,
and the reminder list (units not started or in draft, with their principals' e-mail).

States per unit: ``not_started`` (nothing saved yet), ``draft`` (with progress %), ``submitted``,
``reopened``. An individual questionnaire (teachers) is answered through links: the unit is
``not_started`` until its principal has created links, then ``draft`` while collecting; progress
is the share of its links with submitted answers, and ``n_respondents`` is set against k.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from survey.models import (
    Answer,
    Assessment,
    QuestionnaireVersion,
    Respondent,
    RoleGrant,
    Round,
    Unit,
    User,
    id_of,
)
from survey.questionnaire import Questionnaire
from survey.services.rounds.access import RoundScope
from survey.services.rounds.results import RoundUnit, round_units

STATES = ("not_started", "draft", "submitted", "reopened")


@dataclass(frozen=True)
class UnitParticipation:
    unit: Unit
    assessment: Assessment
    school_form: str | None
    state: str
    answered: int  # unit-level: items answered; individual: 0
    items: int
    progress: int | None  # percent; individual: share of links used (None without links)
    n_respondents: int | None  # individual only
    links: int | None  # individual only
    updated_at: datetime | None  # None while not started


@dataclass
class Participation:
    round: Round
    questionnaire: QuestionnaireVersion
    individual: bool
    k: int
    rows: list[UnitParticipation]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def submitted_percent(self) -> int:
        return round(100 * self.counts.get("submitted", 0) / self.total) if self.total else 0

    @property
    def reached_k(self) -> int:
        return sum(1 for r in self.rows if (r.n_respondents or 0) >= self.k)

    @property
    def respondents(self) -> int:
        return sum(r.n_respondents or 0 for r in self.rows)


def _answer_counts(session: Session, assessment_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per assessment's unit answer set: (answers with a choice, any saved answer rows)."""
    if not assessment_ids:
        return {}
    rows = session.exec(
        select(
            Respondent.assessment_id,
            func.sum(case((col(Answer.kind) != "none", 1), else_=0)),
            func.count(),
        )
        .join(Answer, col(Answer.respondent_id) == col(Respondent.id))
        .where(
            col(Respondent.assessment_id).in_(assessment_ids),
            col(Respondent.token_hash).is_(None),
        )
        .group_by(col(Respondent.assessment_id))
    ).all()
    return {aid: (int(chosen or 0), int(saved)) for aid, chosen, saved in rows}


def _unit_row(ru: RoundUnit, q: Questionnaire, counts: tuple[int, int]) -> UnitParticipation:
    a = ru.assessment
    items = len(q.items)
    if q.is_individual:
        done, links = ru.respondents or (0, 0)
        state = a.state if a.state != "draft" else ("draft" if links else "not_started")
        answered, n, link_count = 0, done, links
        progress = round(100 * done / links) if links else None
    else:
        answered, saved = counts
        state = "not_started" if a.state == "draft" and saved == 0 else a.state
        progress = round(100 * answered / items) if items else 0
        n, link_count = None, None
    return UnitParticipation(
        unit=ru.unit,
        assessment=a,
        school_form=ru.school_form,
        state=state,
        answered=answered,
        items=items,
        progress=progress,
        n_respondents=n,
        links=link_count,
        updated_at=None if state == "not_started" else a.updated_at,
    )


def participation(
    session: Session, *, scope: RoundScope, q: Questionnaire, k: int
) -> Participation:
    """Every unit of the round the scope lets the caller see, by name, with the totals."""
    units = round_units(session, scope=scope, individual=q.is_individual)
    counts = (
        {}
        if q.is_individual
        else _answer_counts(
            session,
            [id_of(ru.assessment) for ru in units],
        )
    )
    rows = [_unit_row(ru, q, counts.get(id_of(ru.assessment), (0, 0))) for ru in units]
    qv = session.get(QuestionnaireVersion, scope.round.questionnaire_id)
    assert qv is not None
    tally = Counter(r.state for r in rows)
    return Participation(
        round=scope.round,
        questionnaire=qv,
        individual=q.is_individual,
        k=k,
        rows=rows,
        counts={state: tally.get(state, 0) for state in STATES},
    )


# --------------------------------------------------------------------------------- reminders


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    user_id: int | None = None  # None: the unit's contact address, not a user
    language: str | None = None  # the user's language; None: no preference


@dataclass(frozen=True)
class Reminder:
    row: UnitParticipation
    principals: list[Contact]
    contact_email: str | None

    @property
    def emails(self) -> list[str]:
        found = [c.email for c in self.principals]
        if not found and self.contact_email:
            found.append(self.contact_email)
        return found


def needs_reminder(row: UnitParticipation, *, individual: bool, k: int) -> bool:
    """Unit-level: not started or in draft (reopened counts as draft). Individual: fewer than k
    submitted respondents."""
    if individual:
        return (row.n_respondents or 0) < k
    return row.state in ("not_started", "draft", "reopened")


def _organiser_path(unit: Unit) -> str:
    """The path of the unit's organiser (the unit itself when it is one)."""
    if unit.kind in ("organiser", "region", "nation"):
        return unit.path
    return unit.path.rsplit("/", 2)[0] + "/"


def principals_of(session: Session, *, units: list[Unit]) -> dict[int, list[Contact]]:
    """Per unit: the active users holding a principal grant on it or above it within its
    organiser, by e-mail."""
    if not units:
        return {}
    organiser_paths = {_organiser_path(u) for u in units}
    # Five columns: SQLAlchemy's select (sqlmodel's is typed for up to four).
    grants = session.execute(
        sa_select(col(Unit.path), col(User.name), col(User.email), col(User.id), col(User.language))
        .join(RoleGrant, col(RoleGrant.unit_id) == col(Unit.id))
        .join(User, col(User.id) == col(RoleGrant.user_id))
        .where(
            col(RoleGrant.role) == "principal",
            col(User.is_active).is_(True),
            or_(*(col(Unit.path).startswith(p) for p in organiser_paths)),
        )
        .order_by(User.email)
    ).all()
    found: dict[int, list[Contact]] = {}
    for unit in units:
        organiser = _organiser_path(unit)
        contacts = [
            Contact(name, email, user_id, language)
            for path, name, email, user_id, language in grants
            if unit.path.startswith(path) and path.startswith(organiser)
        ]
        found[id_of(unit)] = list(dict.fromkeys(contacts))
    return found


def reminders(session: Session, *, part: Participation) -> list[Reminder]:
    waiting = [r for r in part.rows if needs_reminder(r, individual=part.individual, k=part.k)]
    principals = principals_of(session, units=[r.unit for r in waiting])
    return [Reminder(r, principals.get(id_of(r.unit), []), r.unit.contact_email) for r in waiting]


# --------------------------------------------------------------------------------- round list


@dataclass(frozen=True)
class RoundSummary:
    round: Round
    questionnaire: QuestionnaireVersion
    owner: Unit
    units: int  # units of the round the caller sees (all for admins and national staff)
    submitted: int  # unit-level: submitted assessments
    respondents: int  # individual: submitted respondents


def round_summaries(
    session: Session, *, rounds: list[Round], paths: list[str] | None
) -> list[RoundSummary]:
    """Counts per round over the units under ``paths`` (every unit when None)."""
    if not rounds:
        return []
    ids = [r.id for r in rounds]
    where: list[Any] = [col(Assessment.round_id).in_(ids)]
    if paths is not None:
        where.append(or_(*(col(Unit.path).startswith(p) for p in paths)))
    units = {
        rid: (int(n), int(done or 0))
        for rid, n, done in session.exec(
            select(
                Assessment.round_id,
                func.count(),
                func.sum(case((col(Assessment.state) == "submitted", 1), else_=0)),
            )
            .join(Unit, col(Unit.id) == col(Assessment.unit_id))
            .where(*where)
            .group_by(col(Assessment.round_id))
        ).all()
    }
    people = dict(
        session.exec(
            select(Assessment.round_id, func.count())
            .join(Unit, col(Unit.id) == col(Assessment.unit_id))
            .join(Respondent, col(Respondent.assessment_id) == col(Assessment.id))
            .where(
                *where,
                col(Respondent.token_hash).is_not(None),
                Respondent.state == "submitted",
            )
            .group_by(col(Assessment.round_id))
        ).all()
    )
    versions = {
        v.id: v
        for v in session.exec(
            select(QuestionnaireVersion).where(
                col(QuestionnaireVersion.id).in_({r.questionnaire_id for r in rounds})
            )
        )
    }
    owners = {
        u.id: u
        for u in session.exec(
            select(Unit).where(col(Unit.id).in_({r.owner_unit_id for r in rounds}))
        )
    }
    return [
        RoundSummary(
            r,
            versions[r.questionnaire_id],
            owners[r.owner_unit_id],
            units.get(id_of(r), (0, 0))[0],
            units.get(id_of(r), (0, 0))[1],
            int(people.get(id_of(r), 0)),
        )
        for r in rounds
    ]
