"""Immutable in-memory model of the framework and of a questionnaire version."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

LANGUAGES = ("sv", "en")


@dataclass(frozen=True)
class Text:
    """A text in Swedish and English."""

    sv: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.sv

    def as_dict(self) -> dict[str, str]:
        return {"sv": self.sv, "en": self.en}


@dataclass(frozen=True)
class Area:
    id: str
    title: Text
    description: Text | None = None


@dataclass(frozen=True)
class FocusArea:
    id: str
    title: Text


@dataclass(frozen=True)
class Subgoal:
    id: str
    focus_area: str
    title: Text
    short: Text


@dataclass(frozen=True)
class Framework:
    """The four LIKA areas and the nine sub-goals of the national strategy."""

    areas: tuple[Area, ...]
    focus_areas: tuple[FocusArea, ...]
    subgoals: tuple[Subgoal, ...]

    @cached_property
    def area_by_id(self) -> dict[str, Area]:
        return {a.id: a for a in self.areas}

    @cached_property
    def subgoal_by_id(self) -> dict[str, Subgoal]:
        return {s.id: s for s in self.subgoals}


@dataclass(frozen=True)
class Level:
    value: int
    label: Text
    description: Text | None = None


@dataclass(frozen=True)
class Scale:
    levels: tuple[Level, ...]
    allow_not_applicable: bool = True
    allow_dont_know: bool = False

    @property
    def size(self) -> int:
        """L, the number of levels (values are 1..L)."""
        return len(self.levels)

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(level.value for level in self.levels)


@dataclass(frozen=True)
class Scoring:
    min_coverage: float = 0.5
    threshold: float = 0.75
    floor_level: int = 2


@dataclass(frozen=True)
class Item:
    id: str
    area: str
    subgoal: str
    text: Text
    levels: dict[int, Text]
    weight: float = 1.0
    help: Text | None = None
    actions: dict[int, Text] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    allow_not_applicable: bool = True
    weight_reason: Text | None = None


@dataclass(frozen=True)
class Questionnaire:
    """One loaded, validated questionnaire version. Never mutated after loading."""

    key: str
    version: str
    title: Text
    respondent: str
    targets: tuple[str, ...]
    scale: Scale
    scoring: Scoring
    items: tuple[Item, ...]
    checksum: str
    source: str
    description: Text | None = None
    path: str | None = None

    @property
    def is_individual(self) -> bool:
        return self.respondent == "individual"

    @cached_property
    def item_by_id(self) -> dict[str, Item]:
        return {item.id: item for item in self.items}

    @cached_property
    def area_ids(self) -> tuple[str, ...]:
        """Areas used by the items, in first-use order."""
        return tuple(dict.fromkeys(item.area for item in self.items))

    @cached_property
    def subgoal_ids(self) -> tuple[str, ...]:
        """Sub-goals used by the items, sorted by id (FO1.1 … FO3.2)."""
        return tuple(sorted({item.subgoal for item in self.items}))

    @cached_property
    def tags(self) -> tuple[str, ...]:
        return tuple(sorted({tag for item in self.items for tag in item.tags}))

    def items_in(self, scope_type: str, scope_id: str) -> tuple[Item, ...]:
        """Items of one scope: ``subgoal``, ``area`` or ``total``."""
        if scope_type == "total":
            return self.items
        attr = "subgoal" if scope_type == "subgoal" else "area"
        return tuple(item for item in self.items if getattr(item, attr) == scope_id)
