"""The shipped questionnaires meet the content rules of the questionnaire issue.

Counts are computed from the files themselves, so a later edit that breaks a rule fails here.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from survey.cli import main
from survey.questionnaire import Questionnaire, load_directory, load_framework

FOLDER = Path(__file__).resolve().parents[2] / "questionnaires"
FRAMEWORK = load_framework(FOLDER / "framework.yaml")
LOADED, PROBLEMS = load_directory(FOLDER, FRAMEWORK)


def _version(q: Questionnaire) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", q.version))


# The newest version of each key (a key may ship in several versions side by side).
BY_KEY = {q.key: q for q in sorted(LOADED, key=_version)}
SHIPPED = ("skola", "forskola", "huvudman", "larare")
ALL_SUBGOALS = [s.id for s in FRAMEWORK.subgoals]
ALL_AREAS = [a.id for a in FRAMEWORK.areas]

# key: (respondent, targets, item range, minimum items per sub-goal, minimum for FO3.1)
RULES = {
    "skola": ("unit", ("school",), (30, 70), 4, 4),
    "forskola": ("unit", ("preschool",), (30, 60), 3, 3),
    "huvudman": ("unit", ("organiser",), (30, 60), 3, 3),
    "larare": ("individual", ("school", "preschool"), (20, 35), 2, 1),
}
REQUIRED_TAGS = {"likvardighet", "dataskydd", "support", "kollegialt-larande", "kvalitetsarbete"}


def test_every_shipped_questionnaire_is_valid() -> None:
    assert PROBLEMS == []
    assert set(SHIPPED) <= set(BY_KEY)


@pytest.mark.parametrize("key", SHIPPED)
def test_respondent_targets_and_size(key: str) -> None:
    q = BY_KEY[key]
    respondent, targets, (low, high), _, _ = RULES[key]
    assert q.respondent == respondent
    assert set(q.targets) == set(targets)
    assert low <= len(q.items) <= high


@pytest.mark.parametrize("key", SHIPPED)
def test_every_area_and_subgoal_is_covered(key: str) -> None:
    q = BY_KEY[key]
    _, _, _, minimum, research_minimum = RULES[key]
    per_subgoal = Counter(item.subgoal for item in q.items)
    per_area = Counter(item.area for item in q.items)
    for subgoal in ALL_SUBGOALS:
        needed = research_minimum if subgoal == "FO3.1" else minimum
        assert per_subgoal[subgoal] >= needed, f"{key}: {subgoal} has {per_subgoal[subgoal]}"
    for area in ALL_AREAS:
        assert per_area[area] >= 4, f"{key}: area {area} has {per_area[area]}"


def test_all_four_share_one_four_level_scale() -> None:
    scales = {
        tuple((lvl.value, lvl.label.sv, lvl.label.en) for lvl in BY_KEY[key].scale.levels)
        for key in SHIPPED
    }
    assert len(scales) == 1
    (scale,) = scales
    assert [value for value, _, _ in scale] == [1, 2, 3, 4]
    # Stages of work, not agreement.
    assert not any(re.search(r"instämmer|agree", sv + en, re.I) for _, sv, en in scale)


def _texts(q: Questionnaire):  # type: ignore[no-untyped-def]
    for item in q.items:
        yield item.id, "text", item.text
        yield item.id, "help", item.help
        for level, text in item.levels.items():
            yield item.id, f"level {level}", text
        for level, text in item.actions.items():
            yield item.id, f"action {level}", text


@pytest.mark.parametrize(
    "q", [q for q in LOADED if q.key in SHIPPED], ids=lambda q: f"{q.key}-{q.version}"
)
def test_every_item_is_complete_in_both_languages(q: Questionnaire) -> None:
    key = f"{q.key} {q.version}"
    for item in q.items:
        assert item.help is not None, f"{key} {item.id}: no help text"
        assert sorted(item.levels) == [1, 2, 3, 4]
        assert sorted(item.actions) == [1, 2, 3], f"{key} {item.id}: actions for levels 1-3"
        assert len({text.sv for text in item.levels.values()}) == 4, (
            f"{key} {item.id}: levels repeat"
        )
    for item_id, field, text in _texts(q):
        assert text.sv.strip() and text.en.strip(), f"{key} {item_id} {field}"
        assert text.sv != text.en, f"{key} {item_id} {field}: English is a copy of the Swedish"


@pytest.mark.parametrize("key", SHIPPED)
def test_the_municipalities_challenges_are_visible(key: str) -> None:
    tags = set(BY_KEY[key].tags)
    required = REQUIRED_TAGS | ({"upphandling"} if key != "larare" else set())
    assert required <= tags, f"{key} lacks {required - tags}"


def test_no_two_items_share_a_text() -> None:
    seen: dict[str, str] = {}
    for key in SHIPPED:
        for item in BY_KEY[key].items:
            for text in (item.text.sv, item.text.en):
                normal = " ".join(text.lower().split())
                assert normal not in seen, f"{key} {item.id} repeats {seen.get(normal)}"
                seen[normal] = f"{key} {item.id}"


def test_weights_above_one_are_explained() -> None:
    for key in SHIPPED:
        for item in BY_KEY[key].items:
            if item.weight != 1:
                assert item.weight_reason is not None, f"{key} {item.id}"


@pytest.mark.parametrize(
    ("command", "marker"),
    [
        (["questionnaire", "coverage"], "coverage"),
        (["questionnaire", "table", "--no-text"], "table"),
    ],
)
def test_readme_tables_are_generated_from_the_files(command: list[str], marker: str) -> None:
    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    section = readme.split(f"<!-- {marker}:start -->\n")[1].split(f"<!-- {marker}:end -->")[0]
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 0
    assert section == result.output, f"run `survey {' '.join(command)}` and update the README"


# The pupils' surveys (issue 18): short, individual, about the school, FO1.1 and FO2.1 at the core.
PUPILS = ("elev-4-6", "elev-7-9", "elev-gy")


def test_the_pupils_surveys_are_shipped() -> None:
    assert set(PUPILS) <= set(BY_KEY)


@pytest.mark.parametrize("key", PUPILS)
def test_pupils_survey_shape(key: str) -> None:
    q = BY_KEY[key]
    assert q.respondent == "individual"
    assert set(q.targets) == {"school"}
    assert 15 <= len(q.items) <= 25
    per_subgoal = Counter(item.subgoal for item in q.items)
    assert per_subgoal["FO1.1"] >= 5 and per_subgoal["FO2.1"] >= 3, per_subgoal
    labels = [lvl.label.sv for lvl in q.scale.levels]
    assert labels == [
        "Stämmer inte alls",
        "Stämmer ganska dåligt",
        "Stämmer ganska bra",
        "Stämmer helt",
    ]
    assert q.scale.allow_dont_know and q.scale.allow_not_applicable


@pytest.mark.parametrize("key", PUPILS)
def test_pupils_survey_is_complete_in_both_languages(key: str) -> None:
    versions = [q for q in LOADED if q.key == key]
    assert versions, key
    for q in versions:
        test_every_item_is_complete_in_both_languages(q)


def test_pupils_surveys_do_not_repeat_a_text() -> None:
    seen: dict[str, str] = {}
    for key in PUPILS:
        for item in BY_KEY[key].items:
            for text in (item.text.sv, item.text.en):
                normal = " ".join(text.lower().split())
                assert normal not in seen, f"{key} {item.id} repeats {seen.get(normal)}"
                seen[normal] = f"{key} {item.id}"
