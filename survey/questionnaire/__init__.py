"""Questionnaire format: the framework, the data model, loading and validation (pure, no I/O
beyond files).
"""

from survey.questionnaire.loader import (
    load_directory,
    load_framework,
    load_questionnaire,
    questionnaire_from_text,
    validate_paths,
)
from survey.questionnaire.model import (
    Framework,
    Item,
    Level,
    Questionnaire,
    Scale,
    Scoring,
    Text,
)
from survey.questionnaire.problems import Problem, QuestionnaireError

__all__ = [
    "Framework",
    "Item",
    "Level",
    "Problem",
    "Questionnaire",
    "QuestionnaireError",
    "Scale",
    "Scoring",
    "Text",
    "load_directory",
    "load_framework",
    "load_questionnaire",
    "questionnaire_from_text",
    "validate_paths",
]
