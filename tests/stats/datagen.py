"""Generated input files for end-to-end tests: groups of every size, missing values, rounds."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

# parent_id group sizes: a big group, small ones, a single unit, and one unit without a group
GROUPS = {"G1": 9, "G2": 5, "G3": 3, "G4": 2, "G5": 1}


def write_units(path: Path, rng: np.random.Generator) -> list[str]:
    rows = [{"unit_id": g, "name": f"Org {g}", "kind": "organiser", "parent_id": "",
             "region": "", "organiser_type": ""} for g in GROUPS]  # fmt: skip
    unit_ids = []
    for group, size in [*GROUPS.items(), ("", 1)]:
        for _ in range(size):
            unit_id = f"{10000000 + 37 * len(unit_ids):08d}"
            unit_ids.append(unit_id)
            rows.append({
                "unit_id": unit_id, "name": f"School {unit_id}", "kind": "school",
                "parent_id": group, "region": str(rng.choice(["R1", "R2", "R3", ""],
                                                             p=[0.4, 0.3, 0.25, 0.05])),
                "organiser_type": str(rng.choice(["municipal", "independent"])),
            })  # fmt: skip
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return unit_ids


def write_answers(
    path: Path,
    rng: np.random.Generator,
    unit_ids: list[str],
    item_ids: list[str],
    n_levels: int,
    *,
    individual: bool,
    rounds: tuple[str, ...] = ("1", "2", "10"),
    max_respondents: int = 7,
    global_respondent_ids: bool = False,
) -> None:
    """Answers with NA, DK, empty values and missing rows; some units skip some rounds."""
    rows = []
    unit_effect = rng.normal(0, 0.8, len(unit_ids))
    respondent_counter = 0
    for r, round_id in enumerate(rounds):
        for u, unit_id in enumerate(unit_ids):
            if rng.random() < 0.12:
                continue  # the unit did not take part in this round
            n_resp = int(rng.integers(1, max_respondents + 1)) if individual else 1
            for k in range(n_resp):
                respondent_counter += 1
                if not individual:
                    resp = "principal"
                elif global_respondent_ids:
                    resp = f"t{respondent_counter:06d}"
                else:
                    resp = f"r{k + 1}"
                sparse = rng.random() < 0.1  # low coverage: often a null score
                latent = unit_effect[u] + 0.3 * r + rng.normal(0, 0.7)
                for item_id in item_ids:
                    if rng.random() < (0.6 if sparse else 0.05):
                        continue  # no row at all: unanswered
                    draw = rng.random()
                    if draw < 0.05:
                        value = "NA"
                    elif draw < 0.09:
                        value = "DK"
                    elif draw < 0.12:
                        value = ""
                    else:
                        level = (n_levels + 1) / 2 + latent + rng.normal(0, 0.8)
                        value = str(int(np.clip(np.rint(level), 1, n_levels)))
                    rows.append([round_id, unit_id, resp, item_id, value])
    order = rng.permutation(len(rows))  # row order must not matter
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["round", "unit_id", "respondent_id", "item_id", "value"])
        writer.writerows(rows[i] for i in order)
