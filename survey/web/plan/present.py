"""The action plan's rows in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass

from survey.models import ActionPlanRow
from survey.questionnaire import Framework, Item
from survey.services.plan.actions import PlanLine
from survey.web.scopes import ScopeNames


@dataclass(frozen=True)
class PlanLineView:
    """A row as shown: its item's text, the suggested activity, the item's area and sub-goal
    in the page's language (an own row keeps its own title and activity)."""

    row: ActionPlanRow
    item: Item | None
    level: int | None
    title: str
    activity: str
    area: str
    subgoal: str

    @property
    def own(self) -> bool:
        return self.row.item_id is None


@dataclass(frozen=True)
class _Scope:
    scope_type: str
    scope_id: str


def _localised(item: Item, stored: str, lang: str) -> str:
    """The stored (Swedish) suggestion in ``lang``, found among the item's actions."""
    match = next((t for t in item.actions.values() if t.sv == stored), None)
    return match.get(lang) if match else stored


def line_views(lines: list[PlanLine], framework: Framework, lang: str) -> list[PlanLineView]:
    names = ScopeNames(framework, lang)
    views = []
    for line in lines:
        item, row = line.item, line.row
        if item is None:
            views.append(PlanLineView(row, None, None, row.title, row.activity, "", ""))
            continue
        views.append(
            PlanLineView(
                row=row,
                item=item,
                level=line.level,
                title=item.text.get(lang),
                activity=_localised(item, row.activity, lang),
                area=names.full(_Scope("area", item.area)),
                subgoal=names.full(_Scope("subgoal", item.subgoal)),
            )
        )
    return views
