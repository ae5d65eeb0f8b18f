"""A round's results for the organiser's views and API, computed by the statistics engine.

Units enter the analysis only when the caller may see them and they count:
- unit-level questionnaires: submitted and shared with the organiser;
- individual questionnaires: at least k submitted respondents (k = ``min_group_size``).
Every other unit of the round is listed in ``excluded`` with the reason, so pages can show "–".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from survey.models import SCHOOL_FORMS, Assessment, Round, Unit, UnitSchoolForm, id_of
from survey.questionnaire import Questionnaire
from survey.services.assessments.batches import released_counts
from survey.services.assessments.respondents import respondent_counts
from survey.services.engine import AnswerColumns, analyse, answer_columns, concat_answers
from survey.services.rounds.access import RoundScope
from survey.stats import Analysis

# Sub-forms that never decide which school form a unit is compared as.
_SECONDARY_FORMS = {"forskoleklass", "fritidshem"}


def main_school_form(forms: list[str]) -> str | None:
    """The form a unit is compared as: the first of its main forms in the official order."""
    main = [f for f in SCHOOL_FORMS if f in forms and f not in _SECONDARY_FORMS]
    return main[0] if main else (forms[0] if forms else None)


@dataclass
class RoundUnit:
    unit: Unit
    assessment: Assessment
    forms: list[str]
    organiser: Unit | None
    region: Unit | None
    respondents: tuple[int, int] | None = None  # individual: (submitted, links)
    released: int = (
        0  # individual: respondents released in batches (survey.services.assessments.batches)
    )

    @property
    def school_form(self) -> str | None:
        return main_school_form(self.forms)

    @property
    def unit_id(self) -> int:
        return id_of(self.unit)

    def attributes(self) -> dict[str, str | None]:
        """The unit's attributes as the aggregates use them. An organiser answering for itself
        (the organiser-level questionnaire) is its own organiser, and its parent is the region:
        the same attributes as the national tables give it
        (``survey.services.national.aggregates``)."""
        own = self.unit.kind == "organiser"
        organiser = self.unit if own else self.organiser
        region = self.organiser if own else self.region
        return {
            "parent_id": str(self.unit.parent_id) if self.unit.parent_id else None,
            "school_form": self.school_form,
            "organiser_type": organiser.organiser_type if organiser else None,
            "region": region.county_code if region else None,
            "kind": self.unit.kind,
        }


def round_units(session: Session, *, scope: RoundScope, individual: bool) -> list[RoundUnit]:
    """Every assessment of the round whose unit the scope lets the caller see, by unit name."""
    rows = session.exec(
        select(Assessment, Unit)
        .join(Unit, col(Unit.id) == Assessment.unit_id)
        .where(Assessment.round_id == scope.round.id)
        .order_by(Unit.name)
    ).all()
    visible = [(a, u) for a, u in rows if scope.sees_unit(u)]
    unit_ids = [u.id for _, u in visible]
    forms: dict[int, list[str]] = {}
    for unit_id, form in session.exec(
        select(UnitSchoolForm.unit_id, UnitSchoolForm.school_form).where(
            col(UnitSchoolForm.unit_id).in_(unit_ids)
        )
    ):
        forms.setdefault(unit_id, []).append(form)
    parents = {u.parent_id for _, u in visible}
    organisers: dict[int | None, Unit] = {
        o.id: o for o in session.exec(select(Unit).where(col(Unit.id).in_(parents)))
    }
    regions: dict[int | None, Unit] = {
        r.id: r
        for r in session.exec(
            select(Unit).where(col(Unit.id).in_({o.parent_id for o in organisers.values()}))
        )
    }
    ids = [id_of(a) for a, _ in visible]
    counts = respondent_counts(session, assessment_ids=ids) if individual else {}
    released = released_counts(session, assessment_ids=ids) if individual else {}
    result = []
    for assessment, unit in visible:
        organiser = organisers.get(unit.parent_id)
        region = regions.get(organiser.parent_id) if organiser else None
        result.append(
            RoundUnit(
                unit,
                assessment,
                sorted(forms.get(id_of(unit), [])),
                organiser,
                region,
                counts.get(id_of(assessment), (0, 0)) if individual else None,
                released.get(id_of(assessment), 0),
            )
        )
    return result


def exclusion_reason(ru: RoundUnit, *, individual: bool, k: int) -> str | None:
    """Why a unit's result is not part of the analysis (None: it is). Individual
    questionnaires count released respondents only (batches of at least k, released when the
    unit's collection ends), and follow the unit's sharing rule like unit-level ones."""
    if individual:
        if ru.released < k:
            return "not_submitted" if ru.assessment.state != "submitted" else "below_k"
    elif ru.assessment.state != "submitted":
        return "not_submitted"
    if not ru.assessment.shared:
        return "not_shared"
    return None


@dataclass
class RoundResults:
    round: Round
    units: list[RoundUnit]
    included: list[RoundUnit] = field(default_factory=list)
    excluded: dict[int, str] = field(default_factory=dict)  # unit id → reason
    #: The analysed answers (submitted answer sets of the included units, and of the same units
    #: in ``extra_rounds``), to the questionnaire's items.
    answers: AnswerColumns | None = None
    analysis: Analysis | None = None


def round_results(
    session: Session,
    *,
    scope: RoundScope,
    q: Questionnaire,
    k: int,
    group_by: str = "parent_id",
    compare_by: tuple[str, ...] = ("school_form",),
    extra_rounds: Sequence[Round] = (),
    extra_item_map: Mapping[str, str] | None = None,
) -> RoundResults:
    """Analyse the round (optionally together with earlier rounds, for trends).

    ``extra_item_map`` says that the earlier rounds answered another version of the
    questionnaire: their answers are read through it (stored item id → item id of ``q``)."""
    units = round_units(session, scope=scope, individual=q.is_individual)
    result = RoundResults(round=scope.round, units=units)
    for ru in units:
        reason = exclusion_reason(ru, individual=q.is_individual, k=k)
        if reason:
            result.excluded[id_of(ru.unit)] = reason
        else:
            result.included.append(ru)
    assessment_ids = [id_of(ru.assessment) for ru in result.included]
    earlier_ids: list[int] = []
    attributes = {id_of(ru.unit): ru.attributes() for ru in result.included}
    for earlier in extra_rounds:
        earlier_scope = RoundScope(
            earlier, scope.owner, scope.unit_paths, False, scope.aggregates_only
        )
        for ru in round_units(session, scope=earlier_scope, individual=q.is_individual):
            if ru.unit.id in attributes and not exclusion_reason(
                ru, individual=q.is_individual, k=k
            ):
                earlier_ids.append(id_of(ru.assessment))
    if extra_item_map is None:
        result.answers = answer_columns(
            session,
            q=q,
            assessment_ids=assessment_ids + earlier_ids,
            submitted_only=True,
            released_only=q.is_individual,
        )
    else:
        result.answers = concat_answers(
            [
                answer_columns(
                    session,
                    q=q,
                    assessment_ids=ids,
                    submitted_only=True,
                    released_only=q.is_individual,
                    item_map=item_map,
                )
                for ids, item_map in ((assessment_ids, None), (earlier_ids, extra_item_map))
            ]
        )
    if attributes:
        result.analysis = analyse(
            q,
            units=attributes,
            answers=result.answers,
            group_by=group_by,
            compare_by=compare_by,
        )
    return result


def previous_round(session: Session, *, round_: Round, key: str) -> Round | None:
    """The latest earlier round of the same owner and questionnaire key."""
    from survey.models import QuestionnaireVersion

    return session.exec(
        select(Round)
        .join(QuestionnaireVersion, col(QuestionnaireVersion.id) == Round.questionnaire_id)
        .where(
            Round.owner_unit_id == round_.owner_unit_id,
            QuestionnaireVersion.key == key,
            Round.opens < round_.opens,
        )
        .order_by(col(Round.opens).desc())
    ).first()
