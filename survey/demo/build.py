"""``survey demo``: create or reset a demo database with real-looking Swedish units,
rounds and answers.

The demo accounts (password ``demo``) exist only in the database this command builds.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click
import numpy as np
from sqlalchemy import insert
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from survey.config import get_settings
from survey.db import make_engine
from survey.demo_data import (
    ANPASSAD_SCHOOLS,
    COMMENTS,
    DEMO_PASSWORD,
    EXTRA_MUNICIPALITIES,
    EXTRA_REGIONS,
    INDEPENDENT_ORGANISERS,
    NATIONAL_SCHOOL_FORMS,
    PRESCHOOL_NAMES,
    REGIONS,
    SCHOOL_PREFIXES,
    SCHOOL_SUFFIXES,
    STATE_ORGANISERS,
    UPPER_SECONDARY,
)
from survey.migrate import upgrade
from survey.models import (
    ActionPlanRow,
    Answer,
    Assessment,
    QuestionnaireVersion,
    Respondent,
    Round,
    Unit,
    User,
    metadata,
)
from survey.questionnaire import Questionnaire, load_directory
from survey.security import new_token, token_digest
from survey.services.accounts.users import create_user, grant_role
from survey.services.assessments.batches import end_collection
from survey.services.national.releases import create_release
from survey.services.plan.actions import generated_rows
from survey.services.questionnaires import store_version
from survey.services.rounds.store import create_round
from survey.services.units import add_unit

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
    #: Units added for the national follow-up, drawn from their own random stream.
    extra: list[Unit] = field(default_factory=list)


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


def _school_forms(rng: np.random.Generator) -> list[str]:
    roll = rng.random()
    if roll < 0.12:
        return ["gymnasieskola"]
    if roll < 0.17:
        return ["grundskola", "anpassad_grundskola"]
    return ["forskoleklass", "grundskola", "fritidshem"] if roll < 0.6 else ["grundskola"]


def _add_school(
    session: Session,
    world: DemoWorld,
    names: _Names,
    org: Unit,
    name: str,
    forms: list[str],
    kind: str = "school",
) -> Unit:
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


def _municipality(session: Session, region: Unit, code: str, name: str) -> Unit:
    return add_unit(
        session,
        kind="organiser",
        name=f"{name} kommun",
        parent=region,
        organiser_type="municipal",
        municipality_code=code,
        county_code=region.county_code,
        external_id=f"kommun-{code}",
        contact_email=f"skola@{name.lower()}.example.se",
    )


def _build_units(session: Session, rng: np.random.Generator, scale: DemoScale) -> DemoWorld:
    names = _Names(rng)
    nation = add_unit(session, kind="nation", name="Sverige", external_id="SE")
    world = DemoWorld(nation=nation)

    def school(org: Unit, name: str, forms: list[str], kind: str = "school") -> Unit:
        return _add_school(session, world, names, org, name, forms, kind)

    def school_forms() -> list[str]:
        return _school_forms(rng)

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
            org = _municipality(session, region, code, name)
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


def _add_national_extras(
    session: Session, world: DemoWorld, rng: np.random.Generator, scale: DemoScale
) -> None:
    """The units that give every national breakdown small cells (issue 8): another region with
    a small municipality, a state organiser, units of a rare school form, more municipalities."""
    names = _Names(rng)
    names.codes = {u.school_unit_code for u in world.schools + world.preschools}  # type: ignore[misc]
    for county, county_name in EXTRA_REGIONS:
        world.regions.append(
            add_unit(
                session,
                kind="region",
                name=county_name,
                parent=world.nation,
                county_code=county,
                external_id=f"lan-{county}",
            )
        )
    region_of = {r.county_code: r for r in world.regions}
    before = len(world.schools)
    for county, code, name, count in EXTRA_MUNICIPALITIES:
        org = _municipality(session, region_of[county], code, name)
        world.organisers.append(org)
        world.extra.append(org)
        low, high = scale.schools_per_municipality
        n = count if count is not None else int(rng.integers(low, high + 1))
        for school_name in names.school_names(n):
            forms = _school_forms(rng)
            if forms == ["gymnasieskola"]:
                school_name = school_name.replace("skolan", "") + UPPER_SECONDARY[0]
            _add_school(session, world, names, org, school_name, forms)
    for name, orgnr, county, schools in STATE_ORGANISERS:
        org = add_unit(
            session,
            kind="organiser",
            name=name,
            parent=region_of[county],
            organiser_type="state",
            county_code=county,
            organisation_number=orgnr,
            external_id=f"org-{orgnr}",
        )
        world.organisers.append(org)
        world.extra.append(org)
        for school_name in schools:
            _add_school(session, world, names, org, school_name, ["forskoleklass", "grundskola"])
    municipality = {o.municipality_code: o for o in world.organisers if o.municipality_code}
    for code, school_name in ANPASSAD_SCHOOLS:
        _add_school(session, world, names, municipality[code], school_name, ["anpassad_grundskola"])
    world.extra.extend(world.schools[before:])  # no preschools among the extras
    session.flush()


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
        self.org_effect: dict[int | None, float] = {}
        self.latent: dict[int, float] = {}
        self.change: dict[int, float] = {}
        self._draw(rng, units)
        # A few clearly lagging units.
        for unit in rng.choice(
            np.array(units, dtype=object), size=max(1, len(units) // 12), replace=False
        ):
            self.latent[unit.id] -= 1.0
        self._subgoal: dict[tuple[int, str], float] = {}
        self._subgoal_other: dict[tuple[int, str], float] = {}

    def _draw(self, rng: np.random.Generator, units: list[Unit]) -> None:
        for unit in units:
            if unit.parent_id not in self.org_effect:
                self.org_effect[unit.parent_id] = float(rng.normal(0, 0.3))
            self.latent[unit.id] = (  # type: ignore[index]
                2.45 + self.org_effect[unit.parent_id] + float(rng.normal(0, 0.45))
            )
            roll = rng.random()
            self.change[unit.id] = (  # type: ignore[index]
                0.7 if roll < 0.15 else -0.6 if roll < 0.25 else float(rng.normal(0.1, 0.2))
            )

    def add_units(self, rng: np.random.Generator, units: list[Unit]) -> None:
        """Units added later, drawn from ``rng`` (the first stream stays as it was)."""
        self._draw(rng, units)

    def values(
        self,
        q: Questionnaire,
        unit_id: int,
        *,
        later: bool,
        person: float = 0.0,
        completeness: float = 1.0,
        rng: np.random.Generator | None = None,
    ) -> list[tuple[str, str, int | None, str | None]]:
        """One answer set; ``rng`` draws it from another stream than the answerer's own."""
        subgoal = self._subgoal if rng is None else self._subgoal_other
        rng = rng or self.rng
        base = self.latent[unit_id] + (self.change[unit_id] if later else 0.0) + person
        rows = []
        for index, item in enumerate(q.items):
            if rng.random() > completeness:
                continue
            key = (unit_id, item.subgoal)
            if key not in subgoal:
                subgoal[key] = float(rng.normal(0, 0.35))
            difficulty = ((index * 7919) % 13 - 6) / 14
            if item.allow_not_applicable and rng.random() < 0.02:
                rows.append((item.id, "na", None, None))
                continue
            if q.scale.allow_dont_know and rng.random() < 0.03:
                rows.append((item.id, "dk", None, None))
                continue
            raw = base - difficulty + subgoal[key] + float(rng.normal(0, 0.6))
            value = int(np.clip(round(raw * (q.scale.size / 4)), 1, q.scale.size))
            comment = COMMENTS[int(rng.integers(len(COMMENTS)))] if rng.random() < 0.04 else None
            rows.append((item.id, "level", value, comment))
        return rows


def _answer_dicts(
    respondent_id: int,
    rows: list[tuple[str, str, int | None, str | None]],
    at: datetime,
    user_id: int | None,
) -> list[dict[str, object]]:
    return [
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
    ]


def _bulk_insert(session: Session, table: object, rows: list[dict[str, object]]) -> None:
    """Core executemany (no ORM objects), in chunks."""
    connection = session.connection()
    for start in range(0, len(rows), 5000):
        connection.execute(insert(table), rows[start : start + 5000])  # type: ignore[arg-type]


def _plan_dicts(
    q: Questionnaire,
    assessment_id: int,
    rows: list[tuple[str, str, int | None, str | None]],
    at: datetime,
) -> list[dict[str, object]]:
    """The action plan rows submitting generates (``sync_plan`` on a new plan), as dicts."""
    levels = {item: value for item, kind, value, _ in rows if kind == "level"}
    return [
        {
            "assessment_id": assessment_id,
            "item_id": row.item_id,
            "title": row.title,
            "activity": row.activity,
            "priority": row.priority,
            "position": row.position,
            "owner": "",
            "due_date": None,
            "status": "not_started",
            "note": "",
            "created_at": at,
            "updated_at": at,
        }
        for row in generated_rows(q, levels)
    ]


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
    extra: set[int] = frozenset(),  # type: ignore[assignment]
    extra_rng: np.random.Generator | None = None,
) -> None:
    """Answer a unit-level round; units in ``extra`` are drawn from ``extra_rng``."""
    assessments = session.exec(select(Assessment).where(Assessment.round_id == round_id)).all()
    respondents = {
        r.assessment_id: r
        for r in session.exec(
            select(Respondent).where(
                Respondent.assessment_id.in_([a.id for a in assessments])  # type: ignore[union-attr]
            )
        )
    }
    answers: list[dict[str, object]] = []
    plans: list[dict[str, object]] = []
    for assessment in assessments:
        other = extra_rng if assessment.unit_id in extra else None
        roll = (other or answerer.rng).random()
        keep = assessment.unit_id in keep_draft
        if not keep and roll > submitted_share + 0.07:
            continue  # not started
        draft = keep or roll > submitted_share
        completeness = 0.4 if keep else 0.7 if draft else 0.97
        rows = answerer.values(
            q, assessment.unit_id, later=later, completeness=completeness, rng=other
        )
        respondent = respondents[assessment.id]
        # Units answer on different days of the fortnight before ``at``, between 09:00
        # and 16:00 (a fixed spread by unit id, so the random draws of the answers stay as they
        # are): the participation page's "last change" then shows real-looking dates.
        uid = assessment.unit_id or 0
        day = at.replace(hour=9, minute=0, second=0, microsecond=0)
        when = day - timedelta(days=1 + uid * 7919 % 14) + timedelta(minutes=uid * 104729 % 420)
        answers.extend(_answer_dicts(respondent.id, rows, when, user_id))  # type: ignore[arg-type]
        assessment.updated_at = when
        if draft:
            continue
        assessment.state = "submitted"
        assessment.submitted_at = when
        assessment.submitted_by = user_id
        assessment.shared = assessment.unit_id not in private
        respondent.state = "submitted"
        respondent.submitted_at = when
        # The action plan that submitting in the app would have generated.
        plans.extend(_plan_dicts(q, assessment.id, rows, when))  # type: ignore[arg-type]
    session.flush()
    _bulk_insert(session, Answer.__table__, answers)
    _bulk_insert(session, ActionPlanRow.__table__, plans)


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
    answers: list[dict[str, object]] = []
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
            if n:
                assessment.updated_at = at
                session.add(assessment)
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
                answers.extend(_answer_dicts(person.id, rows, at, None))  # type: ignore[arg-type]
    session.flush()
    _bulk_insert(session, Answer.__table__, answers)
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
    answerer = _Answerer(rng, world.schools + world.preschools + world.organisers)
    # Units added for the national follow-up come from a stream of their own, so everything
    # drawn from ``rng`` (names, answers, the principal's draft) stays as it was.
    extra_rng = np.random.default_rng(scale.seed + 8)
    _add_national_extras(session, world, extra_rng, scale)
    answerer.add_units(extra_rng, world.extra)
    extra = {u.id for u in world.extra}
    users = _users(session, world)
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
    grund = [u for u in world.schools if u.id not in extra and "grundskola" in forms[u.id]]  # type: ignore[index]
    others = [
        u
        for u in world.schools
        if u.id not in {g.id for g in grund} and set(forms[u.id]) & set(NATIONAL_SCHOOL_FORMS)  # type: ignore[index]
    ]
    extra |= {u.id for u in others}  # type: ignore[misc]
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
        _fill_unit_round(
            session,
            round_id=rnd.id,
            q=by_key["huvudman"],
            answerer=answerer,
            later=True,  # type: ignore[arg-type]
            submitted_share=0.85,
            at=when(date(2026, 10, 15)),
            user_id=strategist,
            extra=extra,
            extra_rng=extra_rng,
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


@click.command()
@click.option(
    "--reset/--no-reset",
    default=True,
    show_default=True,
    help="Drop everything in the database first.",
)
@click.option(
    "--national",
    is_flag=True,
    help="Build a national-scale data set instead: 21 regions, 290 organisers, 5,000 school "
    "units, national rounds with about 100,000 teacher respondents (a few minutes).",
)
def demo(reset: bool, national: bool) -> None:
    """Create (or reset) a demo database at SURVEY_DATABASE_URL with demo accounts."""
    settings = get_settings()
    url = settings.database_url
    if national and not reset:
        raise click.UsageError("--national builds a whole database: it cannot use --no-reset")
    if reset:
        reset_database(url)
    else:
        upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        if national:
            from survey.demo_national import build_national

            summary = build_national(session)
        else:
            summary = build_demo(session, scale=DemoScale())
        session.commit()
    engine.dispose()
    port = settings.port
    click.echo(f"demo database ready: {make_url(url).render_as_string(hide_password=True)}")
    click.echo(
        f"  {summary['units']} school units, {summary['organisers']} organisers, "
        f"{summary['regions']} regions"
    )
    if national:
        click.echo(
            f"  {summary['respondents']:,} teacher respondents, {summary['answers']:,} answers; "
            f"{summary['rows']:,} rows loaded in {summary['seconds']:.0f} s"
        )
        for made in summary["releases"]:  # type: ignore[attr-defined]
            click.echo(
                f"  {made['round']}: release {made['number']} ({made['kind']}), "
                f"{made['units']:,} units, built and audited in {made['seconds']:.1f} s"
            )
    click.echo(f"  open http://127.0.0.1:{port}/ and sign in with password '{DEMO_PASSWORD}':")
    for email, role in ACCOUNTS.items():
        click.echo(f"    {email:<26} {role}")
    if "teacher_link" in summary:
        click.echo(
            f"  teacher link for Kvarnbackaskolan: http://127.0.0.1:{port}{summary['teacher_link']}"
        )
