"""Exports of one assessment: its answers, scores and action plan as XLSX sheets or CSV."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlmodel import Session, col, select

from survey.clock import utcnow
from survey.models import Answer, User
from survey.questionnaire import Framework, Questionnaire
from survey.services.access import AssessmentContext
from survey.services.assessments.summary import Summary, build_summary
from survey.services.plan.actions import plan_rows
from survey.sheets import Cell, Sheet, file_stem
from survey.web.i18n import N_
from survey.web.labels import PLAN_STATUS, STATE
from survey.web.plan.present import PlanLineView, line_views

# --------------------------------------------------------------------------------- exports
from survey.web.scopes import ScopeNames

# --------------------------------------------------------------------------------- exports

Translate = Callable[..., str]  # tr(key, **values): the text in the reader's language

# The texts of the column names, answer kinds, scope types and facts, by their keys.
COLUMNS = {
    "fact": N_("export.col.fact"),
    "value": N_("export.col.value"),
    "priority": N_("export.col.priority"),
    "item": N_("export.col.item"),
    "area": N_("export.col.area"),
    "subgoal": N_("export.col.subgoal"),
    "tags": N_("export.col.tags"),
    "level": N_("export.col.level"),
    "title": N_("export.col.title"),
    "activity": N_("export.col.activity"),
    "owner": N_("export.col.owner"),
    "due_date": N_("export.col.due_date"),
    "status": N_("export.col.status"),
    "note": N_("export.col.note"),
    "updated": N_("export.col.updated"),
    "weight": N_("export.col.weight"),
    "text": N_("export.col.text"),
    "value_level": N_("export.col.value_level"),
    "label": N_("export.col.label"),
    "descriptor": N_("export.col.descriptor"),
    "comment": N_("export.col.comment"),
    "answered_by": N_("export.col.answered_by"),
    "answered_at": N_("export.col.answered_at"),
    "scope_type": N_("export.col.scope_type"),
    "scope_id": N_("export.col.scope_id"),
    "scope": N_("export.col.scope"),
    "level_label": N_("export.col.level_label"),
    "index": N_("export.col.index"),
    "score": N_("export.col.score"),
    "coverage": N_("export.col.coverage"),
    "n": N_("export.col.n"),
    "ci_low": N_("export.col.ci_low"),
    "ci_high": N_("export.col.ci_high"),
}
ANSWER_KINDS = {
    "na": N_("export.answer.na"),
    "dk": N_("export.answer.dk"),
    "none": N_("export.answer.none"),
}
SCOPE_TYPES = {
    "area": N_("export.scope.area"),
    "subgoal": N_("export.scope.subgoal"),
    "total": N_("export.scope.total"),
}
FACTS = {
    "unit": N_("export.fact.unit"),
    "school_unit_code": N_("export.fact.school_unit_code"),
    "round": N_("export.fact.round"),
    "questionnaire": N_("export.fact.questionnaire"),
    "state": N_("export.fact.state"),
    "submitted_at": N_("export.fact.submitted_at"),
    "exported_at": N_("export.fact.exported_at"),
    "respondents": N_("export.fact.respondents"),
    "privacy": N_("export.fact.privacy"),
    "suppressed": N_("export.fact.suppressed"),
    "preliminary": N_("export.fact.preliminary"),
}


def plan_sheet(lines: list[PlanLineView], *, q: Questionnaire, tr: Translate, lang: str) -> Sheet:
    labels = {level.value: level.label.get(lang) for level in q.scale.levels}
    columns = [
        "priority",
        "item",
        "area",
        "subgoal",
        "tags",
        "level",
        "title",
        "activity",
        "owner",
        "due_date",
        "status",
        "note",
        "updated",
    ]
    rows: list[list[Cell]] = [
        [
            line.row.priority,
            line.item.id if line.item else tr("plan.own"),
            line.area,
            line.subgoal,
            ", ".join(line.item.tags) if line.item else "",
            f"{line.level} {labels.get(line.level, '')}" if line.level else "",
            line.title,
            line.activity,
            line.row.owner,
            line.row.due_date,
            tr(PLAN_STATUS[line.row.status]),
            line.row.note,
            line.row.updated_at,
        ]
        for line in lines
    ]
    return Sheet("plan", tr("export.sheet.plan"), [tr(COLUMNS[c]) for c in columns], rows)


def _emails(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    found = session.exec(select(User.id, User.email).where(col(User.id).in_(ids)))
    return {uid: email for uid, email in found}  # type: ignore[misc]


def answers_sheet(
    session: Session,
    *,
    q: Questionnaire,
    framework: Framework,
    answers: Mapping[str, Answer],
    tr: Translate,
    lang: str,
) -> Sheet:
    """Every item with its answer, comment, who (e-mail of the signed-in user) and when."""
    labels = {level.value: level.label.get(lang) for level in q.scale.levels}
    emails = _emails(session, {a.answered_by for a in answers.values() if a.answered_by})
    rows: list[list[Cell]] = []
    for item in q.items:
        answer = answers.get(item.id)
        kind = answer.kind if answer else "none"
        value = answer.value if answer and kind == "level" else None
        rows.append(
            [
                item.id,
                framework.area_by_id[item.area].title.get(lang),
                item.subgoal.replace("FO", "FO "),
                item.weight,
                item.text.get(lang),
                value,
                labels.get(value, "") if value is not None else tr(ANSWER_KINDS[kind]),
                item.levels[value].get(lang) if value in item.levels else "",  # type: ignore[index]
                (answer.comment or "") if answer else "",
                emails.get(answer.answered_by, "") if answer and answer.answered_by else "",
                answer.updated_at if answer else None,
            ]
        )
    columns = [
        "item",
        "area",
        "subgoal",
        "weight",
        "text",
        "value_level",
        "label",
        "descriptor",
        "comment",
        "answered_by",
        "answered_at",
    ]
    return Sheet("answers", tr("export.sheet.answers"), [tr(COLUMNS[c]) for c in columns], rows)


def _number(value: object, digits: int) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    return None if number != number else round(number, digits)  # NaN → empty


def scores_sheet(summary: Summary, *, q: Questionnaire, tr: Translate, names: ScopeNames) -> Sheet:
    """Scores per area, sub-goal and in total, as computed by the statistics engine."""
    labels = {level.value: level.label.get(names.lang) for level in q.scale.levels}
    individual = q.is_individual
    columns = [
        "scope_type",
        "scope_id",
        "scope",
        "level",
        "level_label",
        "index",
        "score",
        "coverage",
    ]
    if individual:
        columns += ["n", "ci_low", "ci_high"]
    rows: list[list[Cell]] = []
    scopes = [*summary.areas, *summary.subgoals, *([summary.total] if summary.total else [])]
    for result in [] if summary.suppressed else scopes:
        row = result.row
        level = int(row["level"]) if row.get("level") is not None else None
        cells: list[Cell] = [
            tr(SCOPE_TYPES[result.scope_type]),
            result.scope_id,
            names.full(result),
            level,
            labels.get(level, "") if level else tr("export.insufficient"),
            _number(row.get("index"), 1),
            _number(row.get("score"), 3),
            _number(row.get("coverage"), 3),
        ]
        if individual:
            cells += [
                row.get("n_respondents"),
                _number(row.get("ci_low"), 3),
                _number(row.get("ci_high"), 3),
            ]
        rows.append(cells)
    return Sheet("scores", tr("export.sheet.scores"), [tr(COLUMNS[c]) for c in columns], rows)


def about_sheet(
    ctx: AssessmentContext,
    *,
    q: Questionnaire,
    summary: Summary | None,
    tr: Translate,
    lang: str,
    min_group_size: int,
) -> Sheet:
    facts: list[tuple[str, Cell]] = [
        ("unit", ctx.unit.name),
        ("school_unit_code", ctx.unit.school_unit_code or ""),
        ("round", ctx.round.title),
        ("questionnaire", f"{q.title.get(lang)} ({q.key} {q.version})"),
        ("state", tr(STATE[ctx.assessment.state])),
        (
            "submitted_at",
            ctx.assessment.submitted_at if ctx.assessment.submitted_at else None,
        ),
        ("exported_at", utcnow()),
    ]
    if q.is_individual and summary is not None:
        facts.append(("respondents", summary.n_respondents))
        facts.append(("privacy", tr("export.individual_note", k=min_group_size)))
        if summary.suppressed:
            facts.append(
                (
                    "suppressed",
                    tr("export.suppressed", k=min_group_size, n=summary.n_respondents),
                )
            )
    elif summary is not None and summary.preliminary:
        facts.append(("preliminary", tr("sum.preliminary")))
    rows: list[list[Cell]] = [[tr(FACTS[key]), value] for key, value in facts]
    return Sheet(
        "about", tr("export.sheet.about"), [tr("export.col.fact"), tr("export.col.value")], rows
    )


def assessment_export(
    session: Session,
    *,
    ctx: AssessmentContext,
    q: Questionnaire,
    framework: Framework,
    answers: Mapping[str, Answer],
    lang: str,
    tr: Translate,
    min_group_size: int,
) -> list[Sheet]:
    """The whole assessment: answers, scores and plan (individual: aggregated scores only)."""
    summary = build_summary(session, ctx=ctx, q=q, min_group_size=min_group_size)
    about = about_sheet(ctx, q=q, summary=summary, tr=tr, lang=lang, min_group_size=min_group_size)
    scores = scores_sheet(summary, q=q, tr=tr, names=ScopeNames(framework, lang))
    if q.is_individual:
        return [about, scores]
    lines = line_views(plan_rows(session, ctx=ctx, q=q, answers=answers), framework, lang)
    return [
        about,
        answers_sheet(session, q=q, framework=framework, answers=answers, tr=tr, lang=lang),
        scores,
        plan_sheet(lines, q=q, tr=tr, lang=lang),
    ]


def export_stem(ctx: AssessmentContext, *, part: str) -> str:
    """A file name without extension, ASCII only: ``kvarnbackaskolan-omgang-2026-handlingsplan``."""
    return file_stem(ctx.unit.name, ctx.round.title, part)
