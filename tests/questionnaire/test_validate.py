"""`survey validate`: the schema and the semantic rules, one precise line per problem."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from survey.cli import main
from survey.questionnaire import load_framework, validate_paths

GOOD = textwrap.dedent(
    """\
    key: mini
    version: "1"
    title: {sv: "Mini", en: "Mini"}
    respondent: unit
    targets: [school]
    scale:
      levels:
        - {value: 1, label: {sv: "Låg", en: "Low"}}
        - {value: 2, label: {sv: "Hög", en: "High"}}
    items:
      - id: "A.01"
        area: ledning
        subgoal: "FO1.2"
        text: {sv: "Ett påstående", en: "A statement"}
        levels:
          1: {sv: "ett", en: "one"}
          2: {sv: "två", en: "two"}
        actions:
          1: {sv: "gör något", en: "do something"}
      - id: "A.02"
        area: kompetens
        subgoal: "FO1.3"
        weight: 2
        text: {sv: "Ett annat påstående", en: "Another statement"}
        levels:
          1: {sv: "ett", en: "one"}
          2: {sv: "två", en: "two"}
        actions:
          1: {sv: "gör något annat", en: "do something else"}
    """
)


def write(tmp_path: Path, text: str, name: str = "q.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems_for(tmp_path: Path, text: str) -> list[str]:
    _, problems = validate_paths([write(tmp_path, text)], load_framework())
    return [str(p) for p in problems]


def test_good_file_passes(tmp_path: Path) -> None:
    loaded, problems = validate_paths([write(tmp_path, GOOD)], load_framework())
    assert problems == []
    assert [q.key for q in loaded] == ["mini"]
    assert loaded[0].scale.size == 2
    assert loaded[0].item_by_id["A.02"].weight == 2


def test_shipped_questionnaires_pass_the_cli() -> None:
    result = CliRunner().invoke(main, ["validate", "questionnaires/"])
    assert result.exit_code == 0, result.output
    assert "ok" in result.output


def test_duplicate_id_names_both_lines(tmp_path: Path) -> None:
    text = GOOD.replace('id: "A.02"', 'id: "A.01"')
    (problem,) = problems_for(tmp_path, text)
    assert problem.startswith(f"{tmp_path / 'q.yaml'}:20: item A.01:")
    assert "duplicate id (first used on line 11)" in problem


def test_unknown_subgoal(tmp_path: Path) -> None:
    (problem,) = problems_for(tmp_path, GOOD.replace('subgoal: "FO1.3"', 'subgoal: "FO9.9"'))
    assert ":22: item A.02:" in problem
    assert "unknown sub-goal 'FO9.9'" in problem


def test_unknown_area(tmp_path: Path) -> None:
    (problem,) = problems_for(tmp_path, GOOD.replace("area: kompetens", "area: ekonomi"))
    assert ":21: item A.02:" in problem and "unknown area 'ekonomi'" in problem


def test_missing_level_descriptor(tmp_path: Path) -> None:
    text = GOOD.replace(
        '      2: {sv: "två", en: "two"}\n    actions:\n      1: {sv: "gör något", ',
        '    actions:\n      1: {sv: "gör något", ',
        1,
    )
    (problem,) = problems_for(tmp_path, text)
    assert "item A.01:" in problem and "missing descriptor for level 2" in problem
    assert ":15:" in problem  # the line of `levels:`


def test_missing_language(tmp_path: Path) -> None:
    (problem,) = problems_for(
        tmp_path,
        GOOD.replace(
            'text: {sv: "Ett påstående", en: "A statement"}', 'text: {sv: "Ett påstående"}'
        ),
    )
    assert ":14: item A.01:" in problem and "'en' is a required property" in problem


def test_weight_must_be_positive(tmp_path: Path) -> None:
    (problem,) = problems_for(tmp_path, GOOD.replace("weight: 2", "weight: 0"))
    assert ":23: item A.02:" in problem and "items.1.weight" in problem


def test_scale_values_must_run_from_one(tmp_path: Path) -> None:
    (problem,) = problems_for(tmp_path, GOOD.replace("{value: 2,", "{value: 3,"))
    assert "values must be 1..2 in order" in problem


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    (problem,) = problems_for(tmp_path, GOOD.replace("targets: [school]", "targets: [school"))
    assert problem.startswith(f"{tmp_path / 'q.yaml'}:")
    assert "YAML syntax error" in problem


def test_missing_action_for_level_below_top(tmp_path: Path) -> None:
    text = GOOD.replace(
        '    actions:\n      1: {sv: "gör något annat", en: "do something else"}\n', ""
    )
    (problem,) = problems_for(tmp_path, text)
    assert "item A.02:" in problem and "missing suggested activity for level 1" in problem


def test_two_files_with_same_key_and_version(tmp_path: Path) -> None:
    write(tmp_path, GOOD, "a.yaml")
    write(tmp_path, GOOD, "b.yaml")
    loaded, problems = validate_paths([tmp_path], load_framework())
    assert len(loaded) == 1
    assert "already defined in" in str(problems[0])


def test_cli_reports_every_problem_one_line_each(tmp_path: Path) -> None:
    """The issue's check: duplicate id, unknown sub-goal, missing descriptor, YAML syntax error."""
    bad = (
        GOOD.replace('id: "A.02"', 'id: "A.01"')
        .replace('subgoal: "FO1.2"', 'subgoal: "FO7.1"')
        .replace(
            '      2: {sv: "två", en: "two"}\n    actions:\n      1: {sv: "gör något annat"',
            '    actions:\n      1: {sv: "gör något annat"',
        )
    )
    write(tmp_path, bad, "semantic.yaml")
    write(tmp_path, "key: [broken\n", "syntax.yaml")
    result = CliRunner().invoke(main, ["validate", str(tmp_path)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith(str(tmp_path))]
    assert len(lines) == 4, result.output
    assert any("semantic.yaml:20: item A.01: duplicate id" in line for line in lines)
    assert any("semantic.yaml:13: item A.01:" in line and "FO7.1" in line for line in lines)
    # the second item (now also "A.01") lost its level-2 descriptor: reported at its `levels:` line
    assert any(
        "semantic.yaml:25: item A.01: levels: missing descriptor for level 2" in line
        for line in lines
    )
    assert any("syntax.yaml:2:" in line and "YAML syntax error" in line for line in lines)


@pytest.mark.parametrize("content", ["", "- a list\n", "key: x\n"])
def test_not_a_questionnaire(tmp_path: Path, content: str) -> None:
    problems = problems_for(tmp_path, content)
    assert problems, "an empty or partial file must be reported"
