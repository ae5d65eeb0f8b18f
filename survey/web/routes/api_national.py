"""National follow-up API: aggregates with disclosure control (national staff and admins)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from survey.errors import InvalidInput, NotFound
from survey.services.national import parse_by, publication_for
from survey.services.questionnaires import questionnaire_for
from survey.services.round_access import RoundScope, get_round_for
from survey.web.auth import CsrfProtected, CurrentActor
from survey.web.deps import SessionDep

router = APIRouter(prefix="/api/v1/national", dependencies=[CsrfProtected], tags=["national"])
SCOPE_TYPES = ("subgoal", "area", "total")


@router.get("/rounds/{round_id}/aggregates", response_class=JSONResponse)
def aggregates(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    round_id: int,
    by: str = "",
    scope_type: str | None = None,
) -> Response:
    """Statistics of unit scores for the nation or a breakdown (``by`` = one or two of region,
    organiser_type, school_form, organiser). Cells built from fewer than k units (or, for
    individual questionnaires, respondents) are ``null`` with ``"suppressed": true``, and so are
    the cells hidden to stop a hidden value being recovered by subtraction."""
    if not (actor.is_admin or actor.has("national")):
        raise NotFound("Omgången finns inte.")
    scope = get_round_for(session, actor=actor, round_id=round_id)
    if scope.round.kind != "national":
        raise NotFound("Omgången finns inte.")
    if scope_type is not None and scope_type not in SCOPE_TYPES:
        raise InvalidInput(f"scope_type: '{scope_type}' is not one of {', '.join(SCOPE_TYPES)}")
    columns = parse_by(by)
    state = request.app.state
    q = questionnaire_for(
        session, questionnaire_id=scope.round.questionnaire_id, framework=state.framework
    )
    owner_scope = RoundScope(scope.round, scope.owner, None, False, False)
    publication = publication_for(
        session, round_=scope.round, owner_scope=owner_scope, q=q, k=state.settings.min_group_size
    )

    def body() -> dict[str, Any]:
        return {
            "round": scope.round.id,
            "questionnaire": {"key": q.key, "version": q.version},
            "k": publication.k,
            "by": ",".join(columns),
            "rows": publication.select(by=columns, scope_type=scope_type),
            "comparisons": publication.select_comparisons(by=columns, scope_type=scope_type),
        }

    # Encoded once per publication and breakdown: thousands of rows are not serialised again.
    content = publication.encoded(("aggregates", q.key, q.version, columns, scope_type), body)
    return Response(content, media_type="application/json")
