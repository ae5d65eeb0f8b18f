"""Who gets mail about a round, in the domain's terms (ids, addresses, language codes; never a
text): the principals of a new round's units, and the reminders sent from the participation page
(at most one per unit and day, recorded in ``round_reminder`` and the audit log).

The web layer composes the messages in each recipient's language and puts them in the outbox in
the same transaction (survey/web/rounds/mail.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from survey.errors import Conflict
from survey.models import Assessment, Round, RoundReminder, Unit, id_of
from survey.services.access import Actor
from survey.services.audit import record
from survey.services.rounds.participation import (
    Contact,
    Participation,
    Reminder,
    principals_of,
    reminders,
)


@dataclass(frozen=True)
class RecipientUnit:
    unit_id: int
    unit_name: str
    assessment_id: int


@dataclass(frozen=True)
class Recipient:
    """One address and the units the message is about. ``language`` is the user's own
    (None: the unit's contact address, no preference)."""

    email: str
    user_id: int | None
    language: str | None
    units: tuple[RecipientUnit, ...]


def _group(pairs: list[tuple[Contact, RecipientUnit]]) -> list[Recipient]:
    """One recipient per address, with every unit it is about (in the order given)."""
    by_email: dict[str, tuple[Contact, list[RecipientUnit]]] = {}
    for contact, unit in pairs:
        key = contact.email.strip().casefold()
        found = by_email.setdefault(key, (contact, []))
        if unit not in found[1]:
            found[1].append(unit)
    return [
        Recipient(c.email.strip(), c.user_id, c.language, tuple(units))
        for c, units in by_email.values()
    ]


def round_principals(session: Session, *, round_id: int) -> list[Recipient]:
    """The principals of every unit of a round (a grant on the unit or above it within its
    organiser), one entry per address with the units they lead; units without a principal get
    no mail."""
    rows = session.exec(
        select(Unit, Assessment.id)
        .join(Assessment, col(Assessment.unit_id) == col(Unit.id))
        .where(Assessment.round_id == round_id)
        .order_by(col(Unit.name), col(Unit.id))
    ).all()
    units = [u for u, _ in rows]
    principals = principals_of(session, units=units)
    pairs = [
        (contact, RecipientUnit(id_of(u), u.name, aid))
        for u, aid in rows
        if aid is not None  # the joined assessment's primary key: never None
        for contact in principals.get(id_of(u), [])
    ]
    return _group(pairs)


# --------------------------------------------------------------------------------- reminders


@dataclass(frozen=True)
class ReminderPlan:
    """What "send reminders" would do today: ``due`` units get mail (``recipients``),
    ``skipped`` were reminded today already, ``without_email`` have no address at all."""

    due: list[Reminder]
    skipped: list[Reminder]
    without_email: list[Reminder]
    recipients: list[Recipient]


def reminded_on(session: Session, *, round_id: int, day: date) -> set[int]:
    """Units of the round that got a reminder on ``day``."""
    return set(
        session.exec(
            select(RoundReminder.unit_id).where(
                RoundReminder.round_id == round_id, RoundReminder.day == day
            )
        )
    )


def plan_reminders(session: Session, *, part: Participation, today: date) -> ReminderPlan:
    """Units not yet submitted (the reminder list), less those reminded today; one recipient
    per address (the unit's principals, else its contact address)."""
    waiting = reminders(session, part=part)
    done = reminded_on(session, round_id=id_of(part.round), day=today)
    due, skipped, without = [], [], []
    pairs: list[tuple[Contact, RecipientUnit]] = []
    for reminder in waiting:
        unit_id = id_of(reminder.row.unit)
        if unit_id in done:
            skipped.append(reminder)
            continue
        contacts = reminder.principals or (
            [Contact("", reminder.contact_email)] if reminder.contact_email else []
        )
        if not contacts:
            without.append(reminder)
            continue
        due.append(reminder)
        target = RecipientUnit(unit_id, reminder.row.unit.name, id_of(reminder.row.assessment))
        pairs.extend((c, target) for c in contacts)
    return ReminderPlan(due, skipped, without, _group(pairs))


def record_reminders(
    session: Session,
    *,
    round_: Round,
    plan: ReminderPlan,
    actor: Actor,
    today: date,
    ip: str | None = None,
) -> None:
    """Note that ``plan.due`` units were reminded today, and log the counts."""
    counts: dict[int, int] = {}
    for recipient in plan.recipients:
        for unit in recipient.units:
            counts[unit.unit_id] = counts.get(unit.unit_id, 0) + 1
    session.add_all(
        RoundReminder(
            round_id=id_of(round_),
            unit_id=id_of(r.row.unit),
            day=today,
            recipients=counts.get(id_of(r.row.unit), 0),
            sent_by=actor.id,
        )
        for r in plan.due
    )
    try:  # two senders at the same moment: the second finds the first's rows and sends nothing
        session.flush()
    except IntegrityError as exc:
        raise Conflict("rounds.err.remind_concurrent") from exc
    record(
        session,
        action="round.remind",
        object_type="round",
        object_id=round_.id,
        unit_id=round_.owner_unit_id,
        user_id=actor.id,
        ip=ip,
        detail={
            "units": len(plan.due),
            "recipients": len(plan.recipients),
            "skipped": len(plan.skipped),
            "without_email": len(plan.without_email),
            "day": today.isoformat(),
        },
    )
    session.flush()
