"""The organiser's comparison of a round: heat map, equity panel, trend, and their exports.

These pages show single units, so they go through ``get_round_units_view`` (404 for national
staff, and for rounds outside a strategist's organiser). Every number comes from the statistics
engine through the comparison services.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response
from starlette.routing import NoMatchFound

from survey.questionnaire import Questionnaire
from survey.services.comparison.equity import Equity, equity, parse_scope
from survey.services.comparison.heatmap import FIXED_SORTS, HeatMap, heat_map, parse_filters
from survey.services.comparison.trend import trend
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.access import RoundScope, get_round_units_view
from survey.sheets import csv_bytes, xlsx_bytes
from survey.web.auth import CsrfProtected, CurrentActor
from survey.web.comparison.files import (
    Table,
    equity_tables,
    export_name,
    heat_map_table,
    parquet_bytes,
)
from survey.web.comparison.present import (
    fmt,
    fmt_p,
    fmt_pct,
    icc_sentence,
    missing_messages,
    note_sentence,
)
from survey.web.deps import Id, SessionDep, get_lang
from survey.web.i18n import N_, translate
from survey.web.labels import (
    COMPARISON_KIND,
    COMPARISON_ORGANISER_TYPE,
    COMPARISON_SCHOOL_FORM,
)
from survey.web.rendering import render
from survey.web.scopes import ScopeNames

router = APIRouter(prefix="/rounds", dependencies=[CsrfProtected], include_in_schema=False)

MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
}
PAGES = ("heatmap", "equity", "trend")
# The round's participation page (built elsewhere), linked from the navigation when it exists.
PARTICIPATION = "round_overview"
# Values of a split of the equity view that have texts: value → key, per split.
VALUE_LABELS = {
    "school_form": COMPARISON_SCHOOL_FORM,
    "kind": COMPARISON_KIND,
    "organiser_type": COMPARISON_ORGANISER_TYPE,
}


def _load(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> tuple[RoundScope, Questionnaire]:
    scope = get_round_units_view(session, actor=actor, round_id=round_id)
    q = questionnaire_for(
        session,
        questionnaire_id=scope.round.questionnaire_id,
        framework=request.app.state.framework,
    )
    return scope, q


def _common(request: Request) -> dict[str, Any]:
    lang = get_lang(request)
    return {
        "lang": lang,
        "k": request.app.state.settings.min_group_size,
        "k_detail": request.app.state.settings.detail_group_size,
        "framework": request.app.state.framework,
        "tr": lambda key, **kw: translate(key, lang, **kw),
        "names": ScopeNames(request.app.state.framework, lang),
    }


def _formatters(lang: str) -> dict[str, Any]:
    return {
        "num": lambda v, d=0, sign=False: fmt(v, d, lang, sign=sign),
        "pval": lambda p: fmt_p(p, lang),
        "pct": lambda s: fmt_pct(s, lang),
    }


def round_nav(request: Request, round_id: Id, current: str) -> list[dict[str, Any]]:
    """Links between the round's pages (participation only once that page exists)."""
    links = []
    try:
        url = request.app.url_path_for(PARTICIPATION, round_id=str(round_id))
        links.append({"key": "participation", "url": url})
    except NoMatchFound:
        pass
    for key in PAGES:
        links.append({"key": key, "url": f"/rounds/{round_id}/{key}"})
    return [{**link, "current": link["key"] == current} for link in links]


def _url(base: str, params: dict[str, str | None]) -> str:
    query = {k: v for k, v in params.items() if v}
    return f"{base}?{urlencode(query)}" if query else base


# ---------------------------------------------------------------------------------- heat map


def _heat_map(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> tuple[HeatMap, Questionnaire]:
    scope, q = _load(request, session, actor, round_id)
    params = request.query_params
    filters = parse_filters(
        q, form=params.get("form"), kind=params.get("kind"), tag=params.get("tag")
    )
    hm = heat_map(
        session,
        scope=scope,
        q=q,
        actor=actor,
        k=request.app.state.settings.min_group_size,
        k_detail=request.app.state.settings.detail_group_size,
        view=params.get("view") or "subgoal",
        filters=filters,
        sort=params.get("sort") or "name",
        direction=params.get("dir") or "asc",
    )
    return hm, q


@router.get("/{round_id}/heatmap")
def heatmap_page(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    hm, q = _heat_map(request, session, actor, round_id)
    base = f"/rounds/{round_id}/heatmap"
    state = {"view": hm.view, **hm.filters.query(), "sort": hm.sort, "dir": hm.direction}
    defaults = (("view", "subgoal"), ("sort", "name"), ("dir", "asc"))
    state = {k: v for k, v in state.items() if (k, v) not in defaults}

    def link(**changes: str | None) -> str:
        return _url(base, {**state, **changes})

    def sort_link(key: str) -> str:
        flip = hm.sort == key and hm.direction == "asc"
        return link(sort=key, dir="desc" if flip else None)

    keep_sort = hm.sort if hm.sort in FIXED_SORTS and hm.sort != "name" else None
    common = _common(request)
    tr = common["tr"]
    fixed = {
        "name": N_("cmp.col.unit"),
        "form": N_("cmp.col.school_form"),
        "n": N_("cmp.col.n_respondents"),
    }
    sort_label = (
        tr(fixed[hm.sort])
        if hm.sort in fixed
        else next(common["names"].label(c) for c in hm.columns if c.key == hm.sort)
    )
    query = urlencode({k: v for k, v in state.items()})
    return render(
        request,
        "heatmap.html",
        {
            **_common(request),
            **_formatters(get_lang(request)),
            "hm": hm,
            "q": q,
            "round": hm.results.round,
            "nav": round_nav(request, round_id, "heatmap"),
            "link": link,
            "sort_link": sort_link,
            "view_links": {
                v: _url(
                    base,
                    {
                        **state,
                        "view": v if v != "subgoal" else None,
                        "sort": keep_sort,
                        "dir": state.get("dir") if keep_sort else None,
                    },
                )
                for v in ("subgoal", "area")
            },
            "export_links": {
                ext: f"/rounds/{round_id}/heatmap.{ext}" + (f"?{query}" if query else "")
                for ext in ("csv", "xlsx", "parquet")
            },
            "reset_link": _url(base, {"view": state.get("view")}),
            "reason_order": ["not_shared", "not_submitted", "below_k", "insufficient"],
            "sort_label": sort_label,
        },
    )


def _download(content: bytes, filename: str, ext: str) -> Response:
    return Response(
        content,
        media_type=MEDIA[ext],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}.{ext}"',
            "Cache-Control": "no-store",
        },
    )


def _tables_response(tables: list[Table], filename: str, ext: str) -> Response:
    if ext == "parquet":
        return _download(parquet_bytes(tables), filename, ext)
    sheets = [t.sheet() for t in tables]
    return _download(xlsx_bytes(sheets) if ext == "xlsx" else csv_bytes(sheets), filename, ext)


def _heat_map_export(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id, ext: str
) -> Response:
    hm, _ = _heat_map(request, session, actor, round_id)
    common = _common(request)
    name = export_name(hm.results.round, translate("cmp.file.heatmap", common["lang"]))
    tables = [heat_map_table(hm, tr=common["tr"], names=common["names"])]
    return _tables_response(tables, name, ext)


@router.get("/{round_id}/heatmap.csv")
def heatmap_csv(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    return _heat_map_export(request, session, actor, round_id, "csv")


@router.get("/{round_id}/heatmap.xlsx")
def heatmap_xlsx(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    return _heat_map_export(request, session, actor, round_id, "xlsx")


@router.get("/{round_id}/heatmap.parquet")
def heatmap_parquet(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    return _heat_map_export(request, session, actor, round_id, "parquet")


# ------------------------------------------------------------------------------ equity panel


def _equity(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> tuple[Equity, Questionnaire]:
    scope, q = _load(request, session, actor, round_id)
    params = request.query_params
    filters = parse_filters(q, form=None, kind=None, tag=params.get("tag"))
    eq = equity(
        session,
        scope=scope,
        q=q,
        actor=actor,
        k=request.app.state.settings.min_group_size,
        k_detail=request.app.state.settings.detail_group_size,
        group=params.get("group") or None,
        tag=filters.tag,
    )
    return eq, q


@router.get("/{round_id}/equity")
def equity_page(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    eq, q = _equity(request, session, actor, round_id)
    common = _common(request)
    tr, lang = common["tr"], common["lang"]
    column = parse_scope(request.query_params.get("scope"), eq.columns)
    panel = eq.panels.get(column.key)
    params = {"group": request.query_params.get("group"), "tag": request.query_params.get("tag")}
    base = f"/rounds/{round_id}/equity"
    query = urlencode({k: v for k, v in params.items() if v})
    regions = {ru.region.county_code: ru.region.name for ru in eq.results.units if ru.region}

    def value_label(by: str, value: str) -> str:
        if by in VALUE_LABELS:
            key = VALUE_LABELS[by].get(value)
            return tr(key) if key else value
        if by == "parent_id":
            return eq.results.group_names.get(value, value)
        return regions.get(value, value)

    return render(
        request,
        "equity.html",
        {
            **common,
            **_formatters(lang),
            "eq": eq,
            "q": q,
            "round": eq.results.round,
            "nav": round_nav(request, round_id, "equity"),
            "column": column,
            "panel": panel,
            "params": {k: v for k, v in params.items() if v},
            "scope_link": lambda c: _url(base, {"scope": f"{c.scope_type}:{c.scope_id}", **params}),
            "sentences": [(n, note_sentence(n, panel, tr, common["names"])) for n in panel.notes]
            if panel
            else [],
            "icc_text": icc_sentence(panel, tr, lang) if panel else None,
            "missing": missing_messages(panel, individual=q.is_individual, tr=tr) if panel else [],
            "value_label": value_label,
            "excluded": Counter(eq.results.raw.excluded.values()),
            "export_links": {
                ext: f"/rounds/{round_id}/equity.{ext}" + (f"?{query}" if query else "")
                for ext in ("csv", "xlsx", "parquet")
            },
        },
    )


def _equity_export(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id, ext: str
) -> Response:
    eq, _ = _equity(request, session, actor, round_id)
    common = _common(request)
    tables = equity_tables(eq, tr=common["tr"], names=common["names"])
    name = export_name(eq.results.round, translate("cmp.file.equity", common["lang"]))
    return _tables_response(tables, name, ext)


@router.get("/{round_id}/equity.csv")
def equity_csv(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    return _equity_export(request, session, actor, round_id, "csv")


@router.get("/{round_id}/equity.xlsx")
def equity_xlsx(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    return _equity_export(request, session, actor, round_id, "xlsx")


@router.get("/{round_id}/equity.parquet")
def equity_parquet(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    return _equity_export(request, session, actor, round_id, "parquet")


# ------------------------------------------------------------------------------------- trend


@router.get("/{round_id}/trend")
def trend_page(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    scope, q = _load(request, session, actor, round_id)
    view = request.query_params.get("view") or "subgoal"
    result = trend(
        session,
        scope=scope,
        q=q,
        actor=actor,
        k=request.app.state.settings.min_group_size,
        k_detail=request.app.state.settings.detail_group_size,
        view=view,
    )
    base = f"/rounds/{round_id}/trend"
    return render(
        request,
        "trend.html",
        {
            **_common(request),
            **_formatters(get_lang(request)),
            "t": result,
            "q": q,
            "round": scope.round,
            "nav": round_nav(request, round_id, "trend"),
            "view_links": {v: _url(base, {"view": v}) for v in ("subgoal", "area")},
        },
    )
