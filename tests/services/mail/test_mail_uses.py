"""The services behind the mail about rounds and teachers' links: who gets a round's mail, the
reminder plan (at most one per unit and day), the address list, and a teacher's link leaving no
trace in the outbox once it is sent (or has failed for good)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session, func, select

from survey.clock import utcnow
from survey.errors import Conflict
from survey.models import AuditLog, OutboxMessage, RoleGrant, RoundReminder, User
from survey.services.access import load_actor
from survey.services.assessments.link_mail import pair_at_random, parse_addresses
from survey.services.mail.outbox import enqueue
from survey.services.mail.sender import parse_smtp_url, send_pending
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.access import get_round_units_view
from survey.services.rounds.mailing import plan_reminders, record_reminders, round_principals
from survey.services.rounds.participation import participation
from tests.factories import build_world, make_round
from tests.mail_server import smtp_server


def _org_principal(engine, world) -> None:  # type: ignore[no-untyped-def]
    """A principal on organiser A (so of every school below it), who reads English."""
    with Session(engine) as session:
        user = User(email="org-rektor@example.org", name="Org", password_hash="x", language="en")
        session.add(user)
        session.flush()
        session.add(RoleGrant(user_id=user.id, unit_id=world.org_a, role="principal"))  # type: ignore[arg-type]
        session.commit()


def test_round_principals_one_entry_per_address_with_their_units(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    _org_principal(engine, world)
    round_id, aids = make_round(engine, questionnaire_id=world.questionnaires["skola"],
                                owner=world.org_a, units=[world.school_a, world.school_a2])  # fmt: skip
    with Session(engine) as session:
        found = {r.email: r for r in round_principals(session, round_id=round_id)}
    assert set(found) == {"principal-a@example.org", "org-rektor@example.org"}
    own = found["principal-a@example.org"]
    assert [u.assessment_id for u in own.units] == [aids[world.school_a]]
    assert own.language == "sv" and own.user_id == world.users["principal-a@example.org"]
    org = found["org-rektor@example.org"]
    assert org.language == "en"
    assert {u.unit_name for u in org.units} == {"Kvarnbackaskolan", "Lindskolan"}


def test_reminder_plan_once_per_unit_and_day(engine) -> None:  # type: ignore[no-untyped-def]
    world = build_world(engine)
    round_id, _ = make_round(engine, questionnaire_id=world.questionnaires["skola"],
                             owner=world.org_a, units=[world.school_a, world.school_a2])  # fmt: skip
    admin_id = world.users["admin@example.org"]
    with Session(engine) as session:
        actor = load_actor(session, user=session.get(User, admin_id))  # type: ignore[arg-type]
        scope = get_round_units_view(session, actor=actor, round_id=round_id)
        q = questionnaire_for(session, questionnaire_id=scope.round.questionnaire_id)
        part = participation(session, scope=scope, q=q, k=5)
        today = date(2026, 3, 2)
        plan = plan_reminders(session, part=part, today=today)
        # Lindskolan has no principal and no contact address.
        assert [r.row.unit.name for r in plan.due] == ["Kvarnbackaskolan"]
        assert [r.row.unit.name for r in plan.without_email] == ["Lindskolan"]
        assert [r.email for r in plan.recipients] == ["principal-a@example.org"]
        record_reminders(session, round_=scope.round, plan=plan, actor=actor, today=today)
        session.commit()
        again = plan_reminders(session, part=part, today=today)
        assert again.due == [] and again.recipients == []
        assert [r.row.unit.name for r in again.skipped] == ["Kvarnbackaskolan"]
        tomorrow = plan_reminders(session, part=part, today=today + timedelta(days=1))
        assert [r.row.unit.name for r in tomorrow.due] == ["Kvarnbackaskolan"]
        row = session.exec(select(RoundReminder)).one()
        assert (row.day, row.recipients, row.sent_by) == (today, 1, admin_id)
        audit = session.exec(select(AuditLog).where(AuditLog.action == "round.remind")).one()
        assert audit.detail == {"units": 1, "recipients": 1, "skipped": 0, "without_email": 1,
                                "day": "2026-03-02"}  # fmt: skip


@pytest.mark.postgres
def test_two_senders_at_once_remind_each_unit_once(postgres_engine) -> None:  # type: ignore[no-untyped-def]
    """Two strategists send at the same moment on PostgreSQL: both planned before either wrote.
    The second is refused with a clear conflict (409), and only the first's reminder is
    recorded. (On SQLite a sending request takes the write lock before it plans.)"""
    engine = postgres_engine
    world = build_world(engine)
    round_id, _ = make_round(engine, questionnaire_id=world.questionnaires["skola"],
                             owner=world.org_a, units=[world.school_a])  # fmt: skip
    admin_id = world.users["admin@example.org"]
    today = date(2026, 3, 2)

    def planned(session: Session):  # type: ignore[no-untyped-def]
        actor = load_actor(session, user=session.get(User, admin_id))  # type: ignore[arg-type]
        scope = get_round_units_view(session, actor=actor, round_id=round_id)
        q = questionnaire_for(session, questionnaire_id=scope.round.questionnaire_id)
        part = participation(session, scope=scope, q=q, k=5)
        return actor, scope, plan_reminders(session, part=part, today=today)

    with Session(engine) as first, Session(engine) as second:
        actor1, scope1, plan1 = planned(first)
        actor2, scope2, plan2 = planned(second)
        assert len(plan1.due) == len(plan2.due) == 1
        record_reminders(first, round_=scope1.round, plan=plan1, actor=actor1, today=today)
        first.commit()
        with pytest.raises(Conflict):
            record_reminders(second, round_=scope2.round, plan=plan2, actor=actor2, today=today)
        second.rollback()
    with Session(engine) as session:
        assert session.exec(select(func.count()).select_from(RoundReminder)).one() == 1


def test_address_list_reports_each_bad_line() -> None:
    found = parse_addresses("anna@example.org, bo@example.org\n\nnot an address\n<cecilia@example.org>;"
                            " ANNA@example.org\n")  # fmt: skip
    assert found.addresses == ["anna@example.org", "bo@example.org", "cecilia@example.org"]
    assert [(p.line, p.value, p.reason) for p in found.problems] == [
        (3, "not an address", "invalid"),
        (4, "ANNA@example.org", "duplicate"),
    ]
    assert not found.ok
    assert parse_addresses("a@example.org\nb@example.org").ok
    assert not parse_addresses("  \n ,").ok  # nothing at all
    many = parse_addresses("\n".join(f"t{i}@example.org" for i in range(501)))
    assert many.too_many and not many.ok
    pairs = pair_at_random(["a@x.se", "b@x.se"], ["t1", "t2"])
    assert [a for a, _ in pairs] == ["a@x.se", "b@x.se"] and {t for _, t in pairs} == {"t1", "t2"}


def test_a_teacher_link_leaves_the_outbox_once_sent_or_failed(engine, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        for kind, to in (("teacher_link", "larare@example.org"), ("invitation", "ny@example.org")):
            enqueue(session, recipient=to, language="sv", subject=kind, text="/r/secret-token",
                    html="<p>/r/secret-token</p>", kind=kind)  # fmt: skip
        session.commit()
    with smtp_server(tmp_path) as server:
        result = send_pending(engine, config=parse_smtp_url(server.url), sender="s@example.org",
                              max_attempts=3)  # fmt: skip
        assert result.sent == 2
        assert sorted(r.recipients[0] for r in server.handler.received) == [
            "larare@example.org", "ny@example.org"]  # fmt: skip
    with Session(engine) as session:
        kept = session.exec(select(OutboxMessage)).all()
        assert [m.kind for m in kept] == ["invitation"]  # the teacher's message is gone
        enqueue(session, recipient="x@example.org", language="sv", subject="t", text="/r/other",
                html="/r/other", kind="teacher_link")  # fmt: skip
        session.commit()
    with smtp_server(tmp_path, refuse="550 5.1.1 no such mailbox") as server:
        now = utcnow()
        config = parse_smtp_url(server.url)
        first = send_pending(engine, config=config, sender="s@example.org", max_attempts=2, now=now)
        assert first.retrying == 1
        later = now + timedelta(minutes=2)
        last = send_pending(
            engine, config=config, sender="s@example.org", max_attempts=2, now=later
        )
        assert last.failed == 1
    with Session(engine) as session:
        count = select(func.count()).select_from(OutboxMessage)
        assert session.exec(count.where(OutboxMessage.kind == "teacher_link")).one() == 0
