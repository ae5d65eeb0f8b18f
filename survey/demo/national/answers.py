"""Answers for the national data set, drawn with numpy for whole blocks of answer sets."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from survey.demo.national.units import Tree
from survey.questionnaire import Questionnaire


class Maturity:
    """A latent maturity per unit (region, organiser and unit effects, a few lagging units), a
    change between rounds and a sub-goal profile; answers are these plus item difficulty and
    noise, rounded to the scale."""

    def __init__(self, rng: np.random.Generator, tree: Tree, subgoals: list[str]):
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


def answer_rows(
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
