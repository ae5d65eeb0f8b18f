"""JSON API for the rounds list and a round's participation.

The same session and scope checks as the pages: ``/rounds`` lists what the caller may see (empty
for principals); ``/rounds/{id}/participation`` shows single units, so it answers 404 for national
staff and for strategists of other organisers, and lists only the caller's units of the round.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from sqlmodel import col, select

from survey.models import QuestionnaireVersion
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.access import get_round_units_view, visible_rounds
from survey.services.rounds.participation import participation
from survey.web.auth import CsrfProtected, CurrentActor
from survey.web.deps import Id, SessionDep
from survey.web.openapi import API_ERRORS

router = APIRouter(
    prefix="/api/v1", dependencies=[CsrfProtected], tags=["rounds"], responses=API_ERRORS
)


class QuestionnaireRef(BaseModel):
    key: str
    version: str


class RoundOut(BaseModel):
    id: int
    title: str
    kind: Literal["organiser", "national"]
    owner_unit_id: int
    questionnaire: QuestionnaireRef
    opens: date
    closes: date
    state: Literal["planned", "open", "closed"]


class ParticipationRow(BaseModel):
    unit_id: int
    name: str
    state: Literal["not_started", "draft", "submitted", "reopened"] = Field(
        description="Individual questionnaires: not_started until links exist, then draft."
    )
    progress: int | None = Field(
        description="Percent: statements answered (unit-level) or links with submitted answers "
        "(individual; null without links)."
    )
    n_respondents: int | None = Field(
        description="Submitted respondents (individual questionnaires only; compare with k)."
    )
    updated_at: datetime | None = Field(description="Last change (UTC); null while not started.")


@router.get("/rounds", response_model=list[RoundOut])
def list_rounds(session: SessionDep, actor: CurrentActor) -> list[RoundOut]:
    """The rounds the caller may see, newest first."""
    rounds = visible_rounds(session, actor=actor)
    versions = {
        v.id: v
        for v in session.exec(
            select(QuestionnaireVersion).where(
                col(QuestionnaireVersion.id).in_({r.questionnaire_id for r in rounds})
            )
        )
    }
    return [
        RoundOut(
            id=r.id,  # type: ignore[arg-type]
            title=r.title,
            kind=r.kind,  # type: ignore[arg-type]
            owner_unit_id=r.owner_unit_id,
            questionnaire=QuestionnaireRef(
                key=versions[r.questionnaire_id].key, version=versions[r.questionnaire_id].version
            ),
            opens=r.opens,
            closes=r.closes,
            state=r.state,  # type: ignore[arg-type]
        )
        for r in rounds
    ]


@router.get("/rounds/{round_id}/participation", response_model=list[ParticipationRow])
def round_participation(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> list[ParticipationRow]:
    """One row per unit of the round the caller sees, by unit name."""
    scope = get_round_units_view(session, actor=actor, round_id=round_id)
    state = request.app.state
    q = questionnaire_for(
        session, questionnaire_id=scope.round.questionnaire_id, framework=state.framework
    )
    part = participation(session, scope=scope, q=q, k=state.settings.min_group_size)
    return [
        ParticipationRow(
            unit_id=r.unit.id,  # type: ignore[arg-type]
            name=r.unit.name,
            state=r.state,  # type: ignore[arg-type]
            progress=r.progress,
            n_respondents=r.n_respondents,
            updated_at=r.updated_at,
        )
        for r in part.rows
    ]
