"""Rounds and their assessments."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, col, select

from survey.errors import InvalidInput
from survey.models import Assessment, QuestionnaireVersion, Respondent, Round, Unit, id_of
from survey.services.audit import record


def create_round(
    session: Session,
    *,
    questionnaire: QuestionnaireVersion,
    owner: Unit,
    kind: str,
    title: str,
    opens: date,
    closes: date,
    units: list[Unit],
    sharing_mandatory: bool = False,
    targets: dict[str, object] | None = None,
    actor_id: int | None = None,
    ip: str | None = None,
) -> Round:
    """Create a round and a draft assessment for each of its units; the audit log gets one
    entry with everything the round was created with."""
    if closes < opens:
        raise InvalidInput("err.round.closes_before_opens")
    if not title.strip():
        raise InvalidInput("err.field.empty", field="title")
    round_ = Round(
        questionnaire_id=id_of(questionnaire),
        owner_unit_id=id_of(owner),
        kind=kind,
        title=title.strip(),
        opens=opens,
        closes=closes,
        state="open",
        sharing_mandatory=sharing_mandatory or kind == "national",
        targets=targets or {"unit_ids": [u.id for u in units]},
        created_by=actor_id,
    )
    session.add(round_)
    session.flush()
    # One flush per table, not per unit: a national round goes to thousands of units.
    round_id = id_of(round_)
    assessments = [
        Assessment(round_id=round_id, unit_id=id_of(unit), shared=kind == "national")
        for unit in units
    ]
    session.add_all(assessments)
    session.flush()
    if questionnaire.respondent == "unit":
        session.add_all(Respondent(assessment_id=id_of(a)) for a in assessments)
    record(
        session,
        action="round.create",
        object_type="round",
        object_id=round_.id,
        unit_id=owner.id,
        user_id=actor_id,
        ip=ip,
        detail={
            "units": len(units),
            "title": round_.title,
            "kind": kind,
            "questionnaire": f"{questionnaire.key} {questionnaire.version}",
            "targets": round_.targets,
            "opens": opens.isoformat(),
            "closes": closes.isoformat(),
            "sharing_mandatory": round_.sharing_mandatory,
        },
    )
    session.flush()
    return round_


def unit_respondent(session: Session, *, assessment: Assessment) -> Respondent:
    """The single answer set of a unit-level assessment."""
    respondent = session.exec(
        select(Respondent).where(
            Respondent.assessment_id == assessment.id,
            col(Respondent.token_hash).is_(None),
        )
    ).first()
    if respondent is None:
        respondent = Respondent(assessment_id=id_of(assessment))
        session.add(respondent)
        session.flush()
    return respondent
