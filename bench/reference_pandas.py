"""A straightforward reference analysis with pandas and scipy, one group at a time.

What an analyst would write without vectorising across groups: pandas for the answer-set
scores, then a Python loop over (round, scope, group) calling scipy.stats for each test, and
a loop over (round, scope) for the comparisons. Used by bench_analyze.py on a sample, to put
the engine's speed in perspective; it computes the same statistics (not every output detail).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats


def _scores(
    answers: pd.DataFrame,
    items: pd.DataFrame,
    scopes: list[tuple[str, str]],
    n_levels: int,
    min_coverage: float,
    threshold: float,
) -> pd.DataFrame:
    """Respondent scores per scope: columns round, unit_id, respondent_id, scope, score, level."""
    values = pd.to_numeric(answers["value"], errors="coerce")
    data = answers.assign(v=values).merge(items, on="item_id")
    data = data[data["v"].notna()]
    frames = []
    for kind, sid in scopes:
        in_scope = data if kind == "total" else data[data[kind] == sid]
        total_w = (
            items["weight"].sum()
            if kind == "total"
            else items.loc[items[kind] == sid, "weight"].sum()
        )
        g = in_scope.assign(wv=in_scope["weight"] * in_scope["v"]).groupby(
            ["round", "unit_id", "respondent_id"]
        )
        agg = g.agg(w=("weight", "sum"), wv=("wv", "sum")).reset_index()
        agg["score"] = np.where(agg["w"] / total_w >= min_coverage, agg["wv"] / agg["w"], np.nan)
        agg["scope"] = f"{kind}:{sid}"
        frames.append(agg[["round", "unit_id", "respondent_id", "scope", "score"]])
    return pd.concat(frames, ignore_index=True)


def _unit_levels(
    answers: pd.DataFrame,
    items: pd.DataFrame,
    scopes: list[tuple[str, str]],
    n_levels: int,
    threshold: float,
) -> pd.DataFrame:
    """Level per unit from the item-wise medians of the respondents' answered values."""
    values = pd.to_numeric(answers["value"], errors="coerce")
    medians = (
        answers.assign(v=values)
        .dropna(subset=["v"])
        .groupby(["round", "unit_id", "item_id"])["v"]
        .median()
        .reset_index()
        .merge(items, on="item_id")
    )
    frames = []
    for kind, sid in scopes:
        part = medians if kind == "total" else medians[medians[kind] == sid]
        for k in range(1, n_levels + 1):
            part = part.assign(**{f"ge{k}": part["weight"] * (part["v"] >= k)})
        agg = part.groupby(["round", "unit_id"])[
            ["weight", *[f"ge{k}" for k in range(1, n_levels + 1)]]
        ].sum()
        share = agg[[f"ge{k}" for k in range(1, n_levels + 1)]].div(agg["weight"], axis=0)
        level = (share >= threshold).sum(axis=1)
        frames.append(level.rename("level").reset_index().assign(scope=f"{kind}:{sid}"))
    return pd.concat(frames, ignore_index=True)


def _group_stats(x: np.ndarray) -> dict[str, Any]:
    n, mean = len(x), float(np.mean(x))
    return {
        "n": n, "mean": mean, "median": float(np.median(x)),
        "q1": float(np.percentile(x, 25)), "q3": float(np.percentile(x, 75)),
        "sd": float(np.std(x, ddof=1)) if n > 1 else None,
        "gini": float(np.abs(x[:, None] - x[None, :]).sum() / (2 * n * n * mean)),
        "theil": float(np.mean(x / mean * np.log(x / mean))),
    }  # fmt: skip


def _respondent_tests(samples: dict[str, np.ndarray]) -> dict[str, Any]:
    samples = {u: s for u, s in samples.items() if len(s) >= 2}
    if len(samples) < 2:
        return {}
    arrays = list(samples.values())
    out: dict[str, Any] = {"kruskal": stats.kruskal(*arrays)}
    big_n, g = sum(len(a) for a in arrays), len(arrays)
    grand = np.concatenate(arrays).mean()
    msb = sum(len(a) * (a.mean() - grand) ** 2 for a in arrays) / (g - 1)
    msw = sum(((a - a.mean()) ** 2).sum() for a in arrays) / (big_n - g)
    k0 = (big_n - sum(len(a) ** 2 for a in arrays) / big_n) / (g - 1)
    out["icc1"] = (msb - msw) / (msb + (k0 - 1) * msw)
    tests = {}
    for unit, x in samples.items():
        rest = np.concatenate([a for u, a in samples.items() if u != unit])
        res = stats.mannwhitneyu(x, rest, alternative="two-sided")
        delta = (np.sign(x[:, None] - rest[None, :])).sum() / (len(x) * len(rest))
        tests[unit] = (res.statistic, res.pvalue, delta)
    order = sorted(tests, key=lambda u: tests[u][1])
    running = 0.0
    for rank, unit in enumerate(order):
        running = max(running, (len(order) - rank) * tests[unit][1])
        tests[unit] = (*tests[unit], min(1.0, running))
    out["tests"] = tests
    return out


def analyse(
    answers: pd.DataFrame,
    units: pd.DataFrame,
    items: pd.DataFrame,
    scopes: list[tuple[str, str]],
    n_levels: int,
    group_by: str,
    compare_by: list[str],
) -> dict[str, Any]:
    """The whole analysis; returns result counts (the numbers themselves are discarded)."""
    resp = _scores(answers, items, scopes, n_levels, 0.5, 0.75)
    resp = resp[resp["score"].notna()]
    unit_scores = (
        resp.groupby(["round", "unit_id", "scope"])["score"]
        .agg(["mean", "std", "count"])
        .reset_index()
    )
    unit_scores["ci"] = (
        stats.t.ppf(0.975, unit_scores["count"] - 1)
        * unit_scores["std"]
        / np.sqrt(unit_scores["count"])
    )
    levels = _unit_levels(answers, items, scopes, n_levels, 0.75)
    unit_scores = unit_scores.merge(levels, on=["round", "unit_id", "scope"], how="left")
    unit_scores = unit_scores.merge(units, on="unit_id")
    rows = 0
    for (rnd, scope, _group), frame in unit_scores.groupby(["round", "scope", group_by]):
        _group_stats(frame["mean"].to_numpy())
        members = resp[
            (resp["round"] == rnd)
            & (resp["scope"] == scope)
            & resp["unit_id"].isin(frame["unit_id"])
        ]
        _respondent_tests({u: s.to_numpy() for u, s in members.groupby("unit_id")["score"]})
        rows += 1
    rounds = sorted(unit_scores["round"].unique())
    for earlier, later in zip(rounds, rounds[1:], strict=False):
        a = unit_scores[unit_scores["round"] == earlier]
        b = unit_scores[unit_scores["round"] == later]
        paired = b.merge(
            a[["unit_id", "scope", "mean"]], on=["unit_id", "scope"], suffixes=("", "_before")
        )
        for _, frame in paired.groupby(["scope", group_by]):
            d = (frame["mean"] - frame["mean_before"]).to_numpy()
            if len(d) >= 2 and np.any(d != 0):
                stats.wilcoxon(d)
    for column in compare_by:
        for _, frame in unit_scores.groupby(["round", "scope"]):
            groups = [g["mean"].to_numpy() for _, g in frame.groupby(column)]
            if len(groups) >= 2:
                stats.kruskal(*groups)
            mu = frame["mean"].mean()
            total = np.mean(frame["mean"] / mu * np.log(frame["mean"] / mu))
            math.isfinite(total)
    return {"group_rows": rows}
