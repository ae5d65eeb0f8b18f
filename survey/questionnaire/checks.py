"""The checks a parsed questionnaire must pass: the JSON Schema, then the semantic rules (levels,
framework references, descriptors and activities for every level)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from survey.questionnaire.model import Framework
from survey.questionnaire.problems import Problem
from survey.questionnaire.yaml_lines import Lines, jsonable
from survey.resources import data_dir

SCHEMA_FILE = "schema.json"


@lru_cache(maxsize=4)
def _schema(path: Path) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


def _validator() -> jsonschema.Draft202012Validator:
    schema = _schema(data_dir("questionnaires") / SCHEMA_FILE)
    return jsonschema.Draft202012Validator(schema)


# --------------------------------------------------------------------------- questionnaire


def schema_problems(data: dict[str, Any], lines: Lines, label: str) -> list[Problem]:
    problems = []
    for error in _validator().iter_errors(jsonable(data)):
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


def semantic_problems(
    data: dict[str, Any],
    lines: Lines,
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

        def add(
            field: str, message: str, *, _base: tuple[Any, ...] = base, _id: str = item_id
        ) -> None:
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
