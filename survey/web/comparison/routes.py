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
from sqlmodel import Session
from starlette.responses import Response

from survey.models import id_of
from survey.questionnaire import Questionnaire
from survey.services.access import Actor
from survey.services.comparison.equity import Equity, equity, parse_scope
from survey.services.comparison.heatmap import FIXED_SORTS, HeatMap, heat_map, parse_filters
from survey.services.comparison.trend import trend
from survey.services.rounds.access import RoundScope
from survey.sheets import csv_bytes, file_stem, xlsx_bytes
from survey.web.auth import CsrfProtected, CurrentActor
from survey.web.comparison.files import (
    Table,
    equity_tables,
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
from survey.web.deps import SessionDep, TrDep, get_app_settings, get_framework, get_lang
from survey.web.i18n import N_, translate
from survey.web.labels import (
    COMPARISON_ORGANISER_TYPE,
    SCHOOL_FORMS,
    UNIT_KIND,
)
from survey.web.rendering import FileFormat, download, render
from survey.web.rounds.common import RoundQuestionnaire, RoundView, round_nav
from survey.web.scopes import ScopeNames

router = APIRouter(prefix="/rounds", dependencies=[CsrfProtected], include_in_schema=False)

# Values of a split of the equity view that have texts: value → key, per split.
VALUE_LABELS = {
    "school_form": SCHOOL_FORMS,
    "kind": UNIT_KIND,
    "organiser_type": COMPARISON_ORGANISER_TYPE,
}


def _common(request: Request) -> dict[str, Any]:
    lang = get_lang(request)
    return {
        "lang": lang,
        "k": get_app_settings(request).min_group_size,
        "k_detail": get_app_settings(request).detail_group_size,
        "framework": get_framework(request),
        "tr": lambda key, **kw: translate(key, lang, **kw),
        "names": ScopeNames(get_framework(request), lang),
    }


def _formatters(lang: str) -> dict[str, Any]:
    return {
        "num": lambda v, d=0, sign=False: fmt(v, d, lang, sign=sign),
        "pval": lambda p: fmt_p(p, lang),
        "pct": lambda s: fmt_pct(s, lang),
    }


def _url(base: str, params: dict[str, str | None]) -> str:
    query = {k: v for k, v in params.items() if v}
    return f"{base}?{urlencode(query)}" if query else base


# ---------------------------------------------------------------------------------- heat map


def _heat_map(
    request: Request, session: Session, actor: Actor, scope: RoundScope, q: Questionnaire
) -> HeatMap:
    params = request.query_params
    filters = parse_filters(
        q, form=params.get("form"), kind=params.get("kind"), tag=params.get("tag")
    )
    return heat_map(
        session,
        scope=scope,
        q=q,
        actor=actor,
        k=get_app_settings(request).min_group_size,
        k_detail=get_app_settings(request).detail_group_size,
        view=params.get("view") or "subgoal",
        filters=filters,
        sort=params.get("sort") or "name",
        direction=params.get("dir") or "asc",
    )


@router.get("/{round_id}/heatmap", name="heatmap_page")
def heatmap_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    scope: RoundView,
    q: RoundQuestionnaire,
) -> Response:
    hm = _heat_map(request, session, actor, scope, q)
    round_id = scope.round.id
    base = request.app.state.path_for("heatmap_page", round_id=str(round_id))
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
            "nav": round_nav(request, id_of(scope.round), "heatmap"),
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
            "export_links": _export_links(request, "heatmap_file", scope, query),
            "reset_link": _url(base, {"view": state.get("view")}),
            "reason_order": ["not_shared", "not_submitted", "below_k", "insufficient"],
            "sort_label": sort_label,
        },
    )


def _export_links(request: Request, route: str, scope: RoundScope, query: str) -> dict[str, str]:
    return {
        fmt.value: request.app.state.path_for(route, round_id=str(scope.round.id), fmt=fmt.value)
        + (f"?{query}" if query else "")
        for fmt in FileFormat
    }


def _tables_file(tables: list[Table], stem: str, fmt: FileFormat) -> Response:
    if fmt is FileFormat.parquet:
        return download(parquet_bytes(tables), f"{stem}.parquet")
    sheets = [t.sheet() for t in tables]
    content = xlsx_bytes(sheets) if fmt is FileFormat.xlsx else csv_bytes(sheets)
    return download(content, f"{stem}.{fmt.value}")


@router.get("/{round_id}/heatmap.{fmt}", name="heatmap_file")
def heatmap_file(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    scope: RoundView,
    q: RoundQuestionnaire,
    fmt: FileFormat,
    tr: TrDep,
) -> Response:
    hm = _heat_map(request, session, actor, scope, q)
    names = _common(request)["names"]
    stem = file_stem(scope.round.title, tr("cmp.file.heatmap"))
    return _tables_file([heat_map_table(hm, tr=tr, names=names)], stem, fmt)


# ------------------------------------------------------------------------------ equity panel


def _equity(
    request: Request, session: Session, actor: Actor, scope: RoundScope, q: Questionnaire
) -> Equity:
    params = request.query_params
    filters = parse_filters(q, form=None, kind=None, tag=params.get("tag"))
    return equity(
        session,
        scope=scope,
        q=q,
        actor=actor,
        k=get_app_settings(request).min_group_size,
        k_detail=get_app_settings(request).detail_group_size,
        group=params.get("group") or None,
        tag=filters.tag,
    )


@router.get("/{round_id}/equity", name="equity_page")
def equity_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    scope: RoundView,
    q: RoundQuestionnaire,
) -> Response:
    eq = _equity(request, session, actor, scope, q)
    round_id = scope.round.id
    common = _common(request)
    tr, lang = common["tr"], common["lang"]
    column = parse_scope(request.query_params.get("scope"), eq.columns)
    panel = eq.panels.get(column.key)
    params = {"group": request.query_params.get("group"), "tag": request.query_params.get("tag")}
    base = request.app.state.path_for("equity_page", round_id=str(round_id))
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
            "nav": round_nav(request, id_of(scope.round), "equity"),
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
            "export_links": _export_links(request, "equity_file", scope, query),
        },
    )


@router.get("/{round_id}/equity.{fmt}", name="equity_file")
def equity_file(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    scope: RoundView,
    q: RoundQuestionnaire,
    fmt: FileFormat,
    tr: TrDep,
) -> Response:
    eq = _equity(request, session, actor, scope, q)
    names = _common(request)["names"]
    stem = file_stem(scope.round.title, tr("cmp.file.equity"))
    return _tables_file(equity_tables(eq, tr=tr, names=names), stem, fmt)


# ------------------------------------------------------------------------------------- trend


@router.get("/{round_id}/trend", name="trend_page")
def trend_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    scope: RoundView,
    q: RoundQuestionnaire,
) -> Response:
    round_id = scope.round.id
    view = request.query_params.get("view") or "subgoal"
    result = trend(
        session,
        scope=scope,
        q=q,
        actor=actor,
        k=get_app_settings(request).min_group_size,
        k_detail=get_app_settings(request).detail_group_size,
        view=view,
    )
    base = request.app.state.path_for("trend_page", round_id=str(round_id))
    return render(
        request,
        "trend.html",
        {
            **_common(request),
            **_formatters(get_lang(request)),
            "t": result,
            "q": q,
            "round": scope.round,
            "nav": round_nav(request, id_of(scope.round), "trend"),
            "view_links": {v: _url(base, {"view": v}) for v in ("subgoal", "area")},
        },
    )
