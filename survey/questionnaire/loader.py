"""Load questionnaire YAML files, check them against the JSON Schema and the semantic rules.

Every problem is reported with file, line (where known), item id and message; a file with any
problem is not loaded. Nothing here raises for bad content: callers get problems back.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

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
from survey.resources import data_dir

# libyaml's C loader when present (much faster), the pure-Python one otherwise.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FRAMEWORK_FILE = "framework.yaml"
SCHEMA_FILE = "schema.json"


@dataclass(frozen=True, order=True)
class Problem:
    """One validation problem, printable as ``file:line: item X: message``."""

    file: str
    line: int | None
    item: str | None
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        item = f" item {self.item}:" if self.item else ""
        return f"{where}:{item} {self.message}"


class QuestionnaireError(Exception):
    """A questionnaire could not be loaded; ``problems`` says why."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


# --------------------------------------------------------------------------- YAML with lines


def _line_map(text: str) -> tuple[dict[tuple[Any, ...], int], list[tuple[int, str]]]:
    """Map every JSON path in the document to its 1-based line number; and every key that
    appears twice in one mapping (YAML keeps the last silently: a lost translation or level
    descriptor), with its line."""
    lines: dict[tuple[Any, ...], int] = {}
    duplicates: list[tuple[int, str]] = []

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            seen: dict[Any, int] = {}
            for key_node, value_node in node.value:
                key: Any = key_node.value
                if key_node.tag.endswith(":int"):
                    key = str(int(key))
                line = key_node.start_mark.line + 1
                if key in seen:
                    where = ".".join(str(p) for p in (*path, key))
                    duplicates.append(
                        (line, f"duplicated key '{where}' (first on line {seen[key]})")
                    )
                seen.setdefault(key, line)
                walk(value_node, (*path, key))
                lines.setdefault((*path, key), key_node.start_mark.line + 1)
                lines[(*path, key)] = key_node.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for index, child in enumerate(node.value):
                walk(child, (*path, index))

    root = yaml.compose(text, Loader=_Loader)
    if root is not None:
        walk(root, ())
    return lines, duplicates


def _jsonable(value: Any) -> Any:
    """YAML allows integer mapping keys (level numbers); JSON Schema wants strings."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def _parse(path: Path, label: str) -> tuple[Any, str, dict[tuple[Any, ...], int], list[Problem]]:
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except OSError as exc:
        return None, "", {}, [Problem(label, None, None, f"cannot read file: {exc.strerror}")]
    except UnicodeDecodeError as exc:
        return None, "", {}, [Problem(label, None, None, f"not UTF-8 text ({exc.reason})")]
    return _parse_text(text, label)


def _parse_text(
    text: str, label: str
) -> tuple[Any, str, dict[tuple[Any, ...], int], list[Problem]]:
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
        lines, duplicates = _line_map(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, text, {}, [Problem(label, line, None, f"YAML syntax error: {reason}")]
    if duplicates:
        return None, text, lines, [Problem(label, line, None, what) for line, what in duplicates]
    if not isinstance(data, dict):
        return None, text, lines, [Problem(label, 1, None, "the file must be a YAML mapping")]
    return data, text, lines, []


# --------------------------------------------------------------------------- framework


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
    data, _text_src, lines, problems = _parse(path, str(path))
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


@lru_cache(maxsize=4)
def _schema(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _validator() -> jsonschema.Draft202012Validator:
    schema = _schema(data_dir("questionnaires") / SCHEMA_FILE)
    return jsonschema.Draft202012Validator(schema)


# --------------------------------------------------------------------------- questionnaire


def _schema_problems(
    data: dict[str, Any], lines: dict[tuple[Any, ...], int], label: str
) -> list[Problem]:
    problems = []
    for error in _validator().iter_errors(_jsonable(data)):
        path = tuple(error.absolute_path)
        line = None
        probe: tuple[Any, ...] | None = path
        while line is None and probe is not None:
            line = lines.get(probe)
            probe = probe[:-1] if probe else None
        item = None
        if len(path) >= 2 and path[0] == "items" and isinstance(path[1], int):
            items = data.get("items")
            entry = items[path[1]] if isinstance(items, list) and path[1] < len(items) else None
            item = str(entry.get("id")) if isinstance(entry, dict) and "id" in entry else None
            item = item or f"#{path[1] + 1}"
        field = ".".join(str(p) for p in path) or "(top level)"
        problems.append(Problem(label, line, item, f"{field}: {error.message}"))
    return problems


def _semantic_problems(
    data: dict[str, Any],
    lines: dict[tuple[Any, ...], int],
    label: str,
    framework: Framework,
) -> list[Problem]:
    problems: list[Problem] = []
    levels = [lvl["value"] for lvl in data["scale"]["levels"]]
    size = len(levels)
    if levels != list(range(1, size + 1)):
        problems.append(
            Problem(
                label,
                lines.get(("scale", "levels")),
                None,
                f"scale.levels: values must be 1..{size} in order, found {levels}",
            )
        )
    scoring = data.get("scoring") or {}
    floor = scoring.get("floor_level")
    if floor is not None and not 1 <= floor <= size:
        problems.append(
            Problem(
                label,
                lines.get(("scoring", "floor_level")),
                None,
                f"scoring.floor_level: {floor} is not a level of the scale (1..{size})",
            )
        )
    seen: dict[str, int] = {}
    for index, item in enumerate(data["items"]):
        item_id = str(item["id"])
        base = ("items", index)

        def add(field: str, message: str, *, _base: tuple[Any, ...] = base, _id: str = item_id):
            line = lines.get((*_base, field)) or lines.get(_base)
            problems.append(Problem(label, line, _id, message))

        if item_id in seen:
            add("id", f"duplicate id (first used on line {seen[item_id]})")
        else:
            seen[item_id] = lines.get((*base, "id")) or 0
        if item["area"] not in framework.area_by_id:
            known = ", ".join(framework.area_by_id)
            add("area", f"unknown area '{item['area']}' (known: {known})")
        if item["subgoal"] not in framework.subgoal_by_id:
            known = ", ".join(framework.subgoal_by_id)
            add("subgoal", f"unknown sub-goal '{item['subgoal']}' (known: {known})")
        descriptors = {int(k) for k in item["levels"]}
        for missing in sorted(set(range(1, size + 1)) - descriptors):
            add("levels", f"levels: missing descriptor for level {missing}")
        for extra in sorted(descriptors - set(range(1, size + 1))):
            add("levels", f"levels: descriptor for level {extra}, which is not on the scale")
        actions = {int(k) for k in (item.get("actions") or {})}
        for missing in sorted(set(range(1, size)) - actions):
            add("actions", f"actions: missing suggested activity for level {missing}")
        for extra in sorted(actions - set(range(1, size))):
            add(
                "actions",
                f"actions: activity for level {extra}, which is not a level below the top",
            )
    return problems


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
        return _check(_parse(path, label), path, label, framework)
    if key not in _checked:
        _checked[key] = _check(_parse(path, label), path, label, framework)
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
    questionnaire, problems = _check(_parse_text(text, label), Path(label), label, framework)
    if questionnaire is None:
        raise QuestionnaireError(problems)
    return questionnaire


def _check(
    parsed: tuple[Any, str, dict[tuple[Any, ...], int], list[Problem]],
    path: Path,
    label: str,
    framework: Framework,
) -> tuple[Questionnaire | None, list[Problem]]:
    data, raw, lines, problems = parsed
    if problems:
        return None, problems
    problems = _schema_problems(data, lines, label)
    if problems:
        return None, sorted(problems, key=lambda p: (p.line or 0, p.message))
    problems = _semantic_problems(data, lines, label, framework)
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
