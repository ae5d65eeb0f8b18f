"""An independent, deliberately plain implementation of issue 4's definitions, for the tests.

One unit, group or comparison at a time, with Python loops, numpy and scipy.stats. It reads the
input files itself (csv, yaml) and shares no code with ``survey.stats`` or ``survey.analysis``.
"""

from __future__ import annotations

import csv
import math
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from scipy import stats


def load(questionnaire: Path) -> dict[str, Any]:
    data = yaml.safe_load(questionnaire.read_text(encoding="utf-8"))
    scoring = {"min_coverage": 0.5, "threshold": 0.75, "floor_level": 2}
    scoring.update(data.get("scoring") or {})
    items = [(str(i["id"]), i["area"], str(i["subgoal"]), float(i.get("weight", 1.0)))
             for i in data["items"]]  # fmt: skip
    scopes = [("subgoal", s) for s in sorted({i[2] for i in items})]
    scopes += [("area", a) for a in dict.fromkeys(i[1] for i in items)]
    scopes.append(("total", "total"))
    return {"key": data["key"], "version": data["version"], "L": len(data["scale"]["levels"]),
            "individual": data["respondent"] == "individual", "items": items,
            "scopes": scopes, **scoring}  # fmt: skip


def scope_items(q: dict[str, Any], scope: tuple[str, str]) -> list[tuple[str, float]]:
    kind, sid = scope
    return [(i[0], i[3]) for i in q["items"]
            if kind == "total" or (kind == "subgoal" and i[2] == sid)
            or (kind == "area" and i[1] == sid)]  # fmt: skip


def answer_set(q: dict[str, Any], values: dict[str, float], scope: tuple[str, str]) -> dict:
    """coverage, score, index, level of one answer set (values: item -> level, answered only)."""
    items = scope_items(q, scope)
    all_w = sum(w for _, w in items)
    answered = [(w, values[i]) for i, w in items if i in values]
    w_answered = sum(w for w, _ in answered)
    coverage = w_answered / all_w
    score = level = None
    if answered and coverage >= q["min_coverage"]:
        score = sum(w * v for w, v in answered) / w_answered
        level = max(
            k
            for k in range(1, q["L"] + 1)
            if sum(w for w, v in answered if v >= k) / w_answered >= q["threshold"]
        )
    index = None if score is None else 100 * (score - 1) / (q["L"] - 1)
    return {"coverage": coverage, "score": score, "index": index, "level": level}


def read_inputs(units_csv: Path, answers_csv: Path, q: dict[str, Any]):
    with units_csv.open(encoding="utf-8", newline="") as f:
        units = {r["unit_id"]: r for r in csv.DictReader(f)}
    sets: dict[tuple[str, str, str], dict[str, float]] = defaultdict(dict)
    with answers_csv.open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            key = (r["round"], r["unit_id"], r["respondent_id"])
            value = r["value"].strip()
            sets.setdefault(key, {})
            if value not in ("", "NA", "DK"):
                sets[key][r["item_id"]] = float(int(value))
    return units, sets


def round_order(labels: set[str]) -> list[str]:
    if all(s.lstrip("-").isdigit() for s in labels):
        return sorted(labels, key=int)
    return sorted(labels)


def out_round(label: str, labels: list[str]) -> Any:
    return int(label) if all(s.lstrip("-").isdigit() for s in labels) else label


def unit_results(q: dict[str, Any], sets: dict) -> dict[tuple[str, str], dict]:
    """Per (round, unit): per scope the unit result fields."""
    by_unit: dict[tuple[str, str], list[dict[str, float]]] = defaultdict(list)
    for (rnd, unit, _), values in sets.items():
        by_unit[rnd, unit].append(values)
    results = {}
    for key, answer_sets in by_unit.items():
        per_scope = {}
        for scope in q["scopes"]:
            if not q["individual"]:
                (values,) = answer_sets
                r = answer_set(q, values, scope)
                r.update(n_respondents=int(r["score"] is not None), ci_low=None, ci_high=None)
                r["resp_scores"] = []
            else:
                scores = [answer_set(q, v, scope)["score"] for v in answer_sets]
                scores = [s for s in scores if s is not None]
                medians = {}
                for item, _ in scope_items(q, scope):
                    answered = [v[item] for v in answer_sets if item in v]
                    if answered:
                        medians[item] = float(np.median(answered))
                med = answer_set(q, medians, scope)
                n = len(scores)
                # statistics.mean is exact (fractions): equal means stay equal doubles
                mean = statistics.mean(scores) if n else None
                ci_low = ci_high = None
                if n >= 2:
                    half = stats.t.ppf(0.975, n - 1) * np.std(scores, ddof=1) / math.sqrt(n)
                    ci_low, ci_high = mean - half, mean + half
                r = {"coverage": med["coverage"], "score": mean,
                     "index": None if mean is None else 100 * (mean - 1) / (q["L"] - 1),
                     "level": med["level"], "n_respondents": n, "ci_low": ci_low,
                     "ci_high": ci_high, "resp_scores": scores}  # fmt: skip
            per_scope[scope] = r
        results[key] = per_scope
    return results


def gini(x: list[float]) -> float:
    n, mean = len(x), float(np.mean(x))
    return sum(abs(a - b) for a in x for b in x) / (2 * n * n * mean)


def theil(x: list[float]) -> float:
    mean = float(np.mean(x))
    return float(np.mean([(v / mean) * math.log(v / mean) for v in x]))


def holm(p: list[float]) -> list[float]:
    order = sorted(range(len(p)), key=p.__getitem__)
    adjusted, running = [0.0] * len(p), 0.0
    for rank, i in enumerate(order):
        running = max(running, (len(p) - rank) * p[i])
        adjusted[i] = min(1.0, running)
    return adjusted


def cliffs_delta(x: list[float], y: list[float]) -> float:
    greater = sum(1 for a in x for b in y if a > b)
    less = sum(1 for a in x for b in y if a < b)
    return (greater - less) / (len(x) * len(y))


def icc1(samples: list[list[float]]) -> float | None:
    g, big_n = len(samples), sum(len(s) for s in samples)
    grand = sum(sum(s) for s in samples) / big_n
    msb = sum(len(s) * (np.mean(s) - grand) ** 2 for s in samples) / (g - 1)
    msw = sum(sum((v - np.mean(s)) ** 2 for v in s) for s in samples) / (big_n - g)
    k0 = (big_n - sum(len(s) ** 2 for s in samples) / big_n) / (g - 1)
    denominator = msb + (k0 - 1) * msw
    return None if denominator == 0 else float((msb - msw) / denominator)


def kruskal(samples: list[list[float]]) -> tuple[float | None, float | None]:
    values = [v for s in samples for v in s]
    if len(samples) < 2 or len(set(values)) < 2:
        return None, None
    res = stats.kruskal(*samples)
    return float(res.statistic), float(res.pvalue)
