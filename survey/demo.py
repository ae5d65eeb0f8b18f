"""``survey demo``: create or reset a demo database with real-looking Swedish units,
rounds and answers.

The demo accounts (password ``demo``) exist only in the database this command builds.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import click
import numpy as np
from sqlalchemy import insert
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from survey.config import get_settings
from survey.db import make_engine
from survey.demo_data import (
    COMMENTS,
    INDEPENDENT_ORGANISERS,
    PRESCHOOL_NAMES,
    REGIONS,
    SCHOOL_PREFIXES,
    SCHOOL_SUFFIXES,
    UPPER_SECONDARY,
)
from survey.migrate import upgrade
from survey.models import Answer, Assessment, QuestionnaireVersion, Respondent, Unit, metadata
from survey.questionnaire import Questionnaire, load_directory
from survey.security import new_token, token_digest
from survey.services.access import load_assessment
from survey.services.assessments import answers_of
from survey.services.plan import sync_plan
from survey.services.questionnaires import store_version
from survey.services.rounds import create_round
from survey.services.units import add_unit
from survey.services.users import create_user, grant_role

DEMO_PASSWORD = "demo"
DEMO_ORGANISER = "0380"  # Uppsala kommun: the demo strategist's organiser
ACCOUNTS = {
    "principal@example.org": "rektor för Kvarnbackaskolan (Uppsala kommun)",
    "strategist@example.org": "it-strateg, Uppsala kommun",
    "national@example.org": "nationell uppföljning",
    "admin@example.org": "administratör",
}


def reset_database(url: str) -> None:
    """Remove every table (or the SQLite file) and migrate to the latest schema."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
    else:
        engine = make_engine(url)
        with engine.begin() as connection:
            metadata.drop_all(connection)
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        engine.dispose()
    upgrade(url)


@dataclass
class DemoScale:
    """How big the generated data set is."""

    schools_per_municipality: tuple[int, int] = (6, 12)
    demo_organiser_schools: int = 20
    demo_organiser_preschools: int = 8
    teachers_per_unit: tuple[int, int] = (2, 14)
    extra_municipalities: int = 0
    seed: int = 20261123


@dataclass
class DemoWorld:
    nation: Unit
    regions: list[Unit] = field(default_factory=list)
    organisers: list[Unit] = field(default_factory=list)
    schools: list[Unit] = field(default_factory=list)
    preschools: list[Unit] = field(default_factory=list)
    demo_organiser: Unit | None = None
    demo_school: Unit | None = None
    unit_forms: dict[int, list[str]] = field(default_factory=dict)


class _Names:
    def __init__(self, rng: np.random.Generator):
        self.rng = rng
        self.codes: set[str] = set()

    def school_code(self) -> str:
        while True:
            code = str(int(self.rng.integers(10_000_000, 99_999_999)))
            if code not in self.codes:
                self.codes.add(code)
                return code

    def school_names(self, count: int) -> list[str]:
        names: set[str] = set()
        while len(names) < count:
            prefix = SCHOOL_PREFIXES[int(self.rng.integers(len(SCHOOL_PREFIXES)))]
            suffix = SCHOOL_SUFFIXES[int(self.rng.integers(len(SCHOOL_SUFFIXES)))]
            names.add(prefix + suffix)
        return sorted(names)


def _build_units(session: Session, rng: np.random.Generator, scale: DemoScale) -> DemoWorld:
    names = _Names(rng)
    nation = add_unit(session, kind="nation", name="Sverige", external_id="SE")
    world = DemoWorld(nation=nation)

    def school(org: Unit, name: str, forms: list[str], kind: str = "school") -> Unit:
        unit = add_unit(
            session,
            kind=kind,
            name=name,
            parent=org,
            school_forms=forms,
            school_unit_code=names.school_code(),
            municipality_code=org.municipality_code,
            county_code=org.county_code,
        )
        unit.external_id = unit.school_unit_code
        (world.preschools if kind == "preschool" else world.schools).append(unit)
        world.unit_forms[unit.id] = forms  # type: ignore[index]
        return unit

    def school_forms() -> list[str]:
        roll = rng.random()
        if roll < 0.12:
            return ["gymnasieskola"]
        if roll < 0.17:
            return ["grundskola", "anpassad_grundskola"]
        return ["forskoleklass", "grundskola", "fritidshem"] if roll < 0.6 else ["grundskola"]

    for county, county_name, municipalities in REGIONS:
        region = add_unit(
            session,
            kind="region",
            name=county_name,
            parent=nation,
            county_code=county,
            external_id=f"lan-{county}",
        )
        world.regions.append(region)
        for code, name in municipalities:
            org = add_unit(
                session,
                kind="organiser",
                name=f"{name} kommun",
                parent=region,
                organiser_type="municipal",
                municipality_code=code,
                county_code=county,
                external_id=f"kommun-{code}",
                contact_email=f"skola@{name.lower()}.example.se",
            )
            world.organisers.append(org)
            demo = code == DEMO_ORGANISER
            low, high = scale.schools_per_municipality
            count = scale.demo_organiser_schools if demo else int(rng.integers(low, high + 1))
            for school_name in names.school_names(count):
                forms = school_forms()
                if forms == ["gymnasieskola"]:
                    school_name = (
                        school_name.replace("skolan", "") + UPPER_SECONDARY[int(rng.integers(2))]
                    )
                school(org, school_name, forms)
            n_pre = scale.demo_organiser_preschools if demo else int(rng.integers(1, 4))
            for pre_name in rng.choice(PRESCHOOL_NAMES, size=n_pre, replace=False):
                school(org, f"Förskolan {pre_name}", ["forskola"], kind="preschool")
            if demo:
                world.demo_organiser = org
                world.demo_school = school(
                    org, "Kvarnbackaskolan", ["forskoleklass", "grundskola", "fritidshem"]
                )
                school(org, "Komvux Uppsala", ["vuxenutbildning"], kind="adult_education")
    for name, orgnr, county, count in INDEPENDENT_ORGANISERS:
        region = next(r for r in world.regions if r.county_code == county)
        org = add_unit(
            session,
            kind="organiser",
            name=name,
            parent=region,
            organiser_type="independent",
            county_code=county,
            organisation_number=orgnr,
            external_id=f"org-{orgnr}",
        )
        world.organisers.append(org)
        for school_name in names.school_names(count):
            school(org, school_name.replace("skolan", "skolan ") + name.split()[0], school_forms())
    session.flush()
    return world


def _users(session: Session, world: DemoWorld) -> dict[str, int]:
    assert world.demo_school and world.demo_organiser
    roles = {
        "principal@example.org": ("Rektor Karin Lund", "principal", world.demo_school),
        "strategist@example.org": ("Ali Haddad", "strategist", world.demo_organiser),
        "national@example.org": ("Eva Nationell", "national", world.nation),
        "admin@example.org": ("Admin Adminsson", "admin", world.nation),
    }
    ids = {}
    for email, (name, role, unit) in roles.items():
        user = create_user(session, email=email, password=DEMO_PASSWORD, name=name)
        grant_role(session, user=user, unit=unit, role=role)
        ids[email] = user.id
    world.demo_school.contact_email = "principal@example.org"
    return ids  # type: ignore[return-value]


class _Answerer:
    """Draws plausible answers: a latent maturity per unit, item difficulty and noise."""

    def __init__(self, rng: np.random.Generator, units: list[Unit]):
        self.rng = rng
        org_effect: dict[int | None, float] = {}
        self.latent: dict[int, float] = {}
        self.change: dict[int, float] = {}
        for unit in units:
            if unit.parent_id not in org_effect:
                org_effect[unit.parent_id] = float(rng.normal(0, 0.3))
            self.latent[unit.id] = 2.45 + org_effect[unit.parent_id] + float(rng.normal(0, 0.45))  # type: ignore[index]
            roll = rng.random()
            self.change[unit.id] = (  # type: ignore[index]
                0.7 if roll < 0.15 else -0.6 if roll < 0.25 else float(rng.normal(0.1, 0.2))
            )
        # A few clearly lagging units.
        for unit in rng.choice(
            np.array(units, dtype=object), size=max(1, len(units) // 12), replace=False
        ):
            self.latent[unit.id] -= 1.0
        self._subgoal: dict[tuple[int, str], float] = {}

    def values(
        self,
        q: Questionnaire,
        unit_id: int,
        *,
        later: bool,
        person: float = 0.0,
        completeness: float = 1.0,
    ) -> list[tuple[str, str, int | None, str | None]]:
        rng = self.rng
        base = self.latent[unit_id] + (self.change[unit_id] if later else 0.0) + person
        rows = []
        for index, item in enumerate(q.items):
            if rng.random() > completeness:
                continue
            key = (unit_id, item.subgoal)
            if key not in self._subgoal:
                self._subgoal[key] = float(rng.normal(0, 0.35))
            difficulty = ((index * 7919) % 13 - 6) / 14
            if item.allow_not_applicable and rng.random() < 0.02:
                rows.append((item.id, "na", None, None))
                continue
            if q.scale.allow_dont_know and rng.random() < 0.03:
                rows.append((item.id, "dk", None, None))
                continue
            raw = base - difficulty + self._subgoal[key] + float(rng.normal(0, 0.6))
            value = int(np.clip(round(raw * (q.scale.size / 4)), 1, q.scale.size))
            comment = COMMENTS[int(rng.integers(len(COMMENTS)))] if rng.random() < 0.04 else None
            rows.append((item.id, "level", value, comment))
        return rows


def _insert_answers(
    session: Session,
    respondent_id: int,
    rows: list[tuple[str, str, int | None, str | None]],
    at: datetime,
    user_id: int | None,
) -> None:
    if rows:
        session.execute(
            insert(Answer),
            [
                {
                    "respondent_id": respondent_id,
                    "item_id": item,
                    "kind": kind,
                    "value": value,
                    "comment": comment,
                    "answered_by": user_id,
                    "updated_at": at,
                }
                for item, kind, value, comment in rows
            ],
        )


def _fill_unit_round(
    session: Session,
    *,
    round_id: int,
    q: Questionnaire,
    answerer: _Answerer,
    later: bool,
    submitted_share: float,
    at: datetime,
    user_id: int | None,
    keep_draft: set[int] = frozenset(),  # type: ignore[assignment]
    private: set[int] = frozenset(),  # type: ignore[assignment]
) -> None:
    rng = answerer.rng
    assessments = session.exec(select(Assessment).where(Assessment.round_id == round_id)).all()
    respondents = {
        r.assessment_id: r
        for r in session.exec(
            select(Respondent).where(
                Respondent.assessment_id.in_([a.id for a in assessments])  # type: ignore[union-attr]
            )
        )
    }
    submitted: list[int] = []
    for assessment in assessments:
        roll = rng.random()
        if assessment.unit_id in keep_draft or roll > submitted_share + 0.07:
            if assessment.unit_id in keep_draft or roll < submitted_share + 0.04:
                rows = answerer.values(q, assessment.unit_id, later=later, completeness=0.4)
                _insert_answers(session, respondents[assessment.id].id, rows, at, user_id)
            continue
        if roll > submitted_share:  # started, in draft
            rows = answerer.values(q, assessment.unit_id, later=later, completeness=0.7)
            _insert_answers(session, respondents[assessment.id].id, rows, at, user_id)
            continue
        rows = answerer.values(q, assessment.unit_id, later=later, completeness=0.97)
        _insert_answers(session, respondents[assessment.id].id, rows, at, user_id)
        assessment.state = "submitted"
        assessment.submitted_at = at
        assessment.submitted_by = user_id
        assessment.shared = assessment.unit_id not in private
        respondents[assessment.id].state = "submitted"
        respondents[assessment.id].submitted_at = at
        submitted.append(assessment.id)  # type: ignore[arg-type]
    session.flush()
    # The action plans that submitting in the app would have generated.
    for assessment_id in submitted:
        ctx = load_assessment(session, assessment_id=assessment_id)
        respondent = respondents[assessment_id]
        sync_plan(session, ctx=ctx, q=q, answers=answers_of(session, respondent_id=respondent.id))  # type: ignore[arg-type]
    session.flush()


def _fill_individual_round(
    session: Session,
    *,
    round_id: int,
    q: Questionnaire,
    answerer: _Answerer,
    scale: DemoScale,
    at: datetime,
    progress: bool,
) -> dict[int, str]:
    """Teachers' answers; returns one unused respondent link token per unit."""
    rng = answerer.rng
    assessments = list(
        session.exec(select(Assessment).where(Assessment.round_id == round_id)).all()
    )
    links: dict[int, str] = {}
    low, high = scale.teachers_per_unit
    with (
        click.progressbar(assessments, label="teacher answers", file=sys.stderr, show_pos=True)
        if progress
        else _Null(assessments) as bar
    ):
        for assessment in bar:
            n = int(rng.integers(low, high + 1))
            submitted = n if rng.random() < 0.8 else max(0, n - int(rng.integers(1, 4)))
            people = [
                Respondent(
                    assessment_id=assessment.id,
                    token_hash=token_digest(new_token()),
                    state="submitted" if i < submitted else "open",
                    submitted_at=at if i < submitted else None,
                )
                for i in range(n)
            ]
            token = new_token()
            people.append(Respondent(assessment_id=assessment.id, token_hash=token_digest(token)))
            links[assessment.unit_id] = token
            session.add_all(people)
            session.flush()
            for person in people[:-1]:
                rows = answerer.values(
                    q,
                    assessment.unit_id,
                    later=True,
                    person=float(rng.normal(0, 0.5)),
                    completeness=0.97 if person.state == "submitted" else 0.5,
                )
                _insert_answers(session, person.id, rows, at, None)  # type: ignore[arg-type]
    session.flush()
    return links


class _Null:
    def __init__(self, items: list[Assessment]):
        self.items = items

    def __enter__(self) -> list[Assessment]:
        return self.items

    def __exit__(self, *exc: object) -> None:
        return None


def build_demo(session: Session, *, scale: DemoScale, progress: bool = True) -> dict[str, object]:
    """Build the whole demo world in ``session`` (flushes, does not commit)."""
    settings = get_settings()
    rng = np.random.default_rng(scale.seed)
    loaded, problems = load_directory(settings.questionnaire_dir)
    for problem in problems:
        click.echo(f"skipped questionnaire: {problem}", err=True)
    by_key = {q.key: q for q in loaded}
    stored: dict[str, QuestionnaireVersion] = {
        q.key: store_version(session, questionnaire=q) for q in loaded
    }
    world = _build_units(session, rng, scale)
    users = _users(session, world)
    answerer = _Answerer(rng, world.schools + world.preschools + world.organisers)
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
    grund = [u for u in world.schools if "grundskola" in world.unit_forms[u.id]]  # type: ignore[index]
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
            units=grund,
            targets={"kinds": ["school"], "school_forms": ["grundskola"]},
            actor_id=national,
        )
        if year == 2025:
            rnd.state = "closed"
        _fill_unit_round(
            session,
            round_id=rnd.id,
            q=by_key[school_q],
            answerer=answerer,
            later=later,  # type: ignore[arg-type]
            submitted_share=0.86 if year == 2025 else 0.9,
            at=when(date(year, 10, 20)),
            user_id=principal,
            keep_draft={world.demo_school.id} if later else set(),  # type: ignore[arg-type]
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
        _fill_unit_round(
            session,
            round_id=rnd.id,
            q=by_key["huvudman"],
            answerer=answerer,
            later=True,  # type: ignore[arg-type]
            submitted_share=0.85,
            at=when(date(2026, 10, 15)),
            user_id=strategist,
        )
    private = {u.id for u in uppsala_schools[3:5]}
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
        _fill_unit_round(
            session,
            round_id=rnd.id,
            q=by_key[school_q],
            answerer=answerer,
            later=later,  # type: ignore[arg-type]
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
        _fill_unit_round(
            session,
            round_id=rnd.id,
            q=by_key["forskola"],
            answerer=answerer,
            later=True,  # type: ignore[arg-type]
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
        links = _fill_individual_round(
            session,
            round_id=rnd.id,
            q=by_key["larare"],
            answerer=answerer,
            scale=scale,  # type: ignore[arg-type]
            at=when(date(2026, 11, 2)),
            progress=progress,
        )
        summary["teacher_link"] = f"/r/{links[world.demo_school.id]}"
    summary.update(
        units=len(world.schools) + len(world.preschools),
        organisers=len(world.organisers),
        regions=len(world.regions),
    )
    return summary


@click.command()
@click.option(
    "--reset/--no-reset",
    default=True,
    show_default=True,
    help="Drop everything in the database first.",
)
@click.option(
    "--national", is_flag=True, help="Build a national-scale data set (about 5,000 school units)."
)
def demo(reset: bool, national: bool) -> None:
    """Create (or reset) a demo database at SURVEY_DATABASE_URL with demo accounts."""
    settings = get_settings()
    url = settings.database_url
    if reset:
        reset_database(url)
    else:
        upgrade(url)
    scale = DemoScale()
    if national:
        scale = DemoScale(schools_per_municipality=(14, 20), teachers_per_unit=(10, 30))
    engine = make_engine(url)
    with Session(engine) as session:
        summary = build_demo(session, scale=scale)
        session.commit()
    engine.dispose()
    port = settings.port
    click.echo(f"demo database ready: {make_url(url).render_as_string(hide_password=True)}")
    click.echo(
        f"  {summary['units']} school units, {summary['organisers']} organisers, "
        f"{summary['regions']} regions"
    )
    click.echo(f"  open http://127.0.0.1:{port}/ and sign in with password '{DEMO_PASSWORD}':")
    for email, role in ACCOUNTS.items():
        click.echo(f"    {email:<26} {role}")
    if "teacher_link" in summary:
        click.echo(
            f"  teacher link for Kvarnbackaskolan: http://127.0.0.1:{port}{summary['teacher_link']}"
        )
