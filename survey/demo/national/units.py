"""The national data set's unit tree: the 21 counties, municipalities with real-looking codes,
independent organisers (many small, a few chains) and school units with school forms."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from survey.demo.data import (
    COUNTIES,
    EXTRA_MUNICIPALITIES,
    INDEPENDENT_PATTERNS,
    MUNICIPALITY_ENDINGS,
    REGIONS,
    SCHOOL_PREFIXES,
    SCHOOL_SUFFIXES,
)

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


@dataclass
class Tree:
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


def build_tree(rng: np.random.Generator, scale: NationalScale, start: int) -> Tree:
    """Nation, regions, organisers and school units (no database)."""
    tree = Tree(start=start)
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
    tree: Tree, rng: np.random.Generator, scale: NationalScale, municipal: int
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
