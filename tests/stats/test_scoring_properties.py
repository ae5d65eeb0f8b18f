"""Answer-set scoring against the plain definition, on random questionnaires and answers."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.questionnaire import questionnaire_from_text
from survey.stats import scopes_of, score_sets
from tests.stats import stats_reference as ref
from tests.stats.qfactory import AREAS, SUBGOALS, questionnaire_yaml

WEIGHTS = st.one_of(
    st.integers(1, 5).map(float),
    st.sampled_from([0.25, 0.5, 1.5, 0.1, 0.3, 0.7, 1.3, 2.9]),
)


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, list[list[int]]]:
    n_levels = draw(st.integers(2, 7))
    n_items = draw(st.integers(1, 9))
    items = [
        (f"I{i}", draw(st.sampled_from(AREAS)), draw(st.sampled_from(SUBGOALS[:4])),
         draw(WEIGHTS))
        for i in range(n_items)
    ]  # fmt: skip
    text = questionnaire_yaml(
        key="prop", respondent="unit", n_levels=n_levels, items=items,
        min_coverage=draw(st.sampled_from([0.1, 0.5, 0.6, 1.0])),
        threshold=draw(st.sampled_from([0.5, 0.75, 0.8, 1.0])),
    )  # fmt: skip
    codes = st.lists(st.integers(-2, n_levels), min_size=n_items, max_size=n_items)
    return text, draw(st.lists(codes, min_size=1, max_size=12))


@settings(max_examples=80, deadline=None)
@given(cases())
def test_score_sets_matches_definition(case: tuple[str, list[list[int]]]) -> None:
    text, answer_sets = case
    q = questionnaire_from_text(text)
    scopes = scopes_of(q)
    codes = np.array(answer_sets, dtype=np.int8).T  # items x sets
    got = score_sets(codes, scopes, q.scale.size, q)
    reference_q = {
        "L": q.scale.size, "min_coverage": q.scoring.min_coverage,
        "threshold": q.scoring.threshold,
        "items": [(i.id, i.area, i.subgoal, i.weight) for i in q.items],
    }  # fmt: skip
    for k, values in enumerate(answer_sets):
        answered = {q.items[j].id: float(v) for j, v in enumerate(values) if v >= 1}
        for s, scope in enumerate(zip(scopes.types, scopes.ids, strict=True)):
            want = ref.answer_set(reference_q, answered, scope)
            assert got.coverage[s, k] == want["coverage"]
            score, level = got.score[s, k], got.level[s, k]
            assert (None if np.isnan(score) else score) == want["score"]
            assert (None if np.isnan(level) else int(level)) == want["level"]
