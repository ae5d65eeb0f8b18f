"""A round's data as ``survey analyze`` input: ``questionnaire.yaml``, ``units.csv`` and
``answers.csv`` in one zip, so that anyone can recompute ``/api/v1/rounds/{id}/results``.

The selection is :func:`survey.services.rounds.results.round_results`, the same code path as the
results API: submitted and shared assessments of unit-level questionnaires, units with at least
k submitted respondents of individual ones, only units the caller may see. Respondent ids are
replaced by random ones, new for every export, so no export reveals a database id or can be
joined with another export.

Recompute the results with::

    survey analyze --questionnaire questionnaire.yaml --units units.csv \\
        --answers answers.csv --compare-by school_form
"""

from __future__ import annotations

import csv
import io
import secrets
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
from sqlmodel import Session

from survey.models import QuestionnaireVersion, id_of
from survey.questionnaire import Questionnaire
from survey.services.engine import AnswerColumns
from survey.services.rounds.access import RoundScope
from survey.services.rounds.results import RoundResults, round_results
from survey.sheets import csv_text
from survey.stats import VALUE_DK, VALUE_NA

UNIT_COLUMNS = ("unit_id", "name", "kind", "parent_id", "school_form", "organiser_type", "region")
ANSWER_COLUMNS = ("round", "unit_id", "respondent_id", "item_id", "value")
GROUP_BY = "parent_id"
COMPARE_BY = ("school_form",)


@dataclass(frozen=True)
class RoundExport:
    questionnaire_yaml: bytes
    units_csv: bytes
    answers_csv: bytes
    results: RoundResults
    n_respondents: int

    def zip_bytes(self) -> bytes:
        buffer = io.BytesIO()
        stamp = datetime.now(UTC).timetuple()[:6]
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in (
                ("questionnaire.yaml", self.questionnaire_yaml),
                ("units.csv", self.units_csv),
                ("answers.csv", self.answers_csv),
            ):
                info = zipfile.ZipInfo(name, date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                archive.writestr(info, data)
        return buffer.getvalue()


def random_ids(count: int) -> list[str]:
    """``count`` distinct random respondent ids; the letter prefix keeps them from ever looking
    like (or equalling) a database id."""
    ids: set[str] = set()
    while len(ids) < count:
        ids.add("r" + secrets.token_hex(8))
    return list(ids)


def _csv(header: tuple[str, ...], rows: list[list[str]]) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode("utf-8")


def answers_csv(answers: AnswerColumns | None) -> tuple[bytes, int]:
    """Answer rows with random respondent ids, sorted by round, unit, random id and item (so
    that row order says nothing about the database either); returns the CSV and the number of
    respondents."""
    if answers is None or not len(answers):
        return _csv(ANSWER_COLUMNS, []), 0
    respondents, which = np.unique(answers.respondent_id, return_inverse=True)
    new_ids = sorted(random_ids(len(respondents)))
    rank = np.random.default_rng(secrets.randbits(64)).permutation(len(respondents))
    new_rank = rank[which.reshape(-1)]  # each respondent's position among the new ids
    order = np.lexsort((answers.item, new_rank, answers.unit_id, answers.round_id))
    texts = {VALUE_NA: "NA", VALUE_DK: "DK", 0: ""}
    rows = [
        [str(r), str(u), new_ids[p], answers.item_ids[i], texts[v] if v in texts else str(v)]
        for r, u, p, i, v in zip(
            answers.round_id[order].tolist(),
            answers.unit_id[order].tolist(),
            new_rank[order].tolist(),
            answers.item[order].tolist(),
            answers.value[order].tolist(),
            strict=True,
        )
    ]
    return _csv(ANSWER_COLUMNS, rows), len(respondents)


def units_csv(results: RoundResults) -> bytes:
    """The included units in the analysis' order (by id) with the attributes it used."""
    rows = []
    for ru in sorted(results.included, key=lambda ru: id_of(ru.unit)):
        attributes = ru.attributes()
        rows.append([
            str(ru.unit.id), csv_text(ru.unit.name), ru.unit.kind, attributes["parent_id"] or "",
            attributes["school_form"] or "", attributes["organiser_type"] or "",
            attributes["region"] or "",
        ])  # fmt: skip
    return _csv(UNIT_COLUMNS, rows)


def round_export(
    session: Session,
    *,
    scope: RoundScope,
    stored: QuestionnaireVersion,
    q: Questionnaire,
    k: int,
) -> RoundExport:
    """The export of the round as the caller may see it (``stored`` is the round's version)."""
    results = round_results(
        session, scope=scope, q=q, k=k, group_by=GROUP_BY, compare_by=COMPARE_BY
    )
    answers, n_respondents = answers_csv(results.answers)
    return RoundExport(
        questionnaire_yaml=stored.source.encode("utf-8"),
        units_csv=units_csv(results),
        answers_csv=answers,
        results=results,
        n_respondents=n_respondents,
    )
