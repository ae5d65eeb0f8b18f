"""Rounds: the list of rounds and creating an organiser round. A round's own pages
(participation, lifecycle, reminders, files) are in :mod:`survey.web.rounds.manage`; the texts of
round problems (:func:`issue_texts`) are shared with it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from survey.clock import local_today
from survey.errors import NotFound
from survey.models import SCHOOL_FORMS
from survey.parsing import ascii_int
from survey.services.access import Actor
from survey.services.rounds.access import (
    strategist_paths,
    visible_rounds,
)
from survey.services.rounds.organiser import (
    create_organiser_round,
    organiser_units,
    owner_choices,
    parse_round_request,
    unit_forms,
)
from survey.services.rounds.participation import (
    round_summaries,
)
from survey.services.rounds.requests import Issue, RoundInputError
from survey.web.auth import CsrfProtected, CurrentActor, client_ip
from survey.web.deps import FormDep, SessionDep, SettingsDep, get_lang, get_questionnaires
from survey.web.i18n import N_, translate
from survey.web.labels import SCHOOL_FORMS as SCHOOL_FORM_LABELS
from survey.web.labels import UNIT_KIND, UNIT_KINDS
from survey.web.rendering import redirect_to, render
from survey.web.rounds.mail import mail_round_opened

router = APIRouter(prefix="/rounds", dependencies=[CsrfProtected], include_in_schema=False)

ROUND_ROLES = {"strategist", "national", "admin"}


def _require_round_role(actor: Actor) -> None:
    if not actor.roles() & ROUND_ROLES:
        raise NotFound("err.page_not_found")


# The texts of the form's fields and of the problems and conflicts (Issue.key, RoundConflict.key).
FIELDS = {
    "owner": N_("rounds.field.owner"),
    "questionnaire": N_("rounds.field.questionnaire"),
    "title": N_("rounds.field.title"),
    "opens": N_("rounds.field.opens"),
    "closes": N_("rounds.field.closes"),
    "selection": N_("rounds.field.selection"),
    "units": N_("rounds.field.units"),
    "school_forms": N_("rounds.field.school_forms"),
    "sharing_mandatory": N_("rounds.field.sharing_mandatory"),
}
ISSUES = {
    "date_missing": N_("rounds.err.date_missing"),
    "date_invalid": N_("rounds.err.date_invalid"),
    "selection_invalid": N_("rounds.err.selection_invalid"),
    "school_form_invalid": N_("rounds.err.school_form_invalid"),
    "unit_invalid": N_("rounds.err.unit_invalid"),
    "none_match": N_("rounds.err.none_match"),
    "none_chosen": N_("rounds.err.none_chosen"),
    "unit_unknown": N_("rounds.err.unit_unknown"),
    "unit_outside": N_("rounds.err.unit_outside"),
    "unit_kind": N_("rounds.err.unit_kind"),
    "unit_inactive": N_("rounds.err.unit_inactive"),
    "owner_invalid": N_("rounds.err.owner_invalid"),
    "questionnaire_invalid": N_("rounds.err.questionnaire_invalid"),
    "title_missing": N_("rounds.err.title_missing"),
    "title_long": N_("rounds.err.title_long"),
    "closes_before_opens": N_("rounds.err.closes_before_opens"),
    "closes_past": N_("rounds.err.closes_past"),
    "extend_not_later": N_("rounds.err.extend_not_later"),
    "reopen_needs_date": N_("rounds.err.reopen_needs_date"),
    "extend_closed": N_("rounds.err.extend_closed"),
    "already_closed": N_("rounds.err.already_closed"),
    "not_closed": N_("rounds.err.not_closed"),
    "reopen_in_closed_round": N_("rounds.err.reopen_in_closed_round"),
}


def _issue_values(values: dict[str, Any], lang: str) -> dict[str, Any]:
    """Unit kinds in a problem, in words."""
    shown = dict(values)
    if "kind" in shown:
        shown["kind"] = translate(UNIT_KIND[shown["kind"]], lang).lower()
    if "kinds" in shown:
        shown["kinds"] = ", ".join(translate(UNIT_KINDS[k], lang) for k in shown["kinds"])
    return shown


def issue_texts(issues: list[Issue], lang: str) -> list[dict[str, str]]:
    return [
        {
            "field": i.field,
            "label": translate(FIELDS[i.field], lang),
            "text": translate(ISSUES[i.key], lang, **_issue_values(i.values, lang)),
        }
        for i in issues
    ]


# --------------------------------------------------------------------------------- list


@router.get("", name="rounds_list")
def rounds_list(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    _require_round_role(actor)
    rounds = visible_rounds(session, actor=actor)
    paths = None if actor.is_admin or actor.has("national") else strategist_paths(actor)
    return render(
        request,
        "rounds_list.html",
        {
            "summaries": round_summaries(session, rounds=rounds, paths=paths),
            # National staff see aggregates only: no single-unit overview.
            "can_open": actor.is_admin or bool(strategist_paths(actor)),
            "can_create": bool(owner_choices(session, actor=actor)),
            "today": local_today(),
        },
    )


# --------------------------------------------------------------------------------- new round


def _form_page(
    request: Request,
    session: SessionDep,
    actor: Actor,
    *,
    owner_id: int | None,
    values: dict[str, Any],
    issues: list[Issue] | None = None,
    status_code: int = 200,
) -> Response:
    owners = owner_choices(session, actor=actor)
    if not owners:
        raise NotFound("err.page_not_found")
    owner = next((o for o in owners if o.id == owner_id), owners[0])
    units = organiser_units(session, owner=owner)
    forms = unit_forms(session, unit_ids=[u.id for u in units])  # type: ignore[misc]
    present = {f for fs in forms.values() for f in fs}
    lang = get_lang(request)
    questionnaires = sorted(
        get_questionnaires(request).values(), key=lambda q: (q.title.get(lang), q.version)
    )
    issue_list = issue_texts(issues or [], lang)
    described = {
        u.id: ", ".join(
            dict.fromkeys(
                [translate(UNIT_KIND[u.kind], lang)]
                + [translate(SCHOOL_FORM_LABELS[f], lang) for f in forms.get(u.id, [])]  # type: ignore[arg-type]
            )
        )
        for u in units
    }
    return render(
        request,
        "rounds_new.html",
        {
            "owners": owners,
            "owner": owner,
            "units": units,
            "unit_labels": described,
            "school_forms": [f for f in SCHOOL_FORMS if f in present],
            "questionnaires": questionnaires,
            "values": values,
            "issues": issue_list,
            "invalid": {i["field"] for i in issue_list},
            "today": local_today(),
        },
        status_code=status_code,
    )


@router.get("/new", name="new_round")
def new_round(request: Request, session: SessionDep, actor: CurrentActor) -> Response:
    raw = request.query_params.get("owner", "")
    values = {"selection": "all", "school_forms": [], "units": []}
    return _form_page(request, session, actor, owner_id=ascii_int(raw), values=values)


@router.post("", name="create_round")
def create_round_action(
    request: Request,
    session: SessionDep,
    form: FormDep,
    actor: CurrentActor,
    settings: SettingsDep,
) -> Response:
    if not owner_choices(session, actor=actor):
        raise NotFound("err.page_not_found")
    single = {k: v for k, v in form.items() if isinstance(v, str)}
    lists = {
        name: [v for v in form.getlist(name) if isinstance(v, str)]
        for name in ("school_forms", "units")
    }
    req = parse_round_request(single, lists)
    try:
        round_ = create_organiser_round(
            session,
            actor=actor,
            req=req,
            questionnaires=get_questionnaires(request),
            today=local_today(),
            ip=client_ip(request),
        )
    except RoundInputError as exc:  # nothing was written (the service checks before it adds)
        values = {**single, **lists}
        return _form_page(
            request,
            session,
            actor,
            owner_id=req.owner_id,
            values=values,
            issues=exc.issues,
            status_code=422,
        )
    mail_round_opened(request, session, settings, round_)  # same transaction as the round
    return redirect_to(request, "round_overview", query={"done": "created"}, round_id=round_.id)
