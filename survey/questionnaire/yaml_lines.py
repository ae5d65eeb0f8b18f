"""YAML reading that keeps line numbers: every JSON path's line, duplicated keys (which YAML would
drop silently) and syntax errors, all as problems rather than exceptions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from survey.questionnaire.problems import Problem

# libyaml's C loader when present (much faster), the pure-Python one otherwise.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: A JSON path (mapping keys and list indexes) → its 1-based line number.
Lines = dict[tuple[Any, ...], int]
#: What parsing a file gives: the data (None when unusable), the source text, the lines, and
#: the problems found.
Parsed = tuple[Any, str, Lines, list[Problem]]


def line_map(text: str) -> tuple[Lines, list[tuple[int, str]]]:
    """Map every JSON path in the document to its 1-based line number; and every key that
    appears twice in one mapping (YAML keeps the last silently: a lost translation or level
    descriptor), with its line."""
    lines: Lines = {}
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


def jsonable(value: Any) -> Any:
    """YAML allows integer mapping keys (level numbers); JSON Schema wants strings."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def parse_file(path: Path, label: str) -> Parsed:
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except OSError as exc:
        return None, "", {}, [Problem(label, None, None, f"cannot read file: {exc.strerror}")]
    except UnicodeDecodeError as exc:
        return None, "", {}, [Problem(label, None, None, f"not UTF-8 text ({exc.reason})")]
    return parse_text(text, label)


def parse_text(text: str, label: str) -> Parsed:
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
        lines, duplicates = line_map(text)
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
