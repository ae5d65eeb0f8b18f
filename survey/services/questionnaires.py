"""Questionnaire versions in the database: each loaded version is stored once, immutably."""

from __future__ import annotations

from sqlmodel import Session, select

from survey.errors import Conflict, NotFound
from survey.models import QuestionnaireVersion
from survey.questionnaire import Framework, Questionnaire, questionnaire_from_text


def store_version(session: Session, *, questionnaire: Questionnaire) -> QuestionnaireVersion:
    """Store a questionnaire version, or return the stored one if it is the same file.

    A file that changed without a new ``version`` is refused: answers point at the version
    they answered, so a stored version never changes.
    """
    stored = session.exec(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.key == questionnaire.key,
            QuestionnaireVersion.version == questionnaire.version,
        )
    ).first()
    if stored is not None:
        if stored.checksum != questionnaire.checksum:
            raise Conflict(
                f"{questionnaire.path}: questionnaire '{questionnaire.key}' version "
                f"'{questionnaire.version}' is already stored with other content; "
                "give the changed file a new version"
            )
        return stored
    stored = QuestionnaireVersion(
        key=questionnaire.key,
        version=questionnaire.version,
        checksum=questionnaire.checksum,
        respondent=questionnaire.respondent,
        title_sv=questionnaire.title.sv,
        title_en=questionnaire.title.en,
        source=questionnaire.source,
    )
    session.add(stored)
    session.flush()
    return stored


_parsed: dict[str, Questionnaire] = {}


def questionnaire_for(
    session: Session, *, questionnaire_id: int, framework: Framework | None = None
) -> Questionnaire:
    """The immutable questionnaire an assessment answers, parsed once per checksum. A stored
    version never changes, so after the first request it costs no query at all (every autosave
    asks for it; its source is tens of kilobytes)."""
    key = (_database(session), questionnaire_id, framework is not None)
    found = _by_id.get(key)
    if found is not None:
        return found
    stored = session.get(QuestionnaireVersion, questionnaire_id)
    if stored is None:
        raise NotFound("questionnaire not found")
    cached = _parsed.get(stored.checksum)
    if cached is None:
        cached = questionnaire_from_text(
            stored.source, framework, label=f"{stored.key} {stored.version}"
        )
        _parsed[stored.checksum] = cached
    _by_id[key] = cached
    return cached


_by_id: dict[tuple[str, int, bool], Questionnaire] = {}


def _database(session: Session) -> str:
    bind = session.get_bind()
    return bind.url.render_as_string(hide_password=True)  # type: ignore[union-attr]


def is_individual_version(session: Session, questionnaire_id: int) -> bool:
    """Whether the stored questionnaire version has many anonymous respondents per unit."""
    stored = session.get(QuestionnaireVersion, questionnaire_id)
    return stored is not None and stored.respondent == "individual"
