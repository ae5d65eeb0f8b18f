"""``survey demo --national``: a national-scale data set for the national follow-up (issue 8).

21 regions (the real counties), 290 organisers (municipal, with real-looking municipality codes,
and independent), 5,000 school units, two national rounds of the school questionnaire, a national
round of the organiser questionnaire and a national teacher round with about 100,000 respondents
— several million answers. Everything is drawn with numpy and written in bulk, never one ORM
object per row: PostgreSQL gets ``COPY … FROM STDIN`` (psycopg), SQLite one ``executemany`` per
chunk. Progress goes to stderr.

The demo accounts work as in the small demo: the principal of Kvarnbackaskolan and the
strategist of Uppsala kommun, national staff and an administrator.
"""

from __future__ import annotations

import secrets
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from typing import Any

import click
import numpy as np
from sqlalchemy import Table, func, select
from sqlmodel import Session

from survey.config import get_settings
from survey.demo_data import (
    COUNTIES,
    EXTRA_MUNICIPALITIES,
    INDEPENDENT_PATTERNS,
    MUNICIPALITY_ENDINGS,
    NATIONAL_SCHOOL_FORMS,
    REGIONS,
    SCHOOL_PREFIXES,
    SCHOOL_SUFFIXES,
)
from survey.models import (
    ActionPlanRow,
    Answer,
    Assessment,
    QuestionnaireVersion,
    Respondent,
    Round,
    Unit,
    UnitSchoolForm,
)
from survey.questionnaire import Questionnaire, load_directory
from survey.services.audit import record
from survey.services.plan import generated_rows
from survey.services.questionnaires import store_version
from survey.services.users import create_user, grant_role

DEMO_ORGANISER = "0380"  # Uppsala kommun
DEMO_SCHOOL = "Kvarnbackaskolan"
# School-form patterns of school units and how common they are.
FORM_PATTERNS: list[tuple[list[str], float]] = [
    (["forskoleklass", "grundskola", "fritidshem"], 0.58),
    (["grundskola"], 0.12),
    (["grundskola", "anpassad_grundskola"], 0.05),
    (["anpassad_grundskola"], 0.015),
    (["gymnasieskola"], 0.2),
    (["gymnasieskola", "anpassad_gymnasieskola"], 0.035),
]
CHUNK = 20_000


@dataclass(frozen=True)
class NationalScale:
    organisers: int = 290
    independent: int = 50  # of the organisers
    schools: int = 5_000
    teachers: int = 100_000  # anonymous respondents (links) in the teacher round
    seed: int = 20261201

    def __post_init__(self) -> None:
        if self.organisers - self.independent < len(COUNTIES) or self.independent < 1:
            raise ValueError("at least one municipality per county and one independent organiser")
        if self.schools < 25 * self.independent or self.schools < 2 * self.organisers:
            raise ValueError("too few schools for the organisers (25 per independent one)")


# --------------------------------------------------------------------------- the unit tree


@dataclass
class _Tree:
    """Units as parallel lists; unit ids are consecutive from ``start``."""

    start: int
    rows: list[tuple[Any, ...]] = field(default_factory=list)  # Unit columns, see UNIT_COLUMNS
    forms: list[tuple[int, str]] = field(default_factory=list)
    regions: list[int] = field(default_factory=list)
    organisers: list[int] = field(default_factory=list)
    organiser_region: list[int] = field(default_factory=list)  # index into regions
    schools: list[int] = field(default_factory=list)
    school_organiser: list[int] = field(default_factory=list)  # index into organisers
    school_forms: list[list[str]] = field(default_factory=list)
    brands: dict[int, str] = field(default_factory=dict)  # independent organiser → its name
    demo_organiser: int = 0
    demo_school: int = 0

    def add(self, parent: tuple[Any, ...] | None, kind: str, name: str, **values: Any) -> int:
        unit_id = self.start + len(self.rows)
        path = f"{parent[4] if parent else '/'}{unit_id}/"
        self.rows.append(
            (
                unit_id,
                parent[0] if parent else None,
                kind,
                name,
                path,
                values.get("school_unit_code"),
                values.get("municipality_code"),
                values.get("county_code"),
                values.get("organisation_number"),
                values.get("organiser_type"),
                values.get("external_id"),
                values.get("contact_email"),
            )
        )
        return unit_id

    def row(self, unit_id: int) -> tuple[Any, ...]:
        return self.rows[unit_id - self.start]


UNIT_COLUMNS = (
    "id",
    "parent_id",
    "kind",
    "name",
    "path",
    "school_unit_code",
    "municipality_code",
    "county_code",
    "organisation_number",
    "organiser_type",
    "external_id",
    "contact_email",
)


def _quota(weights: Sequence[float] | np.ndarray, total: int, minimum: int) -> list[int]:
    """``total`` split in proportion to ``weights``, at least ``minimum`` each (largest
    remainders get the rest)."""
    w = np.asarray(weights, dtype=float)
    free = total - minimum * len(w)
    raw = w / w.sum() * free
    out = np.floor(raw).astype(int)
    for i in np.argsort(-(raw - out))[: free - int(out.sum())]:
        out[i] += 1
    return (out + minimum).tolist()


def _brand(rng: np.random.Generator) -> str:
    stem = SCHOOL_PREFIXES[int(rng.integers(len(SCHOOL_PREFIXES)))]
    return stem + MUNICIPALITY_ENDINGS[int(rng.integers(len(MUNICIPALITY_ENDINGS)))]


def _municipality_names(rng: np.random.Generator, count: int, taken: set[str]) -> list[str]:
    pool = [p + e for p in SCHOOL_PREFIXES for e in MUNICIPALITY_ENDINGS]
    pool = [p[0] + p[1:].lower() for p in pool if p not in taken]
    picked = rng.choice(len(pool), size=count, replace=False)
    return [pool[i] for i in picked]


def build_tree(rng: np.random.Generator, scale: NationalScale, start: int) -> _Tree:
    """Nation, regions, organisers and school units (no database)."""
    tree = _Tree(start=start)
    nation = tree.add(None, "nation", "Sverige", external_id="SE")
    known: dict[str, list[tuple[str, str]]] = {c: list(m) for c, _, m in REGIONS}
    for county, code, name, _ in EXTRA_MUNICIPALITIES:
        known.setdefault(county, []).append((code, name))
    n_municipal = scale.organisers - scale.independent
    per_county = _quota([n for _, _, n in COUNTIES], n_municipal, 1)
    invented = iter(
        _municipality_names(rng, n_municipal, {n for m in known.values() for _, n in m})
    )
    for (county, county_name, _), count in zip(COUNTIES, per_county, strict=True):
        region = tree.add(
            tree.row(nation), "region", county_name, county_code=county,
            external_id=f"lan-{county}",
        )  # fmt: skip
        tree.regions.append(region)
        municipalities = known.get(county, [])[:count]
        used = {int(code[2:]) for code, _ in municipalities}
        numbers = [n for n in range(14, 100) if n not in used]
        for n in rng.choice(numbers, size=count - len(municipalities), replace=False):
            municipalities.append((f"{county}{int(n):02d}", next(invented)))
        for code, name in municipalities:
            org = tree.add(
                tree.row(region), "organiser", f"{name} kommun", organiser_type="municipal",
                municipality_code=code, county_code=county, external_id=f"kommun-{code}",
                contact_email=f"skola@{name.lower().replace(' ', '')}.example.se",
            )  # fmt: skip
            tree.organisers.append(org)
            tree.organiser_region.append(len(tree.regions) - 1)
            if code == DEMO_ORGANISER:
                tree.demo_organiser = org
    county_weights = np.array([n for _, _, n in COUNTIES], dtype=float)
    orgnrs: set[str] = set()
    brands: set[str] = set()
    for i in range(scale.independent):
        r = int(rng.choice(len(COUNTIES), p=county_weights / county_weights.sum()))
        while (brand := _brand(rng)) in brands:
            pass
        brands.add(brand)
        name = INDEPENDENT_PATTERNS[i % len(INDEPENDENT_PATTERNS)].format(brand)
        prefix = "802" if name.startswith(("Stiftelsen", "Föräldra")) else "559"
        while (orgnr := f"{prefix}{rng.integers(100, 999)}-{rng.integers(1000, 9999)}") in orgnrs:
            pass
        orgnrs.add(orgnr)
        org = tree.add(
            tree.row(tree.regions[r]), "organiser", name, organiser_type="independent",
            county_code=COUNTIES[r][0], organisation_number=orgnr, external_id=f"org-{orgnr}",
        )  # fmt: skip
        tree.organisers.append(org)
        tree.organiser_region.append(r)
        tree.brands[org] = brand
    _add_schools(tree, rng, scale, n_municipal)
    return tree


def _add_schools(
    tree: _Tree, rng: np.random.Generator, scale: NationalScale, municipal: int
) -> None:
    n_org = len(tree.organisers)
    independent = n_org - municipal
    # Municipalities: most of the schools, a skewed size; independents: many with one to three
    # schools (fewer than k: small cells), a few large chains.
    weights = rng.lognormal(0.0, 0.8, size=municipal)
    weights[tree.organisers.index(tree.demo_organiser)] = weights.max() * 1.5
    small = rng.integers(1, 4, size=independent)
    chain = rng.random(independent) < 0.3
    chain[0] = True
    n_independent = int(scale.schools * 0.16)
    n_small = int(small[~chain].sum())
    rest = n_independent - n_small  # >= 1 per chain: NationalScale checks schools >= 25 x
    n_chain = int(chain.sum())
    chain_sizes = _quota(rng.lognormal(0, 1.0, size=n_chain), rest, min(4, rest // n_chain))
    sizes = _quota(weights, scale.schools - n_independent, 2)
    sizes += [int(s) if not c else chain_sizes.pop() for s, c in zip(small, chain, strict=True)]
    patterns = rng.choice(
        len(FORM_PATTERNS), size=scale.schools, p=[p for _, p in FORM_PATTERNS]
    ).tolist()
    codes = rng.choice(90_000_000, size=scale.schools, replace=False) + 10_000_000
    municipal_codes = [tree.row(o)[6] for o in tree.organisers[:municipal]]
    by_county: dict[str, list[str]] = {}
    for code in municipal_codes:
        by_county.setdefault(code[:2], []).append(code)
    k = 0
    for o, size in enumerate(sizes):
        org = tree.row(tree.organisers[o])
        brand = tree.brands.get(org[0])
        names = _school_names(rng, size)
        if org[0] == tree.demo_organiser:
            names[0] = DEMO_SCHOOL
            patterns[k] = 0
        for name in names:
            forms = FORM_PATTERNS[patterns[k]][0]
            if forms[0] == "gymnasieskola":
                name = name.replace("skolan", "gymnasiet")
            municipality = org[6]
            if brand:  # an independent school: somewhere in its organiser's county
                choices = by_county[org[7]]
                municipality = choices[int(rng.integers(len(choices)))]
                name = f"{name} {brand}"
            unit = tree.add(
                org, "school", name, school_unit_code=str(int(codes[k])),
                municipality_code=municipality, county_code=org[7], external_id=str(int(codes[k])),
            )  # fmt: skip
            if name == DEMO_SCHOOL:
                tree.demo_school = unit
            tree.schools.append(unit)
            tree.school_organiser.append(o)
            tree.school_forms.append(forms)
            tree.forms.extend((unit, f) for f in forms)
            k += 1


def _school_names(rng: np.random.Generator, count: int) -> list[str]:
    stems = rng.integers(len(SCHOOL_PREFIXES), size=count * 2)
    ends = rng.integers(len(SCHOOL_SUFFIXES), size=count * 2)
    names = list(
        dict.fromkeys(
            SCHOOL_PREFIXES[s] + SCHOOL_SUFFIXES[e] for s, e in zip(stems, ends, strict=True)
        )
    )
    while len(names) < count:  # more schools than name pairs: number them
        names.append(f"{names[len(names) % 50]} {len(names) // 50 + 1}")
    return names[:count]


# --------------------------------------------------------------------------- bulk loading


class _Loader:
    """Bulk writes on the session's own connection and transaction."""

    def __init__(self, session: Session, progress: bool):
        self.connection = session.connection()
        self.dialect = self.connection.dialect
        self.postgres = self.dialect.name == "postgresql"
        self.progress = progress
        self.rows = 0

    def value(self, table: Table, column: str, value: Any) -> Any:
        """A constant as the driver wants it (SQLite: the dialect's own text for datetimes)."""
        if self.postgres:
            return value
        impl = table.c[column].type.dialect_impl(self.dialect)
        process = impl.bind_processor(self.dialect)
        return process(value) if process else value

    def moments(
        self, table: Table, column: str, rng: np.random.Generator, n: int, first: date, days: int
    ) -> list[Any]:
        """``n`` random moments during ``days`` from ``first`` (when people submitted), as the
        driver wants them."""
        start = _when(first)
        seconds = rng.integers(0, days * 86_400, size=n).tolist()
        return [self.value(table, column, start + timedelta(seconds=s)) for s in seconds]

    @contextmanager
    def bar(self, total: int, label: str) -> Iterator[Callable[[int], None]]:
        if not self.progress:
            yield lambda n: None
            return
        with click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True) as bar:
            yield bar.update

    def load(
        self,
        table: Table,
        columns: Sequence[str],
        rows: Iterable[tuple[Any, ...]],
        *,
        total: int,
        label: str,
    ) -> None:
        iterator = iter(rows)
        with self.bar(total, label) as advance:
            if self.postgres:
                raw = self.connection.connection.driver_connection
                statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
                with raw.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
                    while chunk := list(islice(iterator, CHUNK)):
                        for row in chunk:
                            copy.write_row(row)
                        self.rows += len(chunk)
                        advance(len(chunk))
                return
            marks = ", ".join("?" for _ in columns)
            statement = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})"
            while chunk := list(islice(iterator, CHUNK)):
                self.connection.exec_driver_sql(statement, chunk)  # type: ignore[arg-type]
                self.rows += len(chunk)
                advance(len(chunk))

    def fix_sequences(self, tables: Sequence[Table]) -> None:
        """Rows were written with explicit ids: move PostgreSQL's sequences past them."""
        if not self.postgres:
            return
        for table in tables:
            self.connection.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                f"(SELECT max(id) FROM {table.name}))"
            )

    def analyze(self) -> None:
        """Fresh planner statistics: without them PostgreSQL plans the first queries over
        millions of new rows as if the tables were empty (nested loops instead of hash joins)."""
        self.connection.exec_driver_sql("ANALYZE")


def _t(model: type[Any]) -> Table:
    """A model's table (SQLModel does not declare ``__table__`` for type checkers)."""
    return model.__table__  # type: ignore[no-any-return]


def _next_id(session: Session, model: type[Any]) -> int:
    return int(session.scalar(select(func.coalesce(func.max(model.id), 0))) or 0) + 1


# --------------------------------------------------------------------------- answers


class _Maturity:
    """A latent maturity per unit (region, organiser and unit effects, a few lagging units), a
    change between rounds and a sub-goal profile; answers are these plus item difficulty and
    noise, rounded to the scale."""

    def __init__(self, rng: np.random.Generator, tree: _Tree, subgoals: list[str]):
        n = len(tree.rows)
        self.rng = rng
        self.start = tree.start
        region_effect = rng.normal(0, 0.15, size=len(tree.regions))
        org_effect = rng.normal(0, 0.3, size=len(tree.organisers))
        self.latent = np.full(n, 2.45)
        orgs = np.array(tree.organisers) - tree.start
        self.latent[orgs] += region_effect[tree.organiser_region] + rng.normal(0, 0.3, len(orgs))
        schools = np.array(tree.schools) - tree.start
        school_org = np.array(tree.school_organiser)
        self.latent[schools] += (
            region_effect[np.array(tree.organiser_region)[school_org]]
            + org_effect[school_org]
            + rng.normal(0, 0.45, len(schools))
        )
        lagging = rng.choice(schools, size=len(schools) // 12, replace=False)
        self.latent[lagging] -= 1.0
        roll = rng.random(n)
        self.change = np.where(
            roll < 0.15, 0.7, np.where(roll < 0.25, -0.6, rng.normal(0.1, 0.2, n))
        )
        self.subgoal_index = {s: i for i, s in enumerate(subgoals)}
        self.profile = rng.normal(0, 0.35, size=(n, len(subgoals)))

    def block(
        self,
        q: Questionnaire,
        units: np.ndarray,
        *,
        later: bool,
        completeness: np.ndarray,
        person: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Answers of one answer set per entry of ``units`` (unit ids): (answer set index,
        item index, kind code 0 level / 1 na / 2 dk, value)."""
        rng = self.rng
        idx = units - self.start
        n_items = len(q.items)
        base = self.latent[idx] + (self.change[idx] if later else 0.0)
        if person is not None:
            base = base + person
        difficulty = ((np.arange(n_items) * 7919) % 13 - 6) / 14
        subgoal = [self.subgoal_index[item.subgoal] for item in q.items]
        raw = (
            base[:, None]
            - difficulty[None, :]
            + self.profile[idx][:, subgoal]
            + rng.normal(0, 0.6, size=(len(units), n_items))
        )
        size = q.scale.size
        value = np.clip(np.rint(raw * (size / 4)), 1, size).astype(np.int64)
        kind = np.zeros_like(value)
        allow_na = np.array([item.allow_not_applicable for item in q.items])
        kind[(rng.random(value.shape) < 0.02) & allow_na[None, :]] = 1
        if q.scale.allow_dont_know:
            kind[(kind == 0) & (rng.random(value.shape) < 0.03)] = 2
        keep = rng.random(value.shape) < completeness[:, None]
        sets, items = np.nonzero(keep)
        return sets, items, kind[sets, items], value[sets, items]


def _answer_rows(
    q: Questionnaire,
    respondents: np.ndarray,
    block: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    *,
    user: int | None,
    at: Any,
) -> Iterator[tuple[Any, ...]]:
    sets, items, kinds, values = block
    item_ids = [item.id for item in q.items]
    names = ("level", "na", "dk")
    for r, i, k, v in zip(
        respondents[sets].tolist(), items.tolist(), kinds.tolist(), values.tolist(), strict=True
    ):
        yield r, item_ids[i], names[k], v if k == 0 else None, user, at


ANSWER_COLUMNS = ("respondent_id", "item_id", "kind", "value", "answered_by", "updated_at")


# --------------------------------------------------------------------------- rounds


@dataclass
class _Context:
    session: Session
    loader: _Loader
    maturity: _Maturity
    rng: np.random.Generator
    tree: _Tree
    national_user: int
    principal: int
    strategist: int
    next_assessment: int
    next_respondent: int
    answer_count: int = 0
    plans: int = 0


def _when(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 14, tzinfo=UTC)


def _new_round(
    ctx: _Context,
    *,
    stored: QuestionnaireVersion,
    title: str,
    opens: date,
    closes: date,
    state: str,
    targets: dict[str, Any],
    units: int,
) -> Round:
    rnd = Round(
        questionnaire_id=stored.id,  # type: ignore[arg-type]
        owner_unit_id=ctx.tree.start,  # the nation
        kind="national",
        title=title,
        opens=opens,
        closes=closes,
        state=state,
        sharing_mandatory=True,
        targets=targets,
        created_by=ctx.national_user,
    )
    ctx.session.add(rnd)
    ctx.session.flush()
    record(
        ctx.session,
        action="round.create",
        object_type="round",
        object_id=rnd.id,
        unit_id=ctx.tree.start,
        user_id=ctx.national_user,
        detail={"units": units, "title": title},
    )
    return rnd


def unit_round(
    ctx: _Context,
    *,
    q: Questionnaire,
    stored: QuestionnaireVersion,
    title: str,
    units: list[int],
    year: int,
    later: bool,
    submitted_share: float,
    keep_draft: int | None = None,
    targets: dict[str, Any],
) -> None:
    """A national round of a unit-level questionnaire: about ``submitted_share`` submitted,
    some started drafts, the rest not started."""
    opens = date(year, 9, 1)
    closes = date(year, 11, 30) if year < 2026 else date(2026, 12, 18)
    rnd = _new_round(
        ctx, stored=stored, title=title, opens=opens, closes=closes,
        state="closed" if year < 2026 else "open", targets=targets, units=len(units),
    )  # fmt: skip
    at = _when(date(year, 10, 20))
    unit_ids = np.array(units)
    roll = ctx.rng.random(len(units))
    draft = roll >= submitted_share
    started = roll < submitted_share + 0.07
    completeness = np.where(draft, 0.7, 0.97)
    if keep_draft is not None:
        i = units.index(keep_draft)
        draft[i], started[i], completeness[i] = True, True, 0.4
    assessment_ids = np.arange(len(units)) + ctx.next_assessment
    respondent_ids = np.arange(len(units)) + ctx.next_respondent
    ctx.next_assessment += len(units)
    ctx.next_respondent += len(units)
    loader, a_table, r_table = ctx.loader, _t(Assessment), _t(Respondent)
    user = ctx.strategist if stored.key == "huvudman" else ctx.principal
    stamp = loader.value(a_table, "updated_at", at)
    when = loader.moments(a_table, "updated_at", ctx.rng, len(units), date(year, 9, 10), 60)
    loader.load(
        a_table,
        ("id", "round_id", "unit_id", "state", "version", "shared", "submitted_at",
         "submitted_by", "updated_at"),
        (
            (int(a), rnd.id, int(u), "draft" if d else "submitted", 1, True,
             None if d else t, None if d else user, t)
            for a, u, d, t in zip(assessment_ids, unit_ids, draft, when, strict=True)
        ),
        total=len(units), label=f"{title}: assessments",
    )  # fmt: skip
    loader.load(
        r_table,
        ("id", "assessment_id", "token_hash", "state", "created_at", "submitted_at"),
        (
            (int(r), int(a), None, "open" if d else "submitted", stamp, None if d else t)
            for r, a, d, t in zip(respondent_ids, assessment_ids, draft, when, strict=True)
        ),
        total=len(units), label=f"{title}: answer sets",
    )  # fmt: skip
    answering = np.flatnonzero(started)
    block = ctx.maturity.block(
        q, unit_ids[answering], later=later, completeness=completeness[answering]
    )
    ctx.answer_count += len(block[0])
    loader.load(
        _t(Answer),
        ANSWER_COLUMNS,
        _answer_rows(q, respondent_ids[answering], block, user=user, at=stamp),
        total=len(block[0]),
        label=f"{title}: answers",
    )
    _demo_plans(ctx, q, unit_ids, assessment_ids, draft, answering, block, at)


def _demo_plans(
    ctx: _Context,
    q: Questionnaire,
    unit_ids: np.ndarray,
    assessment_ids: np.ndarray,
    draft: np.ndarray,
    answering: np.ndarray,
    block: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    at: datetime,
) -> None:
    """Action plans for the submitted assessments the demo accounts can open (Uppsala kommun);
    the other units' plans are not needed for anything national."""
    demo_path = ctx.tree.row(ctx.tree.demo_organiser)[4]
    sets, items, kinds, values = block
    stamp = ctx.loader.value(_t(ActionPlanRow), "created_at", at)
    rows = []
    for j, position in enumerate(answering.tolist()):
        unit = int(unit_ids[position])
        if draft[position] or not ctx.tree.row(unit)[4].startswith(demo_path):
            continue
        mask = (sets == j) & (kinds == 0)
        levels = {q.items[i].id: int(v) for i, v in zip(items[mask], values[mask], strict=True)}
        rows += [
            (int(assessment_ids[position]), r.item_id, r.title, r.activity, r.priority,
             r.position, "", "not_started", "", stamp, stamp)
            for r in generated_rows(q, levels)
        ]  # fmt: skip
    ctx.plans += len(rows)
    ctx.loader.load(
        _t(ActionPlanRow),
        ("assessment_id", "item_id", "title", "activity", "priority", "position", "owner",
         "status", "note", "created_at", "updated_at"),
        rows, total=len(rows), label="action plans",
    )  # fmt: skip


def teacher_round(
    ctx: _Context, *, q: Questionnaire, stored: QuestionnaireVersion, teachers: int
) -> int:
    """The national teacher round: anonymous respondents at every school unit, about
    ``teachers`` in all; returns the number of respondents."""
    rng, tree = ctx.rng, ctx.tree
    title = "Nationell lärarenkät 2026"
    units = np.array(tree.schools)
    rnd = _new_round(
        ctx, stored=stored, title=title, opens=date(2026, 10, 1), closes=date(2026, 12, 20),
        state="open", targets={"kinds": ["school"]}, units=len(units),
    )  # fmt: skip
    at = _when(date(2026, 11, 2))
    gymnasium = np.array([forms[0] == "gymnasieskola" for forms in tree.school_forms])
    size = rng.lognormal(0, 0.5, len(units)) * np.where(gymnasium, 1.6, 1.0)
    links = np.maximum(2, rng.poisson(size / size.sum() * teachers))
    rate = rng.beta(8, 1.2, len(units))
    submitted = rng.binomial(links, rate)
    assessment_ids = np.arange(len(units)) + ctx.next_assessment
    ctx.next_assessment += len(units)
    loader = ctx.loader
    stamp = loader.value(_t(Assessment), "updated_at", at)
    loader.load(
        _t(Assessment),
        ("id", "round_id", "unit_id", "state", "version", "shared", "updated_at"),
        ((int(a), rnd.id, int(u), "draft", 1, True, stamp)
         for a, u in zip(assessment_ids, units, strict=True)),
        total=len(units), label=f"{title}: assessments",
    )  # fmt: skip
    n = int(links.sum())
    owner = np.repeat(np.arange(len(units)), links)
    rank = np.arange(n) - np.repeat(np.cumsum(links) - links, links)
    done = rank < submitted[owner]
    respondent_ids = np.arange(n) + ctx.next_respondent
    ctx.next_respondent += n
    when = loader.moments(_t(Respondent), "submitted_at", rng, n, date(2026, 10, 2), 45)
    loader.load(
        _t(Respondent),
        ("id", "assessment_id", "token_hash", "state", "created_at", "submitted_at"),
        (
            (int(r), int(assessment_ids[o]), secrets.token_hex(32),
             "submitted" if d else "open", stamp, t if d else None)
            for r, o, d, t in zip(respondent_ids, owner, done, when, strict=True)
        ),
        total=n, label=f"{title}: respondents",
    )  # fmt: skip
    # Submitted respondents answered nearly everything; some open links are half answered.
    started = done | (rng.random(n) < 0.4)
    answering = np.flatnonzero(started)
    completeness = np.where(done[answering], 0.97, 0.5)
    person = rng.normal(0, 0.5, len(answering))
    with loader.bar(len(answering), f"{title}: drawing answers") as advance:
        blocks = []
        for lo in range(0, len(answering), 10_000):
            part = answering[lo : lo + 10_000]
            blocks.append(
                (
                    respondent_ids[part],
                    ctx.maturity.block(
                        q, units[owner[part]], later=True,
                        completeness=completeness[lo : lo + 10_000],
                        person=person[lo : lo + 10_000],
                    ),
                )
            )  # fmt: skip
            advance(len(part))
    total = sum(len(b[0]) for _, b in blocks)
    ctx.answer_count += total
    loader.load(
        _t(Answer),
        ANSWER_COLUMNS,
        (row for rid, b in blocks for row in _answer_rows(q, rid, b, user=None, at=stamp)),
        total=total,
        label=f"{title}: answers",
    )
    return n


# --------------------------------------------------------------------------- the whole set


def build_national(
    session: Session, *, scale: NationalScale | None = None, progress: bool = True
) -> dict[str, object]:
    """Build the national data set in ``session`` (does not commit). The database should be
    empty (``survey demo --national`` resets it first)."""
    began = time.perf_counter()
    scale = scale or NationalScale()
    rng = np.random.default_rng(scale.seed)
    settings = get_settings()
    loaded, problems = load_directory(settings.questionnaire_dir)
    for problem in problems:
        click.echo(f"skipped questionnaire: {problem}", err=True)
    by_key = {q.key: q for q in loaded}
    stored = {q.key: store_version(session, questionnaire=q) for q in loaded}
    tree = build_tree(rng, scale, _next_id(session, Unit))
    loader = _Loader(session, progress)
    created = loader.value(_t(Unit), "created_at", datetime.now(UTC))
    loader.load(
        _t(Unit),
        (*UNIT_COLUMNS, "created_at"),
        (row + (created,) for row in tree.rows),
        total=len(tree.rows),
        label="units",
    )
    loader.load(
        _t(UnitSchoolForm),
        ("unit_id", "school_form"),
        tree.forms,
        total=len(tree.forms),
        label="school forms",
    )
    loader.fix_sequences([_t(Unit)])
    users = _users(session, tree)
    subgoals = sorted({item.subgoal for q in loaded for item in q.items})
    ctx = _Context(
        session=session,
        loader=loader,
        maturity=_Maturity(rng, tree, subgoals),
        rng=rng,
        tree=tree,
        national_user=users["national@example.org"],
        principal=users["principal@example.org"],
        strategist=users["strategist@example.org"],
        next_assessment=_next_id(session, Assessment),
        next_respondent=_next_id(session, Respondent),
    )
    school_q = "skola" if "skola" in by_key else "exempel"
    targets = {"kinds": ["school"], "school_forms": NATIONAL_SCHOOL_FORMS}
    targeted = [
        u
        for u, forms in zip(tree.schools, tree.school_forms, strict=True)
        if set(forms) & set(NATIONAL_SCHOOL_FORMS)
    ]
    for year, later, share in ((2025, False, 0.86), (2026, True, 0.9)):
        unit_round(
            ctx, q=by_key[school_q], stored=stored[school_q], title=f"Nationell uppföljning {year}",
            units=targeted, year=year, later=later, submitted_share=share, targets=targets,
            keep_draft=tree.demo_school if later else None,
        )  # fmt: skip
    if "huvudman" in by_key:
        unit_round(
            ctx, q=by_key["huvudman"], stored=stored["huvudman"],
            title="Nationell uppföljning huvudmän 2026", units=tree.organisers, year=2026,
            later=True, submitted_share=0.85, targets={"kinds": ["organiser"]},
        )  # fmt: skip
    respondents = 0
    if "larare" in by_key:
        respondents = teacher_round(
            ctx, q=by_key["larare"], stored=stored["larare"], teachers=scale.teachers
        )
    loader.fix_sequences([_t(Assessment), _t(Respondent)])
    session.flush()
    loader.analyze()
    return {
        "units": len(tree.schools),
        "organisers": len(tree.organisers),
        "regions": len(tree.regions),
        "respondents": respondents,
        "answers": ctx.answer_count,
        "rows": loader.rows,
        "seconds": time.perf_counter() - began,
    }


def _users(session: Session, tree: _Tree) -> dict[str, int]:
    """The demo accounts (password ``demo``), as in the small demo."""
    from survey.demo import DEMO_PASSWORD

    roles = {
        "principal@example.org": ("Rektor Karin Lund", "principal", tree.demo_school),
        "strategist@example.org": ("Ali Haddad", "strategist", tree.demo_organiser),
        "national@example.org": ("Eva Nationell", "national", tree.start),
        "admin@example.org": ("Admin Adminsson", "admin", tree.start),
    }
    ids = {}
    for email, (name, role, unit_id) in roles.items():
        user = create_user(session, email=email, password=DEMO_PASSWORD, name=name)
        unit = session.get(Unit, unit_id)
        assert unit is not None
        grant_role(session, user=user, unit=unit, role=role)
        ids[email] = user.id
    school = session.get(Unit, tree.demo_school)
    assert school is not None
    school.contact_email = "principal@example.org"
    session.flush()
    return ids  # type: ignore[return-value]
