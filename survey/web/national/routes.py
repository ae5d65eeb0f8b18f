"""National follow-up pages under ``/national``: the national rounds, creating one, publishing a
release, and a round's aggregates by breakdown with charts (or, before the first release, its
participation). Trends, the report and the files are in :mod:`survey.web.national.reports`.

National staff and admins only, and national rounds only: 404 for everyone and everything else
(:data:`~survey.web.national.common.NationalRound`). Every number comes from a release of the
round; the pages never compute or hide anything themselves.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from survey.clock import local_today
from survey.errors import NotFound
from survey.models import SCHOOL_FORMS, Round, Unit
from survey.services.access import Actor
from survey.services.national.aggregates import parse_by, participation_table
from survey.services.national.publishing import create_release
from survey.services.national.releases import releases_of, round_release
from survey.services.national.rounds import (
    TARGET_KINDS,
    create_national_round,
    national_rounds,
    parse_national_round_request,
    round_counts,
)
from survey.services.questionnaires import questionnaire_for
from survey.services.rounds.access import can_manage_round
from survey.services.rounds.requests import Issue, RoundInputError
from survey.web.auth import CsrfProtected, client_ip
from survey.web.deps import (
    FormDep,
    FrameworkDep,
    QuestionnairesDep,
    SessionDep,
    SettingsDep,
    TrDep,
)
from survey.web.i18n import N_
from survey.web.labels import NATIONAL_KINDS
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
from survey.web.national.files import FORMATS, breakdown_title, group_names
from survey.web.national.present import (
    breakdown_options,
    equity_sentences,
    group_rows,
    scope_rows,
    targets_in_words,
)
from survey.web.rendering import redirect_to, render
from survey.web.rounds.mail import mail_round_opened

router = APIRouter(prefix="/national", dependencies=[CsrfProtected], include_in_schema=False)


# --------------------------------------------------------------------------------- list, new


@router.get("", name="national_list")
def national_list(request: Request, session: SessionDep, actor: NationalActor) -> Response:
    rounds = national_rounds(session)
    common = page_context(request)
    return render(
        request,
        "national_list.html",
        {
            **common,
            "rounds": rounds,
            "counts": round_counts(session, round_ids=[r.id for r in rounds if r.id is not None]),
            "targets": {r.id: targets_in_words(r, common["tr"], common["lang"]) for r in rounds},
            "can_create": True,
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
    tr: TrDep,
    questionnaires: QuestionnairesDep,
    *,
    values: dict[str, Any],
    issues: list[Issue] | None = None,
    status_code: int = 200,
) -> Response:
    issue_list = [
        {
            "field": i.field,
            "label": tr(FIELDS[i.field]),
            "text": tr(ISSUES[i.key], **_issue_values(i.values, tr)),
        }
        for i in issues or []
    ]
    return render(
        request,
        "national_new.html",
        {
            **page_context(request),
            "questionnaires": sorted(
                questionnaires.values(), key=lambda q: (q.title.get(tr.lang), q.version)
            ),
            "kinds": TARGET_KINDS,
            "school_forms": SCHOOL_FORMS,
            "values": values,
            "issues": issue_list,
            "invalid": {i["field"] for i in issue_list},
            "today": local_today(),
        },
        status_code=status_code,
    )


def _issue_values(values: dict[str, Any], tr: TrDep) -> dict[str, Any]:
    shown = dict(values)
    for key in ("kinds", "for"):
        if key in shown:
            shown[key] = ", ".join(tr(NATIONAL_KINDS[k]) for k in shown[key])
    return shown


@router.get("/rounds/new", name="national_new_round")
def new_national_round(
    request: Request, actor: NationalActor, tr: TrDep, questionnaires: QuestionnairesDep
) -> Response:
    return _form_page(request, tr, questionnaires, values={"kinds": [], "school_forms": []})


@router.post("/rounds", name="national_create_round")
def create_national_round_action(
    request: Request,
    session: SessionDep,
    form: FormDep,
    actor: NationalActor,
    tr: TrDep,
    questionnaires: QuestionnairesDep,
    settings: SettingsDep,
) -> Response:
    single = {k: v for k, v in form.items() if isinstance(v, str)}
    lists = {
        name: [v for v in form.getlist(name) if isinstance(v, str)]
        for name in ("kinds", "school_forms")
    }
    try:
        round_ = create_national_round(
            session,
            actor=actor,
            req=parse_national_round_request(single, lists),
            questionnaires=questionnaires,
            today=local_today(),
            ip=client_ip(request),
        )
    except RoundInputError as exc:  # nothing was written (the service checks before it adds)
        return _form_page(
            request,
            tr,
            questionnaires,
            values={**single, **lists},
            issues=exc.issues,
            status_code=422,
        )
    mail_round_opened(request, session, settings, round_)  # same transaction as the round
    return redirect_to(request, "national_round", query={"created": "1"}, round_id=round_.id)


@router.post("/rounds/{round_id}/releases", name="national_publish")
def publish_release(
    request: Request,
    session: SessionDep,
    actor: NationalActor,
    round_: NationalRound,
    settings: SettingsDep,
    framework: FrameworkDep,
) -> Response:
    """Publish the round's next release (national staff who manage the round, admins)."""
    owner = session.get(Unit, round_.owner_unit_id)
    if owner is None or not can_manage_round(actor, round_, owner):
        raise NotFound("err.page_not_found")
    made = create_release(
        session,
        round_=round_,
        q=questionnaire_for(session, questionnaire_id=round_.questionnaire_id, framework=framework),
        k=settings.min_group_size,
        k_detail=settings.detail_group_size,
        actor_id=actor.id,
        ip=client_ip(request),
    )
    query = {"release": str(made.number), "published": "1"}
    return redirect_to(request, "national_round", query=query, round_id=round_.id)


# --------------------------------------------------------------------------------- one round


@router.get("/rounds/{round_id}", name="national_round")
def national_round_page(
    request: Request,
    session: SessionDep,
    actor: NationalActor,
    round_: NationalRound,
    framework: FrameworkDep,
    number: ReleaseNumber,
    by: str = "",
    scope: str = "subgoal",
) -> Response:
    assert round_.id is not None
    columns_by, scope_type = parse_by(by), checked_scope_type(scope)
    common = page_context(request)
    if not releases_of(session, round_id=round_.id):
        return _participation_page(request, session, actor, round_, columns_by, common)
    tr, lang = common["tr"], common["lang"]
    q, chosen = round_release(session, round_=round_, framework=framework, number=number)
    pub = chosen.publication
    names = group_names(session, pub.rows)
    columns = columns_of(q, scope_type)
    nation = {(r["scope_type"], r["scope_id"]): r for r in pub.select(by=())}
    rows = pub.select(by=columns_by, scope_type=scope_type)
    comparisons = {
        (c["scope_type"], c["scope_id"]): c
        for c in pub.select_comparisons(by=columns_by, scope_type=scope_type)
    }
    sections: list[dict[str, Any]]
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
        rows_of = scope_rows(rows, columns, common["names"])
        sections = [{"column": None, "rows": rows_of, "reference": None, "equity": []}]
    number = chosen.info.number
    query = f"?release={number}"
    return render(
        request,
        "national_round.html",
        {
            **common,
            "round": round_,
            "q": q,
            "nav": nav(request, round_.id, "round", number),
            "release": chosen.info,
            **release_bar(request, session, actor, round_, number, "round"),
            "options": breakdown_options(tr),
            "by": ",".join(columns_by),
            "by_title": breakdown_title(columns_by, tr),
            "scope_type": scope_type,
            "sections": sections,
            "total": nation.get(("total", "total")),
            "targets": targets_in_words(round_, tr, lang),
            "created": request.query_params.get("created") == "1",
            "published": request.query_params.get("published") == "1",
            "downloads": {
                f: request.app.state.path_for("national_file", round_id=str(round_.id), fmt=f)
                + query
                for f in FORMATS
            },
            "api": request.app.state.path_for("national_aggregates_api", round_id=str(round_.id))
            + query,
        },
    )


def _participation_page(
    request: Request,
    session: Session,
    actor: Actor,
    round_: Round,
    columns_by: tuple[str, ...],
    common: dict[str, Any],
) -> Response:
    """Before the first release: participation only (counts and response rates), never a
    statistic that moves with each submission."""
    assert round_.id is not None
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
            "nav": nav(request, round_.id, "round", None),
            "release": None,
            **release_bar(request, session, actor, round_, None, "round"),
            "participation": table,
            "by": by[0],
            "by_title": breakdown_title(by, tr),
            "dimensions": ("region", "organiser_type", "school_form", "organiser"),
            "targets": targets_in_words(round_, tr, common["lang"]),
            "created": request.query_params.get("created") == "1",
        },
    )
