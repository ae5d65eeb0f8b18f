"""What a round's pages share (participation, reminders, heat map, equity, trend): the round as
the actor may see its units, its questionnaire, the navigation between its pages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Request

from survey.clock import LOCAL_TZ
from survey.questionnaire import Questionnaire
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.access import RoundScope, get_round_units_view
from survey.web.auth import CurrentActor
from survey.web.deps import FrameworkDep, Id, SessionDep
from survey.web.formatting import format_datetime


def round_units_view(session: SessionDep, actor: CurrentActor, round_id: Id) -> RoundScope:
    """The round of the path with the units the actor may see (404 for national staff on an
    organiser's round, and for rounds outside a strategist's organiser)."""
    return get_round_units_view(session, actor=actor, round_id=round_id)


RoundView = Annotated[RoundScope, Depends(round_units_view)]


def round_questionnaire(
    session: SessionDep, scope: RoundView, framework: FrameworkDep
) -> Questionnaire:
    return questionnaire_for(
        session, questionnaire_id=scope.round.questionnaire_id, framework=framework
    )


RoundQuestionnaire = Annotated[Questionnaire, Depends(round_questionnaire)]

# The round's pages, in the navigation's order: key → route name.
PAGES = {
    "participation": "round_overview",
    "heatmap": "heatmap_page",
    "equity": "equity_page",
    "trend": "trend_page",
}


def round_nav(request: Request, round_id: int, current: str) -> list[dict[str, Any]]:
    """Links between the round's pages."""
    return [
        {
            "key": key,
            "url": request.app.state.path_for(name, round_id=str(round_id)),
            "current": key == current,
        }
        for key, name in PAGES.items()
    ]


def local_time(moment: datetime | None, lang: str) -> str:
    """A stored (UTC) timestamp as Swedish local time, ``2026-04-10 16:00``; '–' when None."""
    return format_datetime(moment, lang, tz=LOCAL_TZ)
