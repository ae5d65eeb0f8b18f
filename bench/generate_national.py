"""Generate the synthetic national data set for the benchmarks (seeded, vectorised, with progress).

5,000 school units under 290 organisers in 21 regions, the ``larare`` questionnaire (individual,
4 levels), about 20 respondents per unit and 2 rounds. Writes ``units.csv``, ``answers.csv``,
``units.parquet`` and ``answers.parquet`` to ``bench/out/`` (or ``--out``).

Scores carry a region, an organiser and a unit effect, so groups really differ, and round 2 is a
little better than round 1 for most units. About 3 % of answers are "NA", 2 % "DK" and 2 % empty.

    python bench/generate_national.py [--units 5000] [--respondents 20] [--seed 20260401]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).resolve().parent / "out"
# The 21 Swedish counties (länskoder).
REGION_CODES = tuple(
    "01 03 04 05 06 07 08 09 10 12 13 14 17 18 19 20 21 22 23 24 25".split()  # noqa: SIM905
)
ROUNDS = ("2024", "2025")
SCHOOL_FORMS = ("forskola", "grundskola", "gymnasieskola", "vuxenutbildning")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_items(path: Path) -> tuple[list[str], int, str]:
    """Item ids, number of levels and the questionnaire path used (larare, or a generated one)."""
    sys.path.insert(0, str(ROOT))
    from survey.questionnaire import QuestionnaireError, load_questionnaire

    try:
        q = load_questionnaire(path)
        return [item.id for item in q.items], q.scale.size, str(path)
    except (QuestionnaireError, OSError):
        fallback = write_fallback_questionnaire(OUT / "larare-fallback.yaml")
        q = load_questionnaire(fallback)
        return [item.id for item in q.items], q.scale.size, str(fallback)


def write_fallback_questionnaire(path: Path, n_items: int = 28) -> Path:
    """A 4-level individual questionnaire with 28 items, used while larare.yaml is missing."""
    subgoals = ["FO1.1", "FO1.2", "FO1.3", "FO2.1", "FO2.2", "FO2.3", "FO2.4", "FO3.1", "FO3.2"]
    areas = ["ledning", "infrastruktur", "kompetens", "anvandning"]
    lines = [
        "key: larare-bench",
        'version: "1"',
        "title: {sv: Bänk, en: Bench}",
        "respondent: individual",
        "targets: [school]",
        "scale:",
        "  levels:",
        *(f"    - {{value: {v}, label: {{sv: N{v}, en: L{v}}}}}" for v in range(1, 5)),
        "  allow_dont_know: true",
        "items:",
    ]
    for i in range(n_items):
        lines += [
            f'  - id: "B.{i + 1:02d}"',
            f"    area: {areas[i % 4]}",
            f'    subgoal: "{subgoals[i % 9]}"',
            f"    weight: {2 if i % 7 == 0 else 1}",
            f"    text: {{sv: Fråga {i + 1}, en: Item {i + 1}}}",
            "    levels: {1: {sv: a, en: a}, 2: {sv: b, en: b},"
            " 3: {sv: c, en: c}, 4: {sv: d, en: d}}",
            "    actions: {1: {sv: x, en: x}, 2: {sv: y, en: y}, 3: {sv: z, en: z}}",
        ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_units(rng: np.random.Generator, n_units: int, n_organisers: int) -> dict[str, np.ndarray]:
    n_regions = len(REGION_CODES)
    # Every region gets at least one organiser; the rest in proportion to a skewed size.
    region_of_org = np.concatenate(
        [
            np.arange(n_regions),
            rng.choice(n_regions, n_organisers - n_regions, p=_skewed(rng, n_regions)),
        ]
    )
    org_ids = np.array([f"{2000 + i:04d}" for i in range(n_organisers)])
    # Organisers vary a lot in size (Stockholm vs a small municipality); each has >= 1 unit.
    org_of_unit = np.concatenate(
        [
            np.arange(n_organisers),
            rng.choice(n_organisers, n_units - n_organisers, p=_skewed(rng, n_organisers)),
        ]
    )
    rng.shuffle(org_of_unit)
    unit_ids = np.array([f"{10000000 + 7 * i:08d}" for i in range(n_units)])
    kinds = np.where(rng.random(n_units) < 0.3, "preschool", "school")
    forms = np.where(
        kinds == "preschool",
        SCHOOL_FORMS[0],
        np.array(SCHOOL_FORMS[1:])[rng.choice(3, n_units, p=[0.7, 0.2, 0.1])],
    )
    org_type = np.where(rng.random(n_units) < 0.2, "independent", "municipal")
    return {
        "unit_ids": unit_ids,
        "kinds": kinds,
        "forms": forms,
        "org_type": org_type,
        "org_of_unit": org_of_unit,
        "org_ids": org_ids,
        "region_of_org": region_of_org,
    }


def _skewed(rng: np.random.Generator, n: int) -> np.ndarray:
    weights = rng.lognormal(0.0, 1.0, n)
    return np.asarray(weights / weights.sum())


def write_units(units: dict[str, np.ndarray], out: Path) -> None:
    org_ids, region_of_org = units["org_ids"], units["region_of_org"]
    regions = np.array([f"R{c}" for c in REGION_CODES])
    org = units["org_of_unit"]
    n_units, n_org, n_reg = len(units["unit_ids"]), len(org_ids), len(regions)
    table = pa.table(
        {
            "unit_id": np.concatenate([["SE"], regions, org_ids, units["unit_ids"]]),
            "name": np.concatenate(
                [
                    ["Sverige"],
                    [f"Län {c}" for c in REGION_CODES],
                    [f"Huvudman {o}" for o in org_ids],
                    [f"Enhet {u}" for u in units["unit_ids"]],
                ]
            ),
            "kind": np.concatenate(
                [["nation"], ["region"] * n_reg, ["organiser"] * n_org, units["kinds"]]
            ),
            "parent_id": np.concatenate(
                [[""], ["SE"] * n_reg, regions[region_of_org], org_ids[org]]
            ),
            "organiser_type": np.concatenate([[""] * (1 + n_reg + n_org), units["org_type"]]),
            "school_form": np.concatenate([[""] * (1 + n_reg + n_org), units["forms"]]),
            "region": np.concatenate(
                [[""] * (1 + n_reg), regions[region_of_org], regions[region_of_org[org]]]
            ),
        }
    )
    assert table.num_rows == 1 + n_reg + n_org + n_units
    pacsv.write_csv(table, out / "units.csv")
    pq.write_table(table, out / "units.parquet")


def make_answers(
    rng: np.random.Generator,
    units: dict[str, np.ndarray],
    n_items: int,
    n_levels: int,
    mean_respondents: float,
) -> pa.Table:
    n_units = len(units["unit_ids"])
    region_effect = rng.normal(0, 0.25, len(REGION_CODES))
    org_effect = rng.normal(0, 0.35, len(units["org_ids"]))
    unit_effect = (
        rng.normal(0, 0.45, n_units)
        + org_effect[units["org_of_unit"]]
        + region_effect[units["region_of_org"][units["org_of_unit"]]]
    )
    item_effect = rng.normal(0, 0.4, n_items)
    cuts = np.linspace(-1.2, 1.2, n_levels - 1)
    tables = []
    next_respondent = 0
    for r, round_id in enumerate(ROUNDS):
        drift = 0.15 * r + rng.normal(0, 0.2, n_units) * r
        n_resp = np.maximum(1, rng.poisson(mean_respondents, n_units))
        unit_of_resp = np.repeat(np.arange(n_units), n_resp)
        resp_effect = rng.normal(0, 0.6, unit_of_resp.size)
        latent = (unit_effect + drift)[unit_of_resp] + resp_effect
        rows = unit_of_resp.size * n_items
        z = np.repeat(latent, n_items) + np.tile(item_effect, unit_of_resp.size)
        z += rng.logistic(0, 0.5, rows)
        value = (1 + np.searchsorted(cuts, z)).astype(np.int8)
        u = rng.random(rows)
        labels = np.array([str(v) for v in range(1, n_levels + 1)] + ["NA", "DK", ""])
        code = np.where(
            u < 0.03,
            n_levels,
            np.where(u < 0.05, n_levels + 1, np.where(u < 0.07, n_levels + 2, value - 1)),
        )
        resp_labels = np.array([f"t{next_respondent + i:07d}" for i in range(unit_of_resp.size)])
        next_respondent += unit_of_resp.size
        resp_index = np.repeat(np.arange(unit_of_resp.size, dtype=np.int32), n_items)
        tables.append(
            pa.table(
                {
                    "round": pa.DictionaryArray.from_arrays(
                        np.zeros(rows, np.int32), pa.array([round_id])
                    ),
                    "unit_id": pa.DictionaryArray.from_arrays(
                        np.repeat(unit_of_resp, n_items).astype(np.int32),
                        pa.array(units["unit_ids"]),
                    ),
                    "respondent_id": pa.DictionaryArray.from_arrays(
                        resp_index, pa.array(resp_labels)
                    ),
                    "item_id": pa.DictionaryArray.from_arrays(
                        np.tile(np.arange(n_items, dtype=np.int32), unit_of_resp.size),
                        pa.array(units["item_ids"]),
                    ),
                    "value": pa.DictionaryArray.from_arrays(
                        code.astype(np.int32), pa.array(labels)
                    ),
                }
            )
        )
        _say(f"  round {round_id}: {unit_of_resp.size:,} respondents, {rows:,} answer rows")
    return pa.concat_tables(tables, promote_options="permissive")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--organisers", type=int, default=290)
    parser.add_argument("--respondents", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=20260401)
    parser.add_argument("--questionnaire", type=Path, default=ROOT / "questionnaires/larare.yaml")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    args.out.mkdir(parents=True, exist_ok=True)
    item_ids, n_levels, qpath = load_items(args.questionnaire)
    _say(f"[1/4] questionnaire {qpath}: {len(item_ids)} items, {n_levels} levels")
    rng = np.random.default_rng(args.seed)
    units = make_units(rng, args.units, args.organisers)
    units["item_ids"] = np.array(item_ids)
    write_units(units, args.out)
    _say(
        f"[2/4] units: {args.units:,} school units, {args.organisers} organisers, "
        f"{len(REGION_CODES)} regions"
    )
    answers = make_answers(rng, units, len(item_ids), n_levels, args.respondents)
    _say(f"[3/4] writing {answers.num_rows:,} answer rows to answers.parquet")
    pq.write_table(answers, args.out / "answers.parquet", row_group_size=1 << 20)
    _say("[4/4] writing answers.csv")
    pacsv.write_csv(
        answers, args.out / "answers.csv", write_options=pacsv.WriteOptions(quoting_style="none")
    )
    (args.out / "questionnaire.txt").write_text(qpath + "\n", encoding="utf-8")
    _say(f"done in {time.perf_counter() - start:.1f} s -> {args.out}")


if __name__ == "__main__":
    main()
