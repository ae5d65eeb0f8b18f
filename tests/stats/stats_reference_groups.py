"""Reference groups and comparisons (continues stats_reference; plain loops and scipy.stats)."""

from __future__ import annotations

import math
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats

from tests.stats import stats_reference as ref


def expected(
    questionnaire: Path, units_csv: Path, answers_csv: Path, group_by: str, compare_by: list[str]
) -> dict[str, Any]:
    q = ref.load(questionnaire)
    units, sets = ref.read_inputs(units_csv, answers_csv, q)
    results = ref.unit_results(q, sets)
    labels = ref.round_order({r for r, _ in results})
    out_units = {}
    for (rnd, unit), per_scope in results.items():
        for (kind, sid), r in per_scope.items():
            row = {k: v for k, v in r.items() if k != "resp_scores"}
            out_units[ref.out_round(rnd, labels), unit, kind, sid] = row
    groups = _groups(q, units, results, labels, group_by)
    comparisons = {}
    for by in compare_by:
        comparisons.update(_comparisons(q, units, results, labels, by))
    return {"units": out_units, "groups": groups, "comparisons": comparisons}


def _groups(q, units, results, labels, group_by) -> dict:
    members: dict[tuple[str, str], list[str]] = defaultdict(list)
    for rnd, unit in sorted(results):
        group = units[unit][group_by]
        if group:
            members[rnd, group].append(unit)
    out = {}
    for (rnd, group), unit_ids in members.items():
        for scope in q["scopes"]:
            rows = [(u, results[rnd, u][scope]) for u in unit_ids]
            scored = [(u, r) for u, r in rows if r["score"] is not None]
            x = [r["score"] for _, r in scored]
            n = len(x)
            g: dict[str, Any] = {"n_units": n}
            if n:
                g.update(
                    mean=float(np.mean(x)), median=float(np.median(x)),
                    q1=float(np.percentile(x, 25)), q3=float(np.percentile(x, 75)),
                    min=min(x), max=max(x), sd=float(np.std(x, ddof=1)) if n >= 2 else None,
                    share_below_floor=sum(r["level"] < q["floor_level"] for _, r in scored) / n,
                    gini=ref.gini(x), theil=ref.theil(x),
                )  # fmt: skip
            g["flagged"], g["outliers"] = [], []
            if q["individual"]:
                _respondent_tests(g, rows)
            else:
                g["outliers"] = _outliers(scored) if scored else []
            out[ref.out_round(rnd, labels), group, *scope] = g
    _trends(q, units, results, labels, group_by, out)
    return out


def _respondent_tests(g: dict[str, Any], rows: list) -> None:
    taking_part = [(u, r["resp_scores"]) for u, r in rows if len(r["resp_scores"]) >= 2]
    g["tests"] = {}
    g["n_test_units"] = len(taking_part)
    g["n_test_respondents"] = sum(len(s) for _, s in taking_part)
    if len(taking_part) < 2:
        g.update(icc1=None, kruskal_h=None, kruskal_p=None, epsilon2=None)
        return
    samples = [s for _, s in taking_part]
    g["icc1"] = ref.icc1(samples)
    h, p = ref.kruskal(samples)
    big_n = sum(len(s) for s in samples)
    g.update(kruskal_h=h, kruskal_p=p, epsilon2=None if h is None else h / (big_n - 1))
    tests = []
    for i, (unit, x) in enumerate(taking_part):
        rest = [v for j, (_, s) in enumerate(taking_part) if j != i for v in s]
        res = stats.mannwhitneyu(x, rest, alternative="two-sided")
        tests.append((unit, float(res.statistic), float(res.pvalue), ref.cliffs_delta(x, rest)))
    adjusted = ref.holm([t[2] for t in tests])
    for (unit, u, p, delta), p_adj in zip(tests, adjusted, strict=True):
        g["tests"][unit] = {"u": u, "p": p, "cliffs_delta": delta, "p_adj": p_adj}
        if p_adj < 0.05 and abs(delta) >= 0.33:
            g["flagged"].append(
                {
                    "unit_id": unit,
                    "direction": "below" if delta < 0 else "above",
                    "u": u,
                    "p": p,
                    "cliffs_delta": delta,
                    "p_adj": p_adj,
                }
            )


def _outliers(scored: list) -> list[dict[str, Any]]:
    x = np.array([r["score"] for _, r in scored])
    levels = [r["level"] for _, r in scored]
    med = float(np.median(x))
    mad = float(np.median(np.abs(x - med)))
    med_level = float(np.median(levels))
    out = []
    for (unit, r), level in zip(scored, levels, strict=True):
        z = None if mad == 0 else (r["score"] - med) / (1.4826 * mad)
        if (z is not None and z <= -2) or level <= med_level - 1:
            out.append({"unit_id": unit, "robust_z": z, "level_gap": med_level - level})
    return out


def _trends(q, units, results, labels, group_by, out) -> None:
    present = [r for r in labels if any(k[0] == r for k in results)]
    for earlier, later in zip(present, present[1:], strict=False):
        for key, g in out.items():
            if key[0] != ref.out_round(later, labels):
                continue
            group, scope = key[1], (key[2], key[3])
            pairs = []
            for (rnd, unit), per_scope in results.items():
                if rnd != later or units[unit][group_by] != group:
                    continue
                before = results.get((earlier, unit))
                if (
                    before
                    and before[scope]["score"] is not None
                    and per_scope[scope]["score"] is not None
                ):
                    pairs.append(per_scope[scope]["score"] - before[scope]["score"])
            entry = {"from_round": ref.out_round(earlier, labels),
                     "to_round": ref.out_round(later, labels), "n_pairs": len(pairs),
                     "improved": sum(d > 0 for d in pairs), "unchanged": sum(d == 0 for d in pairs),
                     "declined": sum(d < 0 for d in pairs),
                     "wilcoxon_statistic": None, "wilcoxon_p": None}  # fmt: skip
            if len(pairs) >= 2 and any(d != 0 for d in pairs):
                res = stats.wilcoxon(pairs)
                entry["wilcoxon_statistic"] = float(res.statistic)
                entry["wilcoxon_p"] = float(res.pvalue)
            g.setdefault("trend", []).append(entry)


def _comparisons(q, units, results, labels, by) -> dict:
    out = {}
    for rnd in labels:
        for scope in q["scopes"]:
            by_value: dict[str, list[float]] = defaultdict(list)
            for (r, unit), per_scope in sorted(results.items()):
                value, score = units[unit][by], per_scope[scope]["score"]
                if r == rnd and value and score is not None:
                    by_value[value].append(score)
            samples = [by_value[v] for v in sorted(by_value)]
            h, p = ref.kruskal(samples)
            all_x = [v for s in samples for v in s]
            n = len(all_x)
            row: dict[str, Any] = {
                "n": n,
                "h": h,
                "p": p,
                "epsilon2": None if h is None else h / (n - 1),
            }
            if n:
                mu = float(np.mean(all_x))
                total = ref.theil(all_x)
                between = within = 0.0
                for s in samples:
                    mu_g = float(np.mean(s))
                    share = len(s) * mu_g / (n * mu)
                    between += share * math.log(mu_g / mu)
                    within += share * ref.theil(s)
                row.update(
                    theil_total=total,
                    theil_between=between,
                    theil_within=within,
                    between_share=None if total == 0 else between / total,
                )
            row["values"] = [
                {"value": v, "n": len(by_value[v]), "median": float(np.median(by_value[v]))}
                for v in sorted(by_value)
            ]
            out[ref.out_round(rnd, labels), by, *scope] = row
    return out
