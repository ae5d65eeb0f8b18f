"""The action plan (handlingsplan) of a unit-level assessment.

Rows are generated from the answers when the assessment is submitted: one per item answered below
the top level, lowest level first, then highest weight, then the questionnaire's order. People then
edit priority, owner, due date, status and note, and add rows of their own.

A generated row that nobody has edited follows the assessment (its suggested activity and priority
track the current level, and it goes away when the item reaches the top level); a row someone has
edited is kept as it is. ``updated_at`` moves only on a person's edit, which is how we tell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlmodel import Session, select

from survey.clock import utcnow
from survey.errors import Conflict, InvalidInput, NotFound, msg
from survey.models import ACTION_STATUSES, ActionPlanRow, Answer, id_of
from survey.parsing import ascii_int
from survey.questionnaire import Item, Questionnaire
from survey.services.access import AssessmentContext

PRIORITIES = (1, 2, 3)  # 1 = high, 3 = low
EDITABLE = ("priority", "owner", "due_date", "status", "note")
_LIMITS = {"title": 500, "owner": 200, "activity": 4000, "note": 4000}


def priority_for(level: int) -> int:
    """Level 1 → priority 1 (high), level 2 → 2, anything higher → 3 (low)."""
    return min(level, PRIORITIES[-1])


def _activity(item: Item, level: int) -> str:
    action = item.actions.get(level)
    return action.sv if action else ""


class _Answered(Protocol):
    """What the plan needs of an answer (an :class:`Answer` or a bare level)."""

    @property
    def kind(self) -> str: ...

    @property
    def value(self) -> int | None: ...


def _low_items(q: Questionnaire, answers: Mapping[str, _Answered]) -> list[tuple[Item, int]]:
    """Items answered below the top level, in plan order."""
    top = max(q.scale.values)
    found: list[tuple[int, float, int, Item]] = []
    for index, item in enumerate(q.items):
        answer = answers.get(item.id)
        level = answer.value if answer is not None and answer.kind == "level" else None
        if level is not None and level < top:
            found.append((level, -item.weight, index, item))
    found.sort(key=lambda entry: entry[:3])
    return [(item, level) for level, _, _, item in found]


def _edited(row: ActionPlanRow) -> bool:
    return row.updated_at != row.created_at


def _rows(session: Session, assessment_id: int) -> list[ActionPlanRow]:
    return list(
        session.exec(select(ActionPlanRow).where(ActionPlanRow.assessment_id == assessment_id))
    )


def sync_plan(
    session: Session, *, ctx: AssessmentContext, q: Questionnaire, answers: Mapping[str, Answer]
) -> None:
    """Bring the generated rows in line with the answers, keeping every edit (idempotent)."""
    if q.is_individual:
        return
    existing = {r.item_id: r for r in _rows(session, id_of(ctx.assessment)) if r.item_id}
    low = _low_items(q, answers)
    now = utcnow()
    for position, (item, level) in enumerate(low):
        row = existing.pop(item.id, None)
        if row is None:
            row = ActionPlanRow(
                assessment_id=id_of(ctx.assessment),
                item_id=item.id,
                title=item.text.sv[: _LIMITS["title"]],
                activity=_activity(item, level),
                priority=priority_for(level),
                created_at=now,
                updated_at=now,
            )
        elif not _edited(row):
            row.activity = _activity(item, level)
            row.priority = priority_for(level)
        row.position = position
        session.add(row)
    order = {item.id: index for index, item in enumerate(q.items)}
    for item_id, row in existing.items():
        if _edited(row):
            row.position = len(low) + order.get(item_id, len(order))
            session.add(row)
        else:
            session.delete(row)
    session.flush()


def get_row(session: Session, *, ctx: AssessmentContext, row_id: int) -> ActionPlanRow:
    row = session.get(ActionPlanRow, row_id)
    if row is None or row.assessment_id != ctx.assessment.id:
        raise NotFound("err.plan.row_not_found")
    return row


class StaleRow(Conflict):
    """A full-row save based on an older version of the row."""


def row_version(row: ActionPlanRow) -> str:
    return row.updated_at.isoformat()


def _text(field: str, raw: str) -> str:
    value = raw.strip()
    if len(value) > _LIMITS[field]:
        raise InvalidInput("err.field.too_long", field=field, max=_LIMITS[field])
    return value


def _priority(raw: str) -> int:
    priority = ascii_int(raw)
    if priority in PRIORITIES:
        return priority
    raise InvalidInput("err.plan.priority", value=raw)


def _due(raw: str) -> date | None:
    if not raw.strip():
        return None
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InvalidInput("err.plan.due_date", value=raw) from None


def _status(raw: str) -> str:
    if raw in ACTION_STATUSES:
        return raw
    raise InvalidInput("err.plan.status", value=raw)


_PARSERS: dict[str, Callable[[str], object]] = {
    "priority": _priority,
    "owner": lambda raw: _text("owner", raw),
    "due_date": _due,
    "status": _status,
    "note": lambda raw: _text("note", raw),
}


def update_row(
    session: Session,
    *,
    ctx: AssessmentContext,
    row_id: int,
    values: Mapping[str, str],
    version: str | None = None,
) -> ActionPlanRow:
    """Change the editable fields present in ``values`` (the others stay as they are).

    ``version`` (from a full-row form) refuses the save when someone changed the row since.
    All values are checked before anything changes.
    """
    row = get_row(session, ctx=ctx, row_id=row_id)
    parsed = {name: _PARSERS[name](values[name]) for name in EDITABLE if name in values}
    if version is not None and version != row_version(row):
        raise StaleRow("err.plan.stale_row")
    changed = {name: value for name, value in parsed.items() if getattr(row, name) != value}
    if changed:
        for name, value in changed.items():
            setattr(row, name, value)
        row.updated_at = utcnow()
        session.add(row)
        session.flush()
    return row


def add_row(
    session: Session,
    *,
    ctx: AssessmentContext,
    title: str = "",
    activity: str = "",
    priority: str = "2",
    owner: str = "",
    due_date: str = "",
) -> ActionPlanRow:
    """A row of the unit's own, not tied to an item."""
    clean_title = _text("title", title)
    if not clean_title:
        raise InvalidInput("err.plan.title_missing")
    own = [r for r in _rows(session, id_of(ctx.assessment)) if r.item_id is None]
    now = utcnow()
    row = ActionPlanRow(
        assessment_id=id_of(ctx.assessment),
        item_id=None,
        title=clean_title,
        activity=_text("activity", activity),
        priority=_priority(priority),
        owner=_text("owner", owner),
        due_date=_due(due_date),
        position=max((r.position for r in own), default=-1) + 1,
        created_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    return row


def delete_row(session: Session, *, ctx: AssessmentContext, row_id: int) -> None:
    row = get_row(session, ctx=ctx, row_id=row_id)
    if row.item_id is not None:
        raise Conflict("err.plan.suggested_row")
    session.delete(row)
    session.flush()


@dataclass(frozen=True)
class PlanFilters:
    area: str | None = None
    subgoal: str | None = None
    tag: str | None = None

    @property
    def active(self) -> bool:
        return bool(self.area or self.subgoal or self.tag)

    def query(self) -> dict[str, str]:
        return {
            k: v
            for k, v in (("area", self.area), ("subgoal", self.subgoal), ("tag", self.tag))
            if v
        }

    def matches(self, item: Item | None) -> bool:
        if item is None:  # own rows have no area, sub-goal or tags
            return not self.active
        return (
            (self.area is None or item.area == self.area)
            and (self.subgoal is None or item.subgoal == self.subgoal)
            and (self.tag is None or self.tag in item.tags)
        )


def parse_filters(
    q: Questionnaire, *, area: str | None, subgoal: str | None, tag: str | None
) -> PlanFilters:
    """Filters from query parameters; an empty value means "all", an unknown one is refused."""
    problems = []
    for name, value, allowed in (
        ("area", area, q.area_ids),
        ("subgoal", subgoal, q.subgoal_ids),
        ("tag", tag, q.tags),
    ):
        if value and value not in allowed:
            problems.append(
                msg("err.field.not_in_questionnaire", field=name, value=value,
                    allowed=", ".join(allowed))
            )  # fmt: skip
    if problems:
        raise InvalidInput("err.plan.filter", problems=problems)
    return PlanFilters(area or None, subgoal or None, tag or None)


@dataclass(frozen=True)
class PlanLine:
    """A row with its item (None for the unit's own rows) and the item's current level."""

    row: ActionPlanRow
    item: Item | None
    level: int | None

    @property
    def own(self) -> bool:
        return self.row.item_id is None


def plan_rows(
    session: Session,
    *,
    ctx: AssessmentContext,
    q: Questionnaire,
    answers: Mapping[str, Answer],
    filters: PlanFilters | None = None,
) -> list[PlanLine]:
    """The plan in display order: priority, generated rows before own ones, then position."""
    filters = filters or PlanFilters()
    rows = sorted(
        _rows(session, id_of(ctx.assessment)),
        key=lambda r: (r.priority, r.item_id is None, r.position, r.id or 0),
    )
    lines = []
    for row in rows:
        item = q.item_by_id.get(row.item_id) if row.item_id else None
        if not filters.matches(item):
            continue
        answer = answers.get(item.id) if item is not None else None
        level = answer.value if answer is not None and answer.kind == "level" else None
        lines.append(PlanLine(row, item, level))
    return lines


def status_counts(session: Session, *, ctx: AssessmentContext) -> dict[str, int]:
    counts = dict.fromkeys(ACTION_STATUSES, 0)
    for row in _rows(session, id_of(ctx.assessment)):
        counts[row.status] = counts.get(row.status, 0) + 1
    return counts


@dataclass(frozen=True)
class GeneratedRow:
    item_id: str
    title: str
    activity: str
    priority: int
    position: int


@dataclass(frozen=True)
class _Level:
    kind: str
    value: int | None


def generated_rows(q: Questionnaire, levels: Mapping[str, int]) -> list[GeneratedRow]:
    """The rows :func:`sync_plan` creates for a new plan, from item id → answered level; for
    bulk loads (the demo) that write many plans without an ORM object per row."""
    low = _low_items(q, {item: _Level("level", v) for item, v in levels.items()})
    return [
        GeneratedRow(
            item.id,
            item.text.sv[: _LIMITS["title"]],
            _activity(item, level),
            priority_for(level),
            position,
        )
        for position, (item, level) in enumerate(low)
    ]
