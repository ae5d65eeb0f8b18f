"""``survey demo``'s data set: the unit tree, national and organiser rounds with answers, a teacher
round and national staff's releases."""

from __future__ import annotations

from datetime import UTC, date, datetime

import click
import numpy as np
from sqlmodel import Session, select

from survey.config import get_settings
from survey.demo.answers import Answerer, fill_individual_round, fill_unit_round
from survey.demo.data import NATIONAL_SCHOOL_FORMS
from survey.demo.world import DemoScale, add_national_extras, build_units, demo_users
from survey.models import Assessment, QuestionnaireVersion, Round, User, id_of
from survey.questionnaire import Questionnaire, load_directory
from survey.questionnaire.loader import first_versions
from survey.services.assessments.batches import end_collection
from survey.services.national.publishing import create_release
from survey.services.questionnaires import store_version
from survey.services.rounds.store import create_round


def build_demo(session: Session, *, scale: DemoScale, progress: bool = True) -> dict[str, object]:
    """Build the whole demo world in ``session`` (flushes, does not commit)."""
    settings = get_settings()
    rng = np.random.default_rng(scale.seed)
    loaded, problems = load_directory(settings.questionnaire_dir)
    for problem in problems:
        click.echo(f"skipped questionnaire: {problem}", err=True)
    # each key's first version (2026.1): later versions in the folder are stored, not used
    by_key = first_versions(loaded)
    every = {(q.key, q.version): store_version(session, questionnaire=q) for q in loaded}
    stored: dict[str, QuestionnaireVersion] = {
        q.key: every[(q.key, q.version)] for q in by_key.values()
    }
    world = build_units(session, rng, scale)
    answerer = Answerer(rng, world.schools + world.preschools + world.organisers)
    # Units added for the national follow-up come from a stream of their own, so everything
    # drawn from ``rng`` (names, answers, the principal's draft) stays as it was.
    extra_rng = np.random.default_rng(scale.seed + 8)
    add_national_extras(session, world, extra_rng, scale)
    answerer.add_units(extra_rng, world.extra)
    extra = {id_of(u) for u in world.extra}
    users = demo_users(session, world)
    assert world.demo_organiser and world.demo_school
    uppsala_schools = [u for u in world.schools if u.parent_id == world.demo_organiser.id]
    uppsala_pre = [u for u in world.preschools if u.parent_id == world.demo_organiser.id]
    national = users["national@example.org"]
    strategist = users["strategist@example.org"]
    principal = users["principal@example.org"]

    def when(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 14, tzinfo=UTC)

    summary: dict[str, object] = {}
    school_q = "skola" if "skola" in by_key else "exempel"
    forms = world.unit_forms
    grund = [u for u in world.schools if id_of(u) not in extra and "grundskola" in forms[id_of(u)]]
    others = [
        u
        for u in world.schools
        if u.id not in {g.id for g in grund} and set(forms[id_of(u)]) & set(NATIONAL_SCHOOL_FORMS)
    ]
    extra |= {id_of(u) for u in others}
    national_rounds: list[tuple[Round, str]] = []
    for year, later in ((2025, False), (2026, True)):
        closes = date(year, 11, 30) if year == 2025 else date(2026, 12, 18)
        rnd = create_round(
            session,
            questionnaire=stored[school_q],
            owner=world.nation,
            kind="national",
            title=f"Nationell uppföljning {year}",
            opens=date(year, 9, 1),
            closes=closes,
            units=grund + others,
            targets={"kinds": ["school"], "school_forms": NATIONAL_SCHOOL_FORMS},
            actor_id=national,
        )
        if year == 2025:
            rnd.state = "closed"
        national_rounds.append((rnd, school_q))
        fill_unit_round(
            session,
            round_id=id_of(rnd),
            q=by_key[school_q],
            answerer=answerer,
            later=later,
            submitted_share=0.86 if year == 2025 else 0.9,
            at=when(date(year, 10, 20)),
            user_id=principal,
            keep_draft={id_of(world.demo_school)} if later else set(),
            extra=extra,
            extra_rng=extra_rng,
        )
    if "huvudman" in stored:
        rnd = create_round(
            session,
            questionnaire=stored["huvudman"],
            owner=world.nation,
            kind="national",
            title="Nationell uppföljning huvudmän 2026",
            opens=date(2026, 9, 1),
            closes=date(2026, 12, 18),
            units=world.organisers,
            targets={"kinds": ["organiser"]},
            actor_id=national,
        )
        fill_unit_round(
            session,
            round_id=id_of(rnd),
            q=by_key["huvudman"],
            answerer=answerer,
            later=True,
            submitted_share=0.85,
            at=when(date(2026, 10, 15)),
            user_id=strategist,
            extra=extra,
            extra_rng=extra_rng,
        )
    private = {id_of(u) for u in uppsala_schools[3:5]}
    for year, later in ((2025, False), (2026, True)):
        rnd = create_round(
            session,
            questionnaire=stored[school_q],
            owner=world.demo_organiser,
            kind="organiser",
            title=f"Självvärdering skolor VT {year}",
            opens=date(year, 2, 1),
            closes=date(year, 4, 30),
            units=uppsala_schools,
            actor_id=strategist,
        )
        rnd.state = "closed"
        fill_unit_round(
            session,
            round_id=id_of(rnd),
            q=by_key[school_q],
            answerer=answerer,
            later=later,
            submitted_share=0.95,
            at=when(date(year, 4, 10)),
            user_id=principal,
            private=private,
        )
    if "forskola" in stored:
        rnd = create_round(
            session,
            questionnaire=stored["forskola"],
            owner=world.demo_organiser,
            kind="organiser",
            title="Självvärdering förskolor VT 2026",
            opens=date(2026, 2, 1),
            closes=date(2026, 4, 30),
            units=uppsala_pre,
            sharing_mandatory=True,
            actor_id=strategist,
        )
        rnd.state = "closed"
        fill_unit_round(
            session,
            round_id=id_of(rnd),
            q=by_key["forskola"],
            answerer=answerer,
            later=True,
            submitted_share=1.0,
            at=when(date(2026, 4, 2)),
            user_id=strategist,
        )
    if "larare" in stored:
        rnd = create_round(
            session,
            questionnaire=stored["larare"],
            owner=world.demo_organiser,
            kind="organiser",
            title="Lärarenkät HT 2026",
            opens=date(2026, 10, 1),
            closes=date(2026, 12, 20),
            units=uppsala_schools + uppsala_pre,
            actor_id=strategist,
        )
        links = fill_individual_round(
            session,
            round_id=id_of(rnd),
            q=by_key["larare"],
            answerer=answerer,
            scale=scale,
            at=when(date(2026, 11, 2)),
            progress=progress,
        )
        summary["teacher_link"] = f"/r/{links[id_of(world.demo_school)]}"
        # Every other unit's collection has ended, so its teachers' answers are released in a
        # batch (when at least k answered); Kvarnbackaskolan's principal still collects.
        k = get_settings().min_group_size
        for assessment in session.exec(select(Assessment).where(Assessment.round_id == rnd.id)):
            if assessment.unit_id != world.demo_school.id:
                end_collection(
                    session, assessment=assessment, round_=rnd, k=k, actor_id=principal,
                    at=when(date(2026, 11, 20)),
                )  # fmt: skip
                # Principals share their teachers' results with the organiser, but for the two
                # schools that keep their own results private too.
                assessment.shared = assessment.unit_id not in private
                session.add(assessment)
    _publish_demo_releases(session, national_rounds, by_key, progress=progress)
    summary.update(
        units=len(world.schools) + len(world.preschools),
        organisers=len(world.organisers),
        regions=len(world.regions),
    )
    return summary


def _publish_demo_releases(
    session: Session,
    rounds: list[tuple[Round, str]],
    by_key: dict[str, Questionnaire],
    *,
    progress: bool,
) -> None:
    """National staff's releases: the final one of the closed 2025 round and a preliminary one of
    the open 2026 round (which pairs with 2025 for the trends). The organisers' round has none
    yet: its page shows participation only, and national staff can publish its first release."""
    settings = get_settings()
    national = session.exec(select(User).where(User.email == "national@example.org")).one()
    for rnd, key in rounds:
        session.flush()
        title = rnd.title

        def say(message: str, title: str = title) -> None:
            if progress and message.startswith("release"):
                click.echo(f"  {title}: {message}", err=True)

        create_release(
            session,
            round_=rnd,
            q=by_key[key],
            k=settings.min_group_size,
            k_detail=settings.detail_group_size,
            actor_id=national.id,
            progress=say,
        )
