"""National follow-up API: releases and their aggregates (national staff and admins)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse

from survey.errors import InvalidInput
from survey.services.national.aggregates import parse_by
from survey.services.national.releases import load_release, parse_release_number, releases_of
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.access import get_national_round
from survey.web.auth import CsrfProtected, CurrentActor
from survey.web.deps import FrameworkDep, Id, SessionDep, TrDep
from survey.web.national.common import NationalRound, ReleaseNumber
from survey.web.national.reports import aggregates_file
from survey.web.openapi import API_ERRORS
from survey.web.rendering import FileFormat

router = APIRouter(
    prefix="/api/v1/national", dependencies=[CsrfProtected], tags=["national"], responses=API_ERRORS
)
SCOPE_TYPES = ("subgoal", "area", "total")


@router.get("/rounds/{round_id}/releases")
def releases(session: SessionDep, actor: CurrentActor, round_id: Id) -> list[dict[str, Any]]:
    """The round's releases, oldest first: number, kind (preliminary, final, revision), date,
    k, the second threshold ``k_detail`` and the units behind it. Aggregates exist only for
    releases; while a round collects without one, there are none."""
    round_ = get_national_round(session, actor=actor, round_id=round_id)
    return [
        {
            "number": r.number,
            "kind": r.kind,
            "created_at": r.created_at.isoformat(),
            "k": r.k,
            "k_detail": r.k_detail,
            "n_units": r.n_units,
        }
        for r in releases_of(session, round_id=round_.id)  # type: ignore[arg-type]
    ]


@router.get(
    "/rounds/{round_id}/aggregates", response_class=JSONResponse, name="national_aggregates_api"
)
def aggregates(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    round_id: Id,
    by: str = "",
    scope_type: str | None = None,
    release: str | None = None,
) -> Response:
    """Statistics of unit scores for the nation or a breakdown (``by`` = one or two of region,
    organiser_type, school_form, organiser) from a release (``release``, default the latest;
    404 while none is published). Hidden cells — fewer than k units (or respondents), or hidden
    so that no hidden cell and no group of fewer than k units can be derived from everything
    published across tables and releases — are ``null`` with ``"suppressed": true``. Cells
    below the second threshold ``k_detail`` show n, mean and shares only
    (``"detail_withheld": true``). Comparisons are withheld (``"withheld"``) where a group of
    the breakdown is hidden."""
    round_ = get_national_round(session, actor=actor, round_id=round_id)
    if scope_type is not None and scope_type not in SCOPE_TYPES:
        raise InvalidInput(
            "err.field.not_one_of",
            field="scope_type",
            value=scope_type,
            allowed=", ".join(SCOPE_TYPES),
        )
    columns = parse_by(by)
    number = parse_release_number(release)
    state = request.app.state
    q = questionnaire_for(
        session, questionnaire_id=round_.questionnaire_id, framework=state.framework
    )
    chosen = load_release(session, round_=round_, number=number)
    publication = chosen.publication

    def body() -> dict[str, Any]:
        return {
            "round": round_.id,
            "release": {
                "number": chosen.info.number,
                "kind": chosen.info.kind,
                "created_at": chosen.info.created_at.isoformat(),
            },
            "questionnaire": {"key": q.key, "version": q.version},
            "k": chosen.info.k,
            "k_detail": chosen.info.k_detail,
            "by": ",".join(columns),
            "rows": publication.select(by=columns, scope_type=scope_type),
            "comparisons": publication.select_comparisons(by=columns, scope_type=scope_type),
        }

    # Encoded once per release and breakdown: thousands of rows are not serialised again.
    content = publication.encoded(("aggregates", columns, scope_type), body)
    return Response(content, media_type="application/json")


@router.get("/rounds/{round_id}/aggregates.{fmt}")
def aggregates_as_file(
    session: SessionDep,
    round_: NationalRound,
    framework: FrameworkDep,
    fmt: FileFormat,
    tr: TrDep,
    number: ReleaseNumber,
) -> Response:
    """Every aggregate table of a release as one file, the format the path's extension:
    ``csv`` (UTF-8 with BOM; column ``by`` names the breakdown; a suppressed statistic is "–"),
    ``xlsx`` (a method sheet — definitions, coverage, the suppression rule with k and the
    marker "–" —, one sheet per breakdown, the comparisons) or ``parquet`` (typed columns; a
    suppressed statistic is null and ``suppressed`` is true)."""
    return aggregates_file(session, round_, framework, fmt, tr, number)
