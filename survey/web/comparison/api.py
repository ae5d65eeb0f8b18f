"""JSON API for a round's results and its data export:

- ``GET /api/v1/rounds/{id}/results``: ``survey analyze``'s JSON (``questionnaire``, ``units``,
  ``groups``, ``comparisons``) for the round's units the caller may see, grouped by organiser
  (``parent_id``) and compared by ``school_form``. Units left out of the analysis (not submitted,
  not shared, fewer than k respondents) are listed in ``units`` with every statistic null,
  ``"suppressed": true`` and the ``reason``; every other row has ``"suppressed": false``.
- ``GET /api/v1/rounds/{id}/export?format=zip``: ``questionnaire.yaml``, ``units.csv`` and
  ``answers.csv``; ``survey analyze`` on them (``--compare-by school_form``) gives ``/results``.

As in ``survey analyze``, ``unit_id`` and ``group`` are strings and ``round`` is the round id.
National staff see aggregates only and get 404 here, like everyone outside the round's scope.
"""

from __future__ import annotations

import io
import json
from typing import Any, Literal

import numpy as np
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from survey.models import QuestionnaireVersion
from survey.questionnaire import Questionnaire
from survey.services.access import Actor
from survey.services.audit import record
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.access import RoundScope, get_round_units_view
from survey.services.rounds.dataset import COMPARE_BY, GROUP_BY, round_export
from survey.services.rounds.results import RoundResults, round_results
from survey.stats import UNIT_FIELDS, scopes_of
from survey.web.auth import CsrfProtected, CurrentActor, client_ip
from survey.web.deps import Id, SessionDep, get_app_settings, get_framework
from survey.web.openapi import API_ERRORS

router = APIRouter(
    prefix="/api/v1", dependencies=[CsrfProtected], tags=["rounds"], responses=API_ERRORS
)


def _round(
    request: Request, session: Session, actor: Actor, round_id: Id
) -> tuple[RoundScope, Questionnaire]:
    """The round as the caller may see it (404 for national staff and outside the scope)."""
    scope = get_round_units_view(session, actor=actor, round_id=round_id)
    q = questionnaire_for(
        session,
        questionnaire_id=scope.round.questionnaire_id,
        framework=get_framework(request),
    )
    return scope, q


def suppressed_rows(results: RoundResults, q: Questionnaire) -> dict[int, list[dict[str, Any]]]:
    """Per excluded unit: one row per scope with every statistic null and the reason."""
    scopes = scopes_of(q)
    empty = dict.fromkeys(UNIT_FIELDS)
    rows = {}
    for ru in results.units:
        reason = results.excluded.get(ru.unit.id)  # type: ignore[arg-type]
        if reason is None:
            continue
        rows[ru.unit.id] = [
            {
                **empty,
                "round": results.round.id,
                "unit_id": str(ru.unit.id),
                "scope_type": scope_type,
                "scope_id": scope_id,
                "group": ru.attributes()[GROUP_BY],
                "suppressed": True,
                "reason": reason,
            }
            for scope_type, scope_id in zip(scopes.types, scopes.ids, strict=True)
        ]
    return rows  # type: ignore[return-value]


def _dumps(row: dict[str, Any]) -> bytes:
    return json.dumps(row, ensure_ascii=False, allow_nan=False).encode("utf-8")


def results_json(results: RoundResults, q: Questionnaire) -> bytes:
    """``survey analyze``'s JSON for the round: the analysed units' rows (by unit id), then the
    suppressed units' rows (by unit id). The analysed rows are encoded column-wise by the same
    Arrow encoder as ``survey analyze`` (a row-by-row ``json.dumps`` costs several times more).
    """
    import pyarrow as pa

    from survey.analysis.jsonout import json_rows, units_table

    out = io.BytesIO()
    out.write(b'{"questionnaire": ' + _dumps({"key": q.key, "version": q.version}))
    out.write(b',\n"units": [\n')
    analysis = results.analysis
    parts = 0
    if analysis is not None and analysis.n_unit_rows:
        table = units_table(analysis)
        n = table.num_rows
        columns = [table.column(name).combine_chunks() for name in UNIT_FIELDS]
        columns += [pa.array(np.zeros(n, dtype=bool)), pa.nulls(n, pa.string())]
        json_rows([*UNIT_FIELDS, "suppressed", "reason"], columns, out)
        parts += 1
    hidden = suppressed_rows(results, q)
    for unit_id in sorted(hidden):
        out.write(b",\n" if parts else b"")
        out.write(b",\n".join(_dumps(row) for row in hidden[unit_id]))
        parts += 1
    for name, rows in (
        ("groups", analysis.groups if analysis else []),
        ("comparisons", analysis.comparisons if analysis else []),
    ):
        out.write(f'\n],\n"{name}": [\n'.encode())
        out.write(b",\n".join(_dumps(row) for row in rows))
    out.write(b"\n]}\n")
    return out.getvalue()


@router.get("/rounds/{round_id}/results")
def round_results_api(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    """The round's scores and equity statistics in `survey analyze`'s JSON format (grouped by
    organiser, compared by school form); units left out are rows with null statistics,
    `"suppressed": true` and the `reason` (`not_submitted`, `not_shared`, `below_k`)."""
    scope, q = _round(request, session, actor, round_id)
    results = round_results(
        session,
        scope=scope,
        q=q,
        k=get_app_settings(request).min_group_size,
        group_by=GROUP_BY,
        compare_by=COMPARE_BY,
    )
    return Response(results_json(results, q), media_type="application/json")


@router.get(
    "/rounds/{round_id}/export",
    responses={200: {"content": {"application/zip": {}}, "description": "The zip file."}},
)
def round_export_api(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    round_id: Id,
    format: Literal["zip"] = Query(  # noqa: A002
        "zip", description="`zip`: questionnaire.yaml, units.csv, answers.csv"
    ),
) -> Response:
    """`survey analyze`'s input files for the round, zipped: run
    `survey analyze --questionnaire questionnaire.yaml --units units.csv --answers answers.csv
    --compare-by school_form` on them to get `/results`. Respondent ids are random, new for
    every export."""
    scope, q = _round(request, session, actor, round_id)
    stored = session.get(QuestionnaireVersion, scope.round.questionnaire_id)
    assert stored is not None
    export = round_export(
        session, scope=scope, stored=stored, q=q, k=get_app_settings(request).min_group_size
    )
    record(
        session,
        action="round.export",
        object_type="round",
        object_id=scope.round.id,
        user_id=actor.id,
        unit_id=scope.round.owner_unit_id,
        detail={
            "format": format,
            "units": len(export.results.included),
            "respondents": export.n_respondents,
        },
        ip=client_ip(request),
    )
    return Response(
        export.zip_bytes(),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="round-{scope.round.id}-export.zip"',
            "Cache-Control": "no-store",
        },
    )
