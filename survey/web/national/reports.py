"""A released national round's trends, its printable report and its files
(``/national/rounds/{id}/aggregates.{csv,xlsx,parquet}``; the same files are under
``/api/v1/national/…``). Before the first release there is nothing to show: the pages go back to
the round's participation page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from survey.clock import local_today
from survey.models import Round
from survey.questionnaire import Framework
from survey.services.comparison.heatmap import scope_columns
from survey.services.national.aggregates import parse_by
from survey.services.national.releases import releases_of, round_release
from survey.services.national.trends import national_trends
from survey.web.auth import CsrfProtected
from survey.web.deps import FrameworkDep, SessionDep, TrDep
from survey.web.national.common import (
    NationalActor,
    NationalRound,
    ReleaseNumber,
    checked_scope_type,
    columns_of,
    nav,
    page_context,
    release_bar,
)
from survey.web.national.files import breakdown_title, group_names, publication_file
from survey.web.national.present import (
    breakdown_options,
    equity_sentences,
    group_rows,
    scope_rows,
    targets_in_words,
)
from survey.web.rendering import FileFormat, download, redirect_to, render

router = APIRouter(prefix="/national", dependencies=[CsrfProtected], include_in_schema=False)

DIMENSIONS = ("region", "organiser_type", "school_form", "organiser")


@router.get("/rounds/{round_id}/trends", name="national_trends")
def national_trends_page(
    request: Request,
    session: SessionDep,
    actor: NationalActor,
    round_: NationalRound,
    framework: FrameworkDep,
    number: ReleaseNumber,
    by: str = "",
    scope: str = "total",
) -> Response:
    assert round_.id is not None
    columns_by, scope_type = parse_by(by), checked_scope_type(scope)
    if not releases_of(session, round_id=round_.id):
        return redirect_to(request, "national_round", round_id=round_.id)
    common = page_context(request)
    tr = common["tr"]
    trends = national_trends(
        session, round_=round_, framework=framework, by=columns_by, number=number
    )
    names = group_names(session, [r for p in trends.publications for r in p.rows])
    paired = trends.paired.select(scope_type) if trends.paired else []
    sections = []
    side = trends.side_by_side(scope_type)
    for c in columns_of(trends.q, scope_type):
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
    current = trends.release.info.number
    return render(
        request,
        "national_trends.html",
        {
            **common,
            "round": round_,
            "t": trends,
            "q": trends.q,
            "nav": nav(request, round_.id, "trends", current),
            "release": trends.release.info,
            **release_bar(request, session, actor, round_, current, "trends"),
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
    actor: NationalActor,
    round_: NationalRound,
    framework: FrameworkDep,
    number: ReleaseNumber,
    by: str = "region",
) -> Response:
    assert round_.id is not None
    columns_by = parse_by(by) or ("region",)
    if not releases_of(session, round_id=round_.id):
        return redirect_to(request, "national_round", round_id=round_.id)
    common = page_context(request)
    tr, lang = common["tr"], common["lang"]
    q, chosen = round_release(session, round_=round_, framework=framework, number=number)
    pub = chosen.publication
    names = group_names(session, pub.rows)
    nation = scope_rows(pub.select(by=()), scope_columns(q), common["names"])
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
        for d in DIMENSIONS
    ]
    return render(
        request,
        "national_report.html",
        {
            **common,
            "round": round_,
            "q": q,
            "nav": nav(request, round_.id, "report", chosen.info.number),
            "release": chosen.info,
            "nation": nation,
            "total": next((v.row for v in nation if v.row["scope_type"] == "total"), None),
            "options": breakdown_options(tr),
            "by": ",".join(columns_by),
            "by_title": breakdown_title(columns_by, tr),
            "groups": group_rows(pub.select(by=columns_by, scope_type="total"), names, tr),
            "equity": equity,
            "targets": targets_in_words(round_, tr, lang),
            "today": local_today(),
        },
    )


def aggregates_file(
    session: Session,
    round_: Round,
    framework: Framework,
    fmt: FileFormat,
    tr: TrDep,
    number: int | None,
) -> Response:
    """A release's aggregates as a file (pages and API alike)."""
    out = publication_file(
        session, round_=round_, framework=framework, fmt=fmt.value, tr=tr, lang=tr.lang,
        number=number,
    )  # fmt: skip
    return download(out.content, out.filename)


@router.get("/rounds/{round_id}/aggregates.{fmt}", name="national_file")
def aggregates(
    session: SessionDep,
    actor: NationalActor,
    round_: NationalRound,
    framework: FrameworkDep,
    fmt: FileFormat,
    tr: TrDep,
    number: ReleaseNumber,
) -> Response:
    return aggregates_file(session, round_, framework, fmt, tr, number)
