"""Crosswalks between two versions of one questionnaire key
(``crosswalks/<key>-<old>-to-<new>.yaml``).

A crosswalk says what became of every item of the old version and where every item of the new
version came from. Only ``same`` and ``reworded`` items are comparable across the versions, and
only when they keep their sub-goal and area: trends across versions are computed on those items
alone (:func:`comparison`). Loading is pure and reports problems (file, line, item, message)
instead of raising; a crosswalk with problems is not used.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema

from survey.questionnaire.model import Questionnaire
from survey.questionnaire.problems import Problem
from survey.questionnaire.yaml_lines import Lines, jsonable, parse_file, parse_text
from survey.resources import data_dir

SCHEMA_FILE = "crosswalk.schema.json"
FOLDER = "crosswalks"
CHANGES = ("same", "reworded", "changed", "split", "merged", "new", "removed")
COMPARABLE = frozenset({"same", "reworded"})
#: change → (how many old ids, how many new ids): "1" exactly one, "2+" at least two, "0" none
SHAPES = {
    "same": ("1", "1"),
    "reworded": ("1", "1"),
    "changed": ("1", "1"),
    "split": ("1", "2+"),
    "merged": ("2+", "1"),
    "new": ("0", "1+"),
    "removed": ("1+", "0"),
}


@dataclass(frozen=True)
class Entry:
    old: tuple[str, ...]
    new: tuple[str, ...]
    change: str
    line: int | None = None

    @property
    def label(self) -> str:
        return ", ".join(self.old or self.new)


@dataclass(frozen=True)
class Crosswalk:
    key: str
    old_version: str
    new_version: str
    entries: tuple[Entry, ...]
    path: str | None = None

    def counts(self) -> dict[str, int]:
        """Entries per change kind, in the order of CHANGES (kinds with none left out)."""
        out = {kind: 0 for kind in CHANGES}
        for entry in self.entries:
            out[entry.change] += 1
        return {k: v for k, v in out.items() if v}


@dataclass(frozen=True)
class Checked:
    """A crosswalk file checked: the crosswalk (None when it has problems), its problems and
    warnings (warnings do not stop it from being used)."""

    crosswalk: Crosswalk | None
    problems: list[Problem]
    warnings: list[Problem] = field(default_factory=list)


@lru_cache(maxsize=2)
def _validator(path: Path) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(path.read_text(encoding="utf-8")))


def _line(lines: Lines, path: tuple[Any, ...]) -> int | None:
    probe: tuple[Any, ...] | None = path
    while probe is not None:
        if probe in lines:
            return lines[probe]
        probe = probe[:-1] if probe else None
    return None


def _ids(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else (str(value),)


def _shape_ok(rule: str, value: Any) -> bool:
    n = len(_ids(value))
    if rule == "0":
        return value is None
    if rule == "1":
        return value is not None and not isinstance(value, list) or n == 1
    if rule == "2+":
        return isinstance(value, list) and n >= 2
    return n >= 1  # 1+


def file_name(key: str, old: str, new: str) -> str:
    return f"{key}-{old}-to-{new}.yaml"


def crosswalk_files(directory: Path) -> list[Path]:
    folder = directory / FOLDER
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())


def check_crosswalk(
    path: Path,
    versions: dict[tuple[str, str], Questionnaire],
    *,
    label: str | None = None,
    text: str | None = None,
) -> Checked:
    """Check a crosswalk file against the schema, its name and the two questionnaire versions
    it joins (``versions`` by (key, version))."""
    label = label or str(path)
    parsed = parse_text(text, label) if text is not None else parse_file(path, label)
    data, _raw, lines, problems = parsed
    if problems:
        return Checked(None, problems)
    schema = _validator(data_dir("questionnaires") / SCHEMA_FILE)
    for error in schema.iter_errors(jsonable(data)):
        where = tuple(error.absolute_path)
        name = ".".join(str(p) for p in where) or "(top level)"
        problems.append(Problem(label, _line(lines, where), None, f"{name}: {error.message}"))
    if problems:
        return Checked(None, sorted(problems, key=lambda p: (p.line or 0, p.message)))
    key, old_v, new_v = str(data["key"]), str(data["from"]), str(data["to"])
    expected = file_name(key, old_v, new_v)
    if text is None and path.name != expected:
        problems.append(Problem(label, 1, None, f"the file should be named {expected}"))
    old_q, new_q = versions.get((key, old_v)), versions.get((key, new_v))
    for q, version, field_name in ((old_q, old_v, "from"), (new_q, new_v, "to")):
        if q is None:
            problems.append(
                Problem(
                    label,
                    _line(lines, (field_name,)),
                    None,
                    f"{field_name}: no questionnaire '{key}' version '{version}'",
                )
            )
    entries: list[Entry] = []
    warnings: list[Problem] = []
    seen_old: dict[str, int | None] = {}
    seen_new: dict[str, int | None] = {}
    for index, raw in enumerate(data["items"]):
        line = _line(lines, ("items", index))
        change = raw["change"]
        entry = Entry(_ids(raw.get("old")), _ids(raw.get("new")), change, line)
        entries.append(entry)
        rule_old, rule_new = SHAPES[change]
        for side, rule, value in (
            ("old", rule_old, raw.get("old")),
            ("new", rule_new, raw.get("new")),
        ):
            if not _shape_ok(rule, value):
                wanted = {
                    "0": "no",
                    "1": "exactly one",
                    "2+": "a list of at least two",
                    "1+": "at least one",
                }[rule]
                problems.append(
                    Problem(
                        label,
                        line,
                        entry.label or None,
                        f"'{change}' needs {wanted} '{side}' item id(s)",
                    )
                )
        for side, ids, q, seen in (
            ("old", entry.old, old_q, seen_old),
            ("new", entry.new, new_q, seen_new),
        ):
            for item_id in ids:
                if q is not None and item_id not in q.item_by_id:
                    version = old_v if side == "old" else new_v
                    problems.append(
                        Problem(
                            label,
                            line,
                            item_id,
                            f"{side}: no item '{item_id}' in version {version}",
                        )
                    )
                if item_id in seen:
                    first = seen[item_id]
                    problems.append(
                        Problem(
                            label,
                            line,
                            item_id,
                            f"{side} item '{item_id}' is accounted for twice "
                            f"(first on line {first})",
                        )
                    )
                seen.setdefault(item_id, line)
        if change in COMPARABLE and old_q is not None and new_q is not None:
            a = old_q.item_by_id.get(entry.old[0]) if entry.old else None
            b = new_q.item_by_id.get(entry.new[0]) if entry.new else None
            if a is not None and b is not None and (a.subgoal, a.area) != (b.subgoal, b.area):
                warnings.append(
                    Problem(
                        label,
                        line,
                        entry.label,
                        f"'{change}' but the sub-goal or area changed ({a.subgoal}/{a.area} → "
                        f"{b.subgoal}/{b.area}): not comparable",
                    )
                )
    items_line = _line(lines, ("items",))
    for side, q, seen in (("old", old_q, seen_old), ("new", new_q, seen_new)):
        if q is None:
            continue
        for item in q.items:
            if item.id not in seen:
                problems.append(
                    Problem(
                        label,
                        items_line,
                        item.id,
                        f"{side} item '{item.id}' of version {q.version} is not accounted for",
                    )
                )
    if problems:
        return Checked(None, sorted(problems, key=lambda p: (p.line or 0, p.message)), warnings)
    return Checked(Crosswalk(key, old_v, new_v, tuple(entries), str(path)), [], warnings)


def check_folder(directory: Path, questionnaires: list[Questionnaire]) -> list[Checked]:
    """Check every crosswalk in ``directory/crosswalks`` against the loaded questionnaires."""
    versions = {(q.key, q.version): q for q in questionnaires}
    return [check_crosswalk(path, versions) for path in crosswalk_files(directory)]


def find_crosswalk(directory: Path, old: Questionnaire, new: Questionnaire) -> Crosswalk | None:
    """The valid crosswalk from ``old`` to ``new`` in ``directory/crosswalks``, if any (a file
    with problems counts as none)."""
    path = directory / FOLDER / file_name(new.key, old.version, new.version)
    try:
        stat = path.stat()
    except OSError:
        return None
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, old.checksum, new.checksum)
    if key not in _FOUND:
        versions = {(old.key, old.version): old, (new.key, new.version): new}
        if len(_FOUND) > 64:
            _FOUND.clear()
        _FOUND[key] = check_crosswalk(path, versions).crosswalk
    return _FOUND[key]


#: Checked crosswalks by file (path, mtime, size) and the two versions' content: pure, so an
#: unchanged file is checked once per process.
_FOUND: dict[tuple[object, ...], Crosswalk | None] = {}


# ------------------------------------------------------------------------------ comparison


@dataclass(frozen=True)
class Comparison:
    """What two versions have in common for a trend.

    ``common`` is the new version restricted to the comparable items (new ids); ``old_to_new``
    maps the old version's comparable item ids to the new ids; ``counts`` gives per scope
    (("subgoal", "FO1.2"), ("area", "L"), ("total", "total")) how many of the new version's
    items in that scope are comparable, and how many it has."""

    old_version: str
    new_version: str
    common: Questionnaire
    old_to_new: dict[str, str]
    counts: dict[tuple[str, str], tuple[int, int]]

    def count(self, scope_type: str, scope_id: str) -> tuple[int, int] | None:
        return self.counts.get((scope_type, scope_id))


def comparable_pairs(
    crosswalk: Crosswalk, old: Questionnaire, new: Questionnaire
) -> dict[str, str]:
    """Old id → new id of the comparable items: same or reworded, same sub-goal and area."""
    pairs = {}
    for entry in crosswalk.entries:
        if entry.change not in COMPARABLE or len(entry.old) != 1 or len(entry.new) != 1:
            continue
        a, b = old.item_by_id.get(entry.old[0]), new.item_by_id.get(entry.new[0])
        if a is not None and b is not None and (a.subgoal, a.area) == (b.subgoal, b.area):
            pairs[a.id] = b.id
    return pairs


def comparison(crosswalk: Crosswalk, old: Questionnaire, new: Questionnaire) -> Comparison:
    pairs = comparable_pairs(crosswalk, old, new)
    kept = set(pairs.values())
    common = replace(
        new,
        items=tuple(item for item in new.items if item.id in kept),
        # a different item set: never mistaken for the full version in a cache keyed by checksum
        checksum=f"{new.checksum}~{old.checksum}",
    )
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    scopes = [("subgoal", s) for s in new.subgoal_ids] + [("area", a) for a in new.area_ids]
    for scope_type, scope_id in [*scopes, ("total", "total")]:
        items = new.items_in(scope_type, scope_id)
        counts[(scope_type, scope_id)] = (sum(1 for i in items if i.id in kept), len(items))
    return Comparison(old.version, new.version, common, pairs, counts)
