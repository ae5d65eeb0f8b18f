"""Questionnaire versions in the database: each loaded version is stored once, immutably."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from survey.cache import Memo, database_key
from survey.errors import Conflict, NotFound
from survey.models import QuestionnaireVersion
from survey.questionnaire import Framework, Questionnaire, questionnaire_from_text
from survey.questionnaire.crosswalk import Comparison, comparison, find_crosswalk


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
                "err.questionnaire.changed",
                path=str(questionnaire.path),
                key=questionnaire.key,
                version=questionnaire.version,
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


#: Parsed questionnaires by the stored version's checksum (content), and the stored versions'
#: checksums by database and id (a stored version never changes).
_PARSED: Memo[Questionnaire] = Memo("questionnaires", max_weight=64)
_CHECKSUMS: Memo[str] = Memo("questionnaire checksums", max_weight=1024)


def questionnaire_for(
    session: Session, *, questionnaire_id: int, framework: Framework | None = None
) -> Questionnaire:
    """The immutable questionnaire an assessment answers, parsed once per checksum. A stored
    version never changes, so after the first request it costs no query at all (every autosave
    asks for it; its source is tens of kilobytes)."""
    id_key = (database_key(session), questionnaire_id)
    checksum = _CHECKSUMS.get(id_key)
    if checksum is not None:
        found = _PARSED.get((checksum, framework is not None))
        if found is not None:
            return found
    stored = session.get(QuestionnaireVersion, questionnaire_id)
    if stored is None:
        raise NotFound("err.questionnaire.not_found")
    _CHECKSUMS.put(id_key, stored.checksum)
    return _PARSED.get_or_make(
        (stored.checksum, framework is not None),
        lambda: questionnaire_from_text(
            stored.source, framework, label=f"{stored.key} {stored.version}"
        ),
    )


def is_individual_version(session: Session, questionnaire_id: int) -> bool:
    """Whether the stored questionnaire version has many anonymous respondents per unit."""
    stored = session.get(QuestionnaireVersion, questionnaire_id)
    return stored is not None and stored.respondent == "individual"


@dataclass(frozen=True)
class VersionLink:
    """How an earlier round's questionnaire version relates to ``q`` for a trend: the other
    version, and what the two have in common by their crosswalk (None: no valid crosswalk
    between them, so no trend)."""

    old_version: str
    comparison: Comparison | None


def version_link(
    session: Session, *, q: Questionnaire, earlier_questionnaire_id: int
) -> VersionLink | None:
    """None when the earlier round answered the same version as ``q`` (a plain trend);
    otherwise the link through the crosswalk ``crosswalks/<key>-<old>-to-<new>.yaml`` of the
    questionnaire folder (``SURVEY_QUESTIONNAIRE_DIR``)."""
    from survey.config import get_settings

    old = questionnaire_for(session, questionnaire_id=earlier_questionnaire_id)
    if old.version == q.version and old.key == q.key:
        return None
    walk = find_crosswalk(get_settings().questionnaire_dir, old, q)
    return VersionLink(old.version, comparison(walk, old, q) if walk is not None else None)
