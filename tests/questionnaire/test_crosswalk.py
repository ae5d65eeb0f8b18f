"""Crosswalk files: the loader's checks (line-numbered problems), ``survey validate`` and
``survey questionnaire diff``."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from survey.cli import main
from survey.config import get_settings
from survey.questionnaire import load_directory
from survey.questionnaire.crosswalk import check_folder, comparison, find_crosswalk
from tests.crosswalk_versions import CROSSWALK, KEY, NEW, OLD, write_versions

# Every kind of mistake, each on its own line (line numbers as in the file):
BROKEN = """\
key: tvars
from: "2026.1"
to: "2027.1"
items:
  - {old: "L.01", new: "L.01", change: same}
  - {old: "L.02", new: "L.02", change: reworded}
  - {old: "L.02", new: "L.03", change: changed}
  - {old: "I.04", new: "I.04a", change: split}
  - {old: "A.01", new: "A.01", change: merged}
  - {old: "K.05", new: "K.05", change: same}
  - {old: "K.08", new: "K.08", change: reworded}
  - {new: "X.99", change: new}
  - {old: "K.07", new: "K.09", change: removed}
"""


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = write_versions(tmp_path / "q")
    monkeypatch.setenv("SURVEY_QUESTIONNAIRE_DIR", str(folder))
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


def test_a_valid_crosswalk_and_what_is_comparable(folder: Path) -> None:
    loaded, problems = load_directory(folder)
    assert problems == []
    [checked] = check_folder(folder, loaded)
    assert checked.problems == []
    # K.08 is "reworded" but moved to another sub-goal: a warning, and not comparable
    [warning] = checked.warnings
    assert (warning.line, warning.item) == (11, "K.08")
    old, new = sorted(loaded, key=lambda q: q.version)
    walk = find_crosswalk(folder, old, new)
    assert walk is not None
    assert walk.counts() == {
        "same": 2, "reworded": 2, "changed": 1, "split": 1, "merged": 1, "new": 1, "removed": 1,
    }  # fmt: skip
    cmp = comparison(walk, old, new)
    assert cmp.old_to_new == {"L.01": "L.01", "L.02": "L.02", "K.05": "K.05"}
    assert [item.id for item in cmp.common.items] == ["L.01", "L.02", "K.05"]
    assert cmp.count("area", "ledning") == (2, 3)
    assert cmp.count("area", "kompetens") == (1, 3)
    assert cmp.count("subgoal", "FO1.3") == (1, 2)
    assert cmp.count("subgoal", "FO3.1") == (0, 1)
    assert cmp.count("total", "total") == (3, 9)


def test_validate_names_every_problem_of_a_broken_crosswalk(folder: Path) -> None:
    path = folder / "crosswalks" / f"{KEY}-{OLD}-to-{NEW}.yaml"
    path.write_text(BROKEN, "utf-8")
    result = CliRunner().invoke(main, ["validate"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    label = str(path)
    expected = [
        f"{label}:4: item A.02: old item 'A.02' of version 2026.1 is not accounted for",
        f"{label}:4: item I.04b: new item 'I.04b' of version 2027.1 is not accounted for",
        f"{label}:4: item L.03: old item 'L.03' of version 2026.1 is not accounted for",
        f"{label}:7: item L.02: old item 'L.02' is accounted for twice (first on line 6)",
        f"{label}:8: item I.04: 'split' needs a list of at least two 'new' item id(s)",
        f"{label}:9: item A.01: 'merged' needs a list of at least two 'old' item id(s)",
        f"{label}:12: item X.99: new: no item 'X.99' in version 2027.1",
        f"{label}:13: item K.07: 'removed' needs no 'new' item id(s)",
    ]
    for line in expected:
        assert line in lines
    assert "8 problem(s)" in lines[-1]
    # the broken crosswalk is not used
    loaded, _ = load_directory(folder)
    old, new = sorted(loaded, key=lambda q: q.version)
    assert find_crosswalk(folder, old, new) is None


def test_validate_a_crosswalk_file_alone_and_a_schema_error(folder: Path) -> None:
    path = folder / "crosswalks" / f"{KEY}-{OLD}-to-{NEW}.yaml"
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert f"ok  {path}: tvars 2026.1 → 2027.1 (9 entries)" in result.stdout
    path.write_text(CROSSWALK.replace("change: same}", "change: similar}", 1), "utf-8")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 1
    assert f"{path}:5: items.0.change: 'similar' is not one of" in result.stderr


def test_diff_prints_counts_then_both_texts(folder: Path) -> None:
    result = CliRunner().invoke(main, ["questionnaire", "diff", KEY, OLD, NEW])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        "Korsreferens tvars 2026.1 → 2027.1",
        "3 av 9 påståenden i 2027.1 är jämförbara med 2026.1.",
        "  samma: 2",
    ]
    assert lines[3:10] == [
        "  omformulerat: 2",
        "  ändrat: 1",
        "  delat: 1",
        "  sammanslaget: 1",
        "  nytt: 1",
        "  borttaget: 1",
        "",
    ]
    # one line per entry, in the file's order
    assert len(lines) == 10 + 9
    assert lines[13] == (
        "I.04 → I.04a, I.04b  [delat; inte jämförbart]  2026.1: I.04 Påstående I.04 (2026.1)"
        "  ||  2027.1: I.04a Påstående I.04a (2027.1) | I.04b Påstående I.04b (2027.1)"
    )
    assert lines[16].startswith(
        "K.08 → K.08  [omformulerat; inte jämförbart: delmål eller område ändrat]  2026.1: K.08"
    )
    assert (
        lines[17]
        == "— → K.09  [nytt; inte jämförbart]  2026.1: —  ||  2027.1: K.09 Påstående K.09 (2027.1)"
    )
    english = CliRunner().invoke(main, ["questionnaire", "diff", KEY, OLD, NEW, "--lang", "en"])
    assert (
        "L.02 → L.02  [reworded; comparable]  2026.1: L.02 Statement L.02 (2026.1)"
        "  ||  2027.1: L.02 Statement L.02 (2027.1)"
    ) in english.stdout.splitlines()
    (folder / "crosswalks" / f"{KEY}-{OLD}-to-{NEW}.yaml").unlink()
    missing = CliRunner().invoke(main, ["questionnaire", "diff", KEY, OLD, NEW])
    assert missing.exit_code == 1
    assert "Ingen giltig korsreferens crosswalks/tvars-2026.1-to-2027.1.yaml" in missing.stderr


def test_the_demo_and_test_worlds_use_each_keys_first_version(folder: Path) -> None:
    from survey.questionnaire.loader import first_versions, version_key

    assert version_key("2027.1") < version_key("2027.10")
    assert version_key("2026.2") < version_key("2027.1")
    loaded, _ = load_directory(folder)
    assert len(loaded) == 2
    assert first_versions(reversed(loaded))[KEY].version == OLD
    assert first_versions(loaded)[KEY].version == OLD
