"""National follow-up pages (issue 8) under ``/national``: the national rounds, creating one,
a round's aggregates by breakdown with charts, the trends, a printable report, and the
publication files (also under ``/api/v1/national/rounds/{id}/aggregates.{csv,xlsx,parquet}``:
the format is the path's extension).

National staff and admins only, and national rounds only: 404 for everyone and everything else.
Every number comes from a release of the round (``load_release``), suppression applied; the
pages never compute or hide anything themselves.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from survey.clock import local_today
from survey.errors import Conflict, InvalidInput, NotFound
from survey.models import SCHOOL_FORMS, Round, Unit
from survey.services.access import Actor
from survey.services.comparison.heatmap import ScopeColumn, scope_columns
from survey.services.national.aggregates import parse_by, participation_table
from survey.services.national.publishing import create_release, next_kind
from survey.services.national.releases import parse_release_number, releases_of, round_release
from survey.services.national.rounds import (
    TARGET_KINDS,
    can_create_national_round,
    create_national_round,
    national_rounds,
    parse_national_round_request,
    round_counts,
)
from survey.services.national.trends import national_trends
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.access import can_manage_round, get_national_round
from survey.services.rounds.requests import Issue, RoundInputError
from survey.web.auth import CsrfProtected, CurrentActor, client_ip
from survey.web.deps import FormDep, Id, SessionDep, get_lang
from survey.web.errors import error_text
from survey.web.i18n import N_, translate
from survey.web.labels import NATIONAL_KINDS
from survey.web.national.files import (
    MARKER,
    breakdown_title,
    group_names,
    publication_file,
)
from survey.web.national.present import (
    SCOPE_TYPES,
    breakdown_options,
    equity_sentences,
    formatters,
    group_rows,
    scope_rows,
    targets_in_words,
)
from survey.web.openapi import API_ERRORS
from survey.web.rendering import render
from survey.web.scopes import ScopeNames

router = APIRouter(prefix="/national", dependencies=[CsrfProtected], include_in_schema=False)
api_router = APIRouter(
    prefix="/api/v1/national", dependencies=[CsrfProtected], tags=["national"], responses=API_ERRORS
)
FORMATS = ("csv", "xlsx", "parquet")


def _require_national(actor: Actor) -> None:
    if not can_create_national_round(actor):
        raise NotFound("err.page_not_found")


def _national_round(session: SessionDep, actor: Actor, round_id: Id) -> Round:
    _require_national(actor)
    return get_national_round(session, actor=actor, round_id=round_id)


def _releases(session: SessionDep, actor: Actor, round_: Round, current: int | None,
              page: str, lang: str) -> dict[str, Any]:  # fmt: skip
    """What the release bar shows: the releases (links), the current one, and whether the actor
    may publish the next (and which kind it would be, or why not)."""
    found = releases_of(session, round_id=round_.id)  # type: ignore[arg-type]
    owner = session.get(Unit, round_.owner_unit_id)
    can_publish = owner is not None and can_manage_round(actor, round_, owner)
    kind, blocked = None, None
    if can_publish:
        try:
            kind = next_kind(round_, found)
        except Conflict as exc:  # the reason is shown beside the (absent) button
            blocked = error_text(exc, lang)
    suffix = {"round": "", "trends": "/trends", "report": "/report"}[page]
    return {
        "releases": [
            {
                "number": r.number,
                "kind": r.kind,
                "date": r.created_at,
                "n_units": r.n_units,
                "url": f"/national/rounds/{round_.id}{suffix}?release={r.number}",
                "current": r.number == current,
            }
            for r in found
        ],
        "can_publish": can_publish,
        "next_kind": kind,
        "blocked": blocked,
        "publish_url": f"/national/rounds/{round_.id}/releases",
    }


def _common(request: Request) -> dict[str, Any]:
    lang = get_lang(request)
    return {
        "lang": lang,
        "k": request.app.state.settings.min_group_size,
        "marker": MARKER,
        "tr": lambda key, **kw: translate(key, lang, **kw),
        "names": ScopeNames(request.app.state.framework, lang),
        **formatters(lang),
    }


def _scope_type(raw: str) -> str:
    if raw not in SCOPE_TYPES:
        raise InvalidInput(
            "err.field.not_one_of", field="scope", value=raw, allowed=", ".join(SCOPE_TYPES)
        )
    return raw


def _nav(round_id: Id, current: str, release: int | None) -> list[dict[str, Any]]:
    pages = (("round", ""), ("trends", "/trends"), ("report", "/report"))
    query = f"?release={release}" if release else ""
    return [
        {
            "key": key,
            "url": f"/national/rounds/{round_id}{suffix}{query}",
            "current": key == current,
        }
        for key, suffix in pages
        if release or key == "round"
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
            "targets": {r.id: targets_in_words(r, common["tr"], common["lang"]) for r in rounds},
            "can_create": can_create_national_round(actor),
        },
    )


# The texts of the form's fields and problems (Issue.field, Issue.key).
FIELDS = {
    "questionnaire": N_("nat.field.questionnaire"),
    "title": N_("nat.field.title"),
    "opens": N_("nat.field.opens"),
    "closes": N_("nat.field.closes"),
    "kinds": N_("nat.field.kinds"),
    "school_forms": N_("nat.field.school_forms"),
}
ISSUES = {
    "date_missing": N_("nat.err.date_missing"),
    "date_invalid": N_("nat.err.date_invalid"),
    "kinds_invalid": N_("nat.err.kinds_invalid"),
    "school_forms_invalid": N_("nat.err.school_forms_invalid"),
    "questionnaire_invalid": N_("nat.err.questionnaire_invalid"),
    "title_missing": N_("nat.err.title_missing"),
    "title_long": N_("nat.err.title_long"),
    "closes_before_opens": N_("nat.err.closes_before_opens"),
    "closes_past": N_("nat.err.closes_past"),
    "kind_not_target": N_("nat.err.kind_not_target"),
    "none_match": N_("nat.err.none_match"),
}


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
            "label": translate(FIELDS[i.field], lang),
            "text": translate(ISSUES[i.key], lang, **_issue_values(i.values, lang)),
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
            "today": local_today(),
        },
        status_code=status_code,
    )


def _issue_values(values: dict[str, Any], lang: str) -> dict[str, Any]:
    shown = dict(values)
    for key in ("kinds", "for"):
        if key in shown:
            shown[key] = ", ".join(translate(NATIONAL_KINDS[k], lang) for k in shown[key])
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
            today=local_today(),
            ip=client_ip(request),
        )
    except RoundInputError as exc:
        session.rollback()
        return _form_page(request, values={**single, **lists}, issues=exc.issues, status_code=422)
    return RedirectResponse(f"/national/rounds/{round_.id}?created=1", status_code=303)


# --------------------------------------------------------------------------------- one round


def _columns(request: Request, q: Any, scope_type: str) -> list[ScopeColumn]:
    all_columns = scope_columns(q)
    return [c for c in all_columns if c.scope_type == scope_type]


@router.get("/rounds/{round_id}", name="national_round")
def national_round(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    round_id: Id,
    by: str = "",
    scope: str = "subgoal",
    release: str | None = None,
) -> Response:
    round_ = _national_round(session, actor, round_id)
    columns_by, scope_type = parse_by(by), _scope_type(scope)
    number = parse_release_number(release)
    common = _common(request)
    tr, lang = common["tr"], common["lang"]
    if not releases_of(session, round_id=round_id):
        return _participation_page(request, session, actor, round_, columns_by, common)
    q, chosen = round_release(
        session, round_=round_, framework=request.app.state.framework, number=number
    )
    pub = chosen.publication
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
        sections = [
            {
                "column": None,
                "rows": scope_rows(rows, columns, common["names"]),
                "reference": None,
                "equity": [],
            }
        ]
    query = f"?release={chosen.info.number}"
    return render(
        request,
        "national_round.html",
        {
            **common,
            "round": round_,
            "q": q,
            "nav": _nav(round_id, "round", chosen.info.number),
            "release": chosen.info,
            **_releases(session, actor, round_, chosen.info.number, "round", get_lang(request)),
            "options": breakdown_options(tr),
            "by": ",".join(columns_by),
            "by_title": breakdown_title(columns_by, tr),
            "scope_type": scope_type,
            "sections": sections,
            "total": nation.get(("total", "total")),
            "targets": targets_in_words(round_, tr, common["lang"]),
            "created": request.query_params.get("created") == "1",
            "published": request.query_params.get("published") == "1",
            "downloads": {f: f"/national/rounds/{round_id}/aggregates.{f}{query}" for f in FORMATS},
            "api": f"/api/v1/national/rounds/{round_id}/aggregates{query}",
        },
    )


def _participation_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    round_: Round,
    columns_by: tuple[str, ...],
    common: dict[str, Any],
) -> Response:
    """Before the first release: participation only (counts and response rates), never a
    statistic that moves with each submission."""
    tr = common["tr"]
    by = columns_by[:1] or ("region",)
    table = participation_table(session, round_=round_, by=by[0])
    names = group_names(
        session, [{"group": {by[0]: row["value"]}} for row in table["rows"] if row["value"]]
    )
    for row in table["rows"]:
        row["label"] = names.name(by[0], row["value"], tr) if row["value"] else tr("nat.unknown")
    return render(
        request,
        "national_participation.html",
        {
            **common,
            "round": round_,
            "nav": _nav(round_.id, "round", None),  # type: ignore[arg-type]
            "release": None,
            **_releases(session, actor, round_, None, "round", get_lang(request)),
            "participation": table,
            "by": by[0],
            "by_title": breakdown_title(by, tr),
            "dimensions": ("region", "organiser_type", "school_form", "organiser"),
            "targets": targets_in_words(round_, tr, common["lang"]),
            "created": request.query_params.get("created") == "1",
        },
    )


@router.post("/rounds/{round_id}/releases", name="national_publish")
def publish_release(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    """Publish the round's next release (national staff who manage the round, admins)."""
    round_ = _national_round(session, actor, round_id)
    owner = session.get(Unit, round_.owner_unit_id)
    if owner is None or not can_manage_round(actor, round_, owner):
        raise NotFound("err.page_not_found")
    state = request.app.state
    q = questionnaire_for(
        session, questionnaire_id=round_.questionnaire_id, framework=state.framework
    )
    made = create_release(
        session,
        round_=round_,
        q=q,
        k=state.settings.min_group_size,
        k_detail=state.settings.detail_group_size,
        actor_id=actor.id,
        ip=client_ip(request),
    )
    return RedirectResponse(
        f"/national/rounds/{round_id}?release={made.number}&published=1", status_code=303
    )


@router.get("/rounds/{round_id}/trends", name="national_trends")
def national_trends_page(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    round_id: Id,
    by: str = "",
    scope: str = "total",
    release: str | None = None,
) -> Response:
    round_ = _national_round(session, actor, round_id)
    columns_by, scope_type = parse_by(by), _scope_type(scope)
    number = parse_release_number(release)
    if not releases_of(session, round_id=round_id):
        return RedirectResponse(f"/national/rounds/{round_id}", status_code=303)
    common = _common(request)
    tr = common["tr"]
    trends = national_trends(
        session,
        round_=round_,
        framework=request.app.state.framework,
        by=columns_by,
        number=number,
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
            "nav": _nav(round_id, "trends", trends.release.info.number),
            "release": trends.release.info,
            **_releases(
                session, actor, round_, trends.release.info.number, "trends", get_lang(request)
            ),
            "options": breakdown_options(tr),
            "by": ",".join(columns_by),
            "by_title": breakdown_title(columns_by, tr),
            "scope_type": scope_type,
            "sections": sections,
        },
    )


@router.get("/rounds/{round_id}/report", name="national_report")
def national_report(
    request: Request,
    session: SessionDep,
    actor: CurrentActor,
    round_id: Id,
    by: str = "region",
    release: str | None = None,
) -> Response:
    round_ = _national_round(session, actor, round_id)
    columns_by = parse_by(by) or ("region",)
    number = parse_release_number(release)
    if not releases_of(session, round_id=round_id):
        return RedirectResponse(f"/national/rounds/{round_id}", status_code=303)
    common = _common(request)
    tr, lang = common["tr"], common["lang"]
    q, chosen = round_release(
        session, round_=round_, framework=request.app.state.framework, number=number
    )
    pub = chosen.publication
    names = group_names(session, pub.rows)
    all_columns = scope_columns(q)
    nation = scope_rows(pub.select(by=()), all_columns, common["names"])
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
            "nav": _nav(round_id, "report", chosen.info.number),
            "release": chosen.info,
            "nation": nation,
            "total": next((v.row for v in nation if v.row["scope_type"] == "total"), None),
            "options": breakdown_options(tr),
            "by": ",".join(columns_by),
            "by_title": breakdown_title(columns_by, tr),
            "groups": group_rows(pub.select(by=columns_by, scope_type="total"), names, tr),
            "equity": equity,
            "targets": targets_in_words(round_, tr, common["lang"]),
            "today": local_today(),
        },
    )


# --------------------------------------------------------------------------------- files


def _file(request: Request, session: SessionDep, actor: Actor, round_id: Id, fmt: str) -> Response:
    round_ = _national_round(session, actor, round_id)
    number = parse_release_number(request.query_params.get("release"))
    lang = get_lang(request)
    out = publication_file(
        session,
        round_=round_,
        framework=request.app.state.framework,
        fmt=fmt,
        tr=lambda key, **kw: translate(key, lang, **kw),
        lang=lang,
        number=number,
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
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    return _file(request, session, actor, round_id, "csv")


@router.get("/rounds/{round_id}/aggregates.xlsx", name="national_xlsx")
def aggregates_xlsx(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    return _file(request, session, actor, round_id, "xlsx")


@router.get("/rounds/{round_id}/aggregates.parquet", name="national_parquet")
def aggregates_parquet(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    return _file(request, session, actor, round_id, "parquet")


@api_router.get("/rounds/{round_id}/aggregates.csv")
def api_aggregates_csv(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    """Every aggregate table of the round as one CSV (UTF-8 with BOM; column ``by`` names the
    breakdown; a suppressed statistic is "–"). The format is the path's extension."""
    return _file(request, session, actor, round_id, "csv")


@api_router.get("/rounds/{round_id}/aggregates.xlsx")
def api_aggregates_xlsx(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    """Every aggregate table of the round as XLSX: a method sheet (definitions, coverage, the
    suppression rule with k and the marker "–"), one sheet per breakdown, the comparisons."""
    return _file(request, session, actor, round_id, "xlsx")


@api_router.get("/rounds/{round_id}/aggregates.parquet")
def api_aggregates_parquet(
    request: Request, session: SessionDep, actor: CurrentActor, round_id: Id
) -> Response:
    """Every aggregate table of the round as Parquet (typed columns; a suppressed statistic is
    null and ``suppressed`` is true)."""
    return _file(request, session, actor, round_id, "parquet")
