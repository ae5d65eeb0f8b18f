"""National follow-up pages (issue 8) under ``/national``: the national rounds, creating one,
a round's aggregates by breakdown with charts, the trends, a printable report, and the
publication files (also under ``/api/v1/national/rounds/{id}/aggregates.{csv,xlsx,parquet}``:
the format is the path's extension).

National staff and admins only, and national rounds only: 404 for everyone and everything else.
Every number comes from the round's publication (``publication_for``), suppression applied; the
pages never compute or hide anything themselves.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from survey.errors import InvalidInput, NotFound
from survey.models import SCHOOL_FORMS, Round
from survey.services.access import Actor
from survey.services.comparison import ScopeColumn, scope_columns
from survey.services.national import parse_by
from survey.services.national_files import (
    MARKER,
    breakdown_title,
    group_names,
    publication_file,
    round_publication,
)
from survey.services.national_rounds import (
    TARGET_KINDS,
    Issue,
    RoundInputError,
    can_create_national_round,
    create_national_round,
    national_rounds,
    parse_national_round_request,
    round_counts,
)
from survey.services.national_text import (
    SCOPE_TYPES,
    breakdown_options,
    equity_sentences,
    formatters,
    group_rows,
    scope_rows,
    targets_in_words,
)
from survey.services.national_trends import national_trends
from survey.services.round_access import get_round_for
from survey.web.auth import CsrfProtected, CurrentActor, client_ip
from survey.web.deps import FormDep, SessionDep, get_lang
from survey.web.i18n import translate
from survey.web.rendering import render

router = APIRouter(prefix="/national", dependencies=[CsrfProtected], include_in_schema=False)
api_router = APIRouter(prefix="/api/v1/national", dependencies=[CsrfProtected], tags=["national"])
FORMATS = ("csv", "xlsx", "parquet")
try:
    LOCAL_TZ: Any = ZoneInfo("Europe/Stockholm")
except ZoneInfoNotFoundError:  # a system without time zone data: UTC
    LOCAL_TZ = UTC


def _today() -> date:
    return datetime.now(LOCAL_TZ).date()


def _require_national(actor: Actor) -> None:
    if not can_create_national_round(actor):
        raise NotFound("Sidan finns inte.")


def _national_round(session: SessionDep, actor: Actor, round_id: int) -> Round:
    _require_national(actor)
    scope = get_round_for(session, actor=actor, round_id=round_id)
    if scope.round.kind != "national":
        raise NotFound("Omgången finns inte.")
    return scope.round


def _common(request: Request) -> dict[str, Any]:
    lang = get_lang(request)
    return {
        "lang": lang,
        "k": request.app.state.settings.min_group_size,
        "marker": MARKER,
        "tr": lambda key, **kw: translate(key, lang, **kw),
        **formatters(lang),
    }


def _scope_type(raw: str) -> str:
    if raw not in SCOPE_TYPES:
        raise InvalidInput(f"scope: '{raw}' is not one of {', '.join(SCOPE_TYPES)}")
    return raw


def _nav(round_id: int, current: str) -> list[dict[str, Any]]:
    pages = (("round", ""), ("trends", "/trends"), ("report", "/report"))
    return [
        {"key": key, "url": f"/national/rounds/{round_id}{suffix}", "current": key == current}
        for key, suffix in pages
    ]


# --------------------------------------------------------------------------------- list, new


@router.get("", name="national_list")
def national_list(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    _require_national(actor)
    rounds = national_rounds(session)
    common = _common(request)
    return render(
        request,
        "national_list.html",
        {
            **common,
            "rounds": rounds,
            "counts": round_counts(session, round_ids=[r.id for r in rounds]),  # type: ignore[misc]
            "targets": {r.id: targets_in_words(r, common["tr"]) for r in rounds},
            "can_create": can_create_national_round(actor),
        },
    )


def _form_page(
    request: Request,
    *,
    values: dict[str, Any],
    issues: list[Issue] | None = None,
    status_code: int = 200,
) -> Response:
    lang = get_lang(request)
    issue_list = [
        {
            "field": i.field,
            "label": translate(f"nat.field.{i.field}", lang),
            "text": translate(f"nat.err.{i.key}", lang, **_issue_values(i.values, lang)),
        }
        for i in issues or []
    ]
    questionnaires = sorted(
        request.app.state.questionnaires.values(), key=lambda q: (q.title.get(lang), q.version)
    )
    return render(
        request,
        "national_new.html",
        {
            **_common(request),
            "questionnaires": questionnaires,
            "kinds": TARGET_KINDS,
            "school_forms": SCHOOL_FORMS,
            "values": values,
            "issues": issue_list,
            "invalid": {i["field"] for i in issue_list},
            "today": _today(),
        },
        status_code=status_code,
    )


def _issue_values(values: dict[str, Any], lang: str) -> dict[str, Any]:
    shown = dict(values)
    for key in ("kinds", "for"):
        if key in shown:
            shown[key] = ", ".join(translate(f"nat.kinds.{k}", lang) for k in shown[key])
    return shown


@router.get("/rounds/new", name="national_new_round")
def new_national_round(request: Request, actor: CurrentActor) -> Response:
    _require_national(actor)
    return _form_page(request, values={"kinds": [], "school_forms": []})


@router.post("/rounds", name="national_create_round")
def create_national_round_action(
    request: Request, session: SessionDep, form: FormDep, actor: CurrentActor
) -> Response:
    _require_national(actor)
    single = {k: v for k, v in form.items() if isinstance(v, str)}
    lists = {
        name: [v for v in form.getlist(name) if isinstance(v, str)]
        for name in ("kinds", "school_forms")
    }
    req = parse_national_round_request(single, lists)
    try:
        round_ = create_national_round(
            session,
            actor=actor,
            req=req,
            questionnaires=request.app.state.questionnaires,
            today=_today(),
            ip=client_ip(request),
        )
    except RoundInputError as exc:
        session.rollback()
        return _form_page(request, values={**single, **lists}, issues=exc.issues, status_code=422)
    return RedirectResponse(f"/national/rounds/{round_.id}?created=1", status_code=303)


# --------------------------------------------------------------------------------- one round


def _columns(request: Request, q: Any, scope_type: str) -> list[ScopeColumn]:
    all_columns = scope_columns(q, request.app.state.framework, get_lang(request))
    return [c for c in all_columns if c.scope_type == scope_type]


@router.get("/rounds/{round_id}", name="national_round")
def national_round(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    round_id: int,
    by: str = "",
    scope: str = "subgoal",
) -> Response:
    round_ = _national_round(session, actor, round_id)
    columns_by, scope_type = parse_by(by), _scope_type(scope)
    common = _common(request)
    tr, lang = common["tr"], common["lang"]
    q, pub = round_publication(
        session, round_=round_, framework=request.app.state.framework, k=common["k"]
    )
    names = group_names(session, pub.rows)
    columns = _columns(request, q, scope_type)
    nation = {(r["scope_type"], r["scope_id"]): r for r in pub.select(by=())}
    rows = pub.select(by=columns_by, scope_type=scope_type)
    comparisons = {
        (c["scope_type"], c["scope_id"]): c
        for c in pub.select_comparisons(by=columns_by, scope_type=scope_type)
    }
    if columns_by:
        sections = [
            {
                "column": c,
                "rows": group_rows([r for r in rows if r["scope_id"] == c.scope_id], names, tr),
                "reference": nation.get((c.scope_type, c.scope_id)),
                "equity": equity_sentences(
                    comparisons.get((c.scope_type, c.scope_id)), columns_by, tr, lang
                ),
            }
            for c in columns
        ]
    else:
        sections = [{"column": None, "rows": scope_rows(rows, columns), "reference": None,
                     "equity": []}]  # fmt: skip
    return render(
        request,
        "national_round.html",
        {
            **common,
            "round": round_,
            "q": q,
            "nav": _nav(round_id, "round"),
            "options": breakdown_options(tr),
            "by": ",".join(columns_by),
            "by_title": breakdown_title(columns_by, tr),
            "scope_type": scope_type,
            "sections": sections,
            "total": nation.get(("total", "total")),
            "targets": targets_in_words(round_, tr),
            "created": request.query_params.get("created") == "1",
            "downloads": {f: f"/national/rounds/{round_id}/aggregates.{f}" for f in FORMATS},
            "api": f"/api/v1/national/rounds/{round_id}/aggregates",
        },
    )


@router.get("/rounds/{round_id}/trends", name="national_trends")
def national_trends_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    round_id: int,
    by: str = "",
    scope: str = "total",
) -> Response:
    round_ = _national_round(session, actor, round_id)
    columns_by, scope_type = parse_by(by), _scope_type(scope)
    common = _common(request)
    tr = common["tr"]
    trends = national_trends(
        session,
        round_=round_,
        framework=request.app.state.framework,
        by=columns_by,
        k=common["k"],
    )
    names = group_names(session, [r for p in trends.publications for r in p.rows])
    paired = trends.paired.select(scope_type) if trends.paired else []
    sections = []
    side = trends.side_by_side(scope_type)
    for c in _columns(request, trends.q, scope_type):
        groups = side.get((c.scope_type, c.scope_id), {})
        cross = sorted(
            (
                (names.label(dict(zip(columns_by, g, strict=True)), tr), cells)
                for g, cells in groups.items()
            ),
            key=lambda item: item[0].casefold(),
        )
        pairs = group_rows([r for r in paired if r["scope_id"] == c.scope_id], names, tr)
        sections.append({"column": c, "cross": cross, "paired": pairs})
    return render(
        request,
        "national_trends.html",
        {
            **common,
            "round": round_,
            "t": trends,
            "q": trends.q,
            "nav": _nav(round_id, "trends"),
            "options": breakdown_options(tr),
            "by": ",".join(columns_by),
            "by_title": breakdown_title(columns_by, tr),
            "scope_type": scope_type,
            "sections": sections,
        },
    )


@router.get("/rounds/{round_id}/report", name="national_report")
def national_report(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: int, by: str = "region"
) -> Response:
    round_ = _national_round(session, actor, round_id)
    columns_by = parse_by(by) or ("region",)
    common = _common(request)
    tr, lang = common["tr"], common["lang"]
    q, pub = round_publication(
        session, round_=round_, framework=request.app.state.framework, k=common["k"]
    )
    names = group_names(session, pub.rows)
    all_columns = scope_columns(q, request.app.state.framework, lang)
    nation = scope_rows(pub.select(by=()), all_columns)
    equity = [
        (
            breakdown_title((d,), tr),
            equity_sentences(
                next(iter(pub.select_comparisons(by=(d,), scope_type="total")), None),
                (d,),
                tr,
                lang,
            ),
        )
        for d in ("region", "organiser_type", "school_form", "organiser")
    ]
    return render(
        request,
        "national_report.html",
        {
            **common,
            "round": round_,
            "q": q,
            "nav": _nav(round_id, "report"),
            "nation": nation,
            "total": next((v.row for v in nation if v.row["scope_type"] == "total"), None),
            "options": breakdown_options(tr),
            "by": ",".join(columns_by),
            "by_title": breakdown_title(columns_by, tr),
            "groups": group_rows(pub.select(by=columns_by, scope_type="total"), names, tr),
            "equity": equity,
            "targets": targets_in_words(round_, tr),
            "today": _today(),
        },
    )


# --------------------------------------------------------------------------------- files


def _file(request: Request, session: SessionDep, actor: Actor, round_id: int, fmt: str) -> Response:
    round_ = _national_round(session, actor, round_id)
    lang = get_lang(request)
    out = publication_file(
        session,
        round_=round_,
        framework=request.app.state.framework,
        k=request.app.state.settings.min_group_size,
        fmt=fmt,
        tr=lambda key, **kw: translate(key, lang, **kw),
        lang=lang,
    )
    return Response(
        out.content,
        media_type=out.media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{out.filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/rounds/{round_id}/aggregates.csv", name="national_csv")
def aggregates_csv(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: int
) -> Response:
    return _file(request, session, actor, round_id, "csv")


@router.get("/rounds/{round_id}/aggregates.xlsx", name="national_xlsx")
def aggregates_xlsx(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: int
) -> Response:
    return _file(request, session, actor, round_id, "xlsx")


@router.get("/rounds/{round_id}/aggregates.parquet", name="national_parquet")
def aggregates_parquet(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: int
) -> Response:
    return _file(request, session, actor, round_id, "parquet")


@api_router.get("/rounds/{round_id}/aggregates.csv")
def api_aggregates_csv(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: int
) -> Response:
    """Every aggregate table of the round as one CSV (UTF-8 with BOM; column ``by`` names the
    breakdown; a suppressed statistic is "–"). The format is the path's extension."""
    return _file(request, session, actor, round_id, "csv")


@api_router.get("/rounds/{round_id}/aggregates.xlsx")
def api_aggregates_xlsx(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: int
) -> Response:
    """Every aggregate table of the round as XLSX: a method sheet (definitions, coverage, the
    suppression rule with k and the marker "–"), one sheet per breakdown, the comparisons."""
    return _file(request, session, actor, round_id, "xlsx")


@api_router.get("/rounds/{round_id}/aggregates.parquet")
def api_aggregates_parquet(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: int
) -> Response:
    """Every aggregate table of the round as Parquet (typed columns; a suppressed statistic is
    null and ``suppressed`` is true)."""
    return _file(request, session, actor, round_id, "parquet")
