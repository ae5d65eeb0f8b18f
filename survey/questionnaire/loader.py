"""Load questionnaire YAML files, check them against the JSON Schema and the semantic rules.

Every problem is reported with file, line (where known), item id and message; a file with any
problem is not loaded. Nothing here raises for bad content: callers get problems back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from survey.questionnaire.checks import schema_problems, semantic_problems
from survey.questionnaire.model import (
    Area,
    FocusArea,
    Framework,
    Item,
    Level,
    Questionnaire,
    Scale,
    Scoring,
    Subgoal,
    Text,
)
from survey.questionnaire.problems import Problem, QuestionnaireError
from survey.questionnaire.yaml_lines import Parsed, parse_file, parse_text
from survey.resources import data_dir

FRAMEWORK_FILE = "framework.yaml"


def _text(value: Any) -> Text:
    return Text(sv=str(value["sv"]), en=str(value["en"]))


def _opt_text(value: Any) -> Text | None:
    return _text(value) if isinstance(value, dict) else None


def load_framework(path: Path | None = None) -> Framework:
    """Load ``framework.yaml`` (once per unchanged file); raise QuestionnaireError naming every
    problem."""
    path = path or data_dir("questionnaires") / FRAMEWORK_FILE
    try:
        stat = path.stat()
    except OSError as exc:
        raise QuestionnaireError(
            [Problem(str(path), None, None, f"cannot read file: {exc.strerror}")]
        ) from exc
    return _framework(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _framework(path_text: str, _mtime: int, _size: int) -> Framework:
    path = Path(path_text)
    data, _text_src, lines, problems = parse_file(path, str(path))
    if problems:
        raise QuestionnaireError(problems)
    try:
        framework = Framework(
            areas=tuple(
                Area(a["id"], _text(a["title"]), _opt_text(a.get("description")))
                for a in data["areas"]
            ),
            focus_areas=tuple(FocusArea(f["id"], _text(f["title"])) for f in data["focus_areas"]),
            subgoals=tuple(
                Subgoal(s["id"], s["focus_area"], _text(s["title"]), _text(s["short"]))
                for s in data["subgoals"]
            ),
        )
    except (KeyError, TypeError) as exc:
        raise QuestionnaireError(
            [Problem(str(path), None, None, f"malformed framework: missing or wrong {exc}")]
        ) from exc
    return framework


def _build(data: dict[str, Any], raw: str, path: Path) -> Questionnaire:
    scale_data = data["scale"]
    scale = Scale(
        levels=tuple(
            Level(lvl["value"], _text(lvl["label"]), _opt_text(lvl.get("description")))
            for lvl in scale_data["levels"]
        ),
        allow_not_applicable=bool(scale_data.get("allow_not_applicable", True)),
        allow_dont_know=bool(scale_data.get("allow_dont_know", False)),
    )
    scoring = Scoring(**(data.get("scoring") or {}))
    items = tuple(
        Item(
            id=str(item["id"]),
            area=item["area"],
            subgoal=item["subgoal"],
            text=_text(item["text"]),
            levels={int(k): _text(v) for k, v in item["levels"].items()},
            weight=float(item.get("weight", 1)),
            help=_opt_text(item.get("help")),
            actions={int(k): _text(v) for k, v in (item.get("actions") or {}).items()},
            tags=tuple(item.get("tags") or ()),
            allow_not_applicable=bool(item.get("allow_not_applicable", scale.allow_not_applicable))
            and scale.allow_not_applicable,
            weight_reason=_opt_text(item.get("weight_reason")),
        )
        for item in data["items"]
    )
    return Questionnaire(
        key=data["key"],
        version=str(data["version"]),
        title=_text(data["title"]),
        description=_opt_text(data.get("description")),
        respondent=data["respondent"],
        targets=tuple(data["targets"]),
        scale=scale,
        scoring=scoring,
        items=items,
        checksum=hashlib.sha256(raw.encode("utf-8")).hexdigest(),
        source=raw,
        path=str(path),
    )


def check_questionnaire(
    path: Path, framework: Framework, label: str | None = None
) -> tuple[Questionnaire | None, list[Problem]]:
    """Load one file; return the questionnaire (None if invalid) and every problem found."""
    label = label or str(path)
    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, label, id(framework))
    except OSError:
        return _check(parse_file(path, label), path, label, framework)
    if key not in _checked:
        _checked[key] = _check(parse_file(path, label), path, label, framework)
    questionnaire, problems = _checked[key]
    return questionnaire, list(problems)


# Parsed files by (path, mtime, size, label, framework): loading is pure, so repeat loads of an
# unchanged file (every app start in a test run, every CLI call in a process) are free.
_checked: dict[tuple[object, ...], tuple[Questionnaire | None, list[Problem]]] = {}


def questionnaire_from_text(
    text: str, framework: Framework | None = None, label: str = "<stored>"
) -> Questionnaire:
    """Rebuild a questionnaire from its stored source (raises QuestionnaireError if invalid)."""
    framework = framework or load_framework()
    questionnaire, problems = _check(parse_text(text, label), Path(label), label, framework)
    if questionnaire is None:
        raise QuestionnaireError(problems)
    return questionnaire


def _check(
    parsed: Parsed,
    path: Path,
    label: str,
    framework: Framework,
) -> tuple[Questionnaire | None, list[Problem]]:
    data, raw, lines, problems = parsed
    if problems:
        return None, problems
    problems = schema_problems(data, lines, label)
    if problems:
        return None, sorted(problems, key=lambda p: (p.line or 0, p.message))
    problems = semantic_problems(data, lines, label, framework)
    if problems:
        return None, sorted(problems, key=lambda p: (p.line or 0, p.message))
    return _build(data, raw, path), []


def load_questionnaire(path: Path | str, framework: Framework | None = None) -> Questionnaire:
    """Load one questionnaire file or raise QuestionnaireError with every problem."""
    framework = framework or load_framework()
    questionnaire, problems = check_questionnaire(Path(path), framework)
    if questionnaire is None:
        raise QuestionnaireError(problems)
    return questionnaire


def questionnaire_files(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.iterdir()
        if p.suffix in {".yaml", ".yml"} and p.name != FRAMEWORK_FILE and p.is_file()
    )


def _expand(paths: Iterable[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files.extend(questionnaire_files(path) if path.is_dir() else [path])
    return files


def validate_paths(
    paths: Iterable[Path], framework: Framework | None = None
) -> tuple[list[Questionnaire], list[Problem]]:
    """Validate files and folders; also reports two files claiming the same key and version."""
    framework = framework or load_framework()
    loaded: list[Questionnaire] = []
    problems: list[Problem] = []
    owners: dict[tuple[str, str], str] = {}
    for path in _expand(paths):
        questionnaire, found = check_questionnaire(path, framework)
        problems.extend(found)
        if questionnaire is None:
            continue
        ident = (questionnaire.key, questionnaire.version)
        if ident in owners:
            problems.append(
                Problem(
                    str(path),
                    1,
                    None,
                    f"key '{ident[0]}' version '{ident[1]}' is already defined in {owners[ident]}",
                )
            )
            continue
        owners[ident] = str(path)
        loaded.append(questionnaire)
    return loaded, problems


def load_directory(
    directory: Path | None = None, framework: Framework | None = None
) -> tuple[list[Questionnaire], list[Problem]]:
    """Load every valid questionnaire in a folder; invalid ones are reported and skipped."""
    directory = directory or data_dir("questionnaires")
    return validate_paths([directory], framework)


def version_key(version: str) -> tuple[tuple[int, str], ...]:
    """Order of versions: "2026.1" < "2026.2" < "2027.1" < "2027.10" (numbers as numbers)."""
    return tuple((int(p), "") if p.isdigit() else (-1, p) for p in version.split("."))


def first_versions(questionnaires: Iterable[Questionnaire]) -> dict[str, Questionnaire]:
    """Each key's earliest version: what the demo and the test worlds are built on, however many
    later versions sit beside it in the folder."""
    out: dict[str, Questionnaire] = {}
    for q in questionnaires:
        if q.key not in out or version_key(q.version) < version_key(out[q.key].version):
            out[q.key] = q
    return out
