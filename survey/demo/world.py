"""The small demo's unit tree: real-looking Swedish regions, municipalities, independent and state
organisers and their school units, and the demo accounts."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from sqlmodel import Session

from survey.demo.data import (
    ANPASSAD_SCHOOLS,
    DEMO_PASSWORD,
    EXTRA_MUNICIPALITIES,
    EXTRA_REGIONS,
    INDEPENDENT_ORGANISERS,
    PRESCHOOL_NAMES,
    REGIONS,
    SCHOOL_PREFIXES,
    SCHOOL_SUFFIXES,
    STATE_ORGANISERS,
    UPPER_SECONDARY,
)
from survey.models import Unit, id_of
from survey.services.accounts.users import create_user, grant_role
from survey.services.units import add_unit

DEMO_ORGANISER = "0380"  # Uppsala kommun: the demo strategist's organiser


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
    world.unit_forms[id_of(unit)] = forms
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


def build_units(session: Session, rng: np.random.Generator, scale: DemoScale) -> DemoWorld:
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


def add_national_extras(
    session: Session, world: DemoWorld, rng: np.random.Generator, scale: DemoScale
) -> None:
    """The units that give every national breakdown small cells: another region with
    a small municipality, a state organiser, units of a rare school form, more municipalities."""
    names = _Names(rng)
    names.codes = {
        u.school_unit_code for u in world.schools + world.preschools if u.school_unit_code
    }
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


def demo_users(session: Session, world: DemoWorld) -> dict[str, int]:
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
        ids[email] = id_of(user)
    world.demo_school.contact_email = "principal@example.org"
    return ids
