"""``survey analyze`` to JSON: the analysis and the writing overlapped in threads.

The same steps as :func:`survey.stats.analyze` followed by
:func:`survey.analysis.writing.write`, arranged so that both cores stay busy: after scoring,
the respondent tests of every scope, the JSON text of every ``units`` column, the comparisons,
the rest of the group statistics and the joining of the ``units`` rows are tasks for two worker
threads (numpy and Arrow release the GIL while they work), and this thread writes each part of
the file as soon as it and everything before it are ready. Every task computes its own part
with the very same operations, so the file is byte for byte the one the plain path writes (the
tests compare them).
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyarrow as pa

from survey.analysis import jsonout
from survey.analysis.writing import atomic
from survey.questionnaire import Questionnaire
from survey.stats import (
    COMPARISON_ROW_FIELDS,
    GROUP_ROW_FIELDS,
    UNIT_FIELDS,
    AnswerTable,
    UnitTable,
)
from survey.stats.compare import comparison_rows
from survey.stats.engine import check_columns, unit_columns
from survey.stats.groupstats import (
    INTEGER_GROUP_FIELDS,
    finish_group_columns,
    group_distribution,
    start_group_tests,
)
from survey.stats.prepare import prepare
from survey.stats.within import UNIT_FIELDS as TEST_FIELDS

WORKERS = 2  # threads besides this one: the development and benchmark machines have 2 cores


@contextmanager
def _json_output(output: Path | None) -> Iterator[IO[bytes]]:
    """The file (written under a temporary name, renamed at the end), or for standard output a
    buffer written out at the end, so that a failure leaves no partial JSON anywhere."""
    if output is None:
        buffer = io.BytesIO()
        yield buffer
        sys.stdout.buffer.write(buffer.getbuffer())
        sys.stdout.flush()
        return
    with atomic([output]) as temps, temps[0].open("wb") as handle:
        yield handle


@dataclass(frozen=True)
class Written:
    n_unit_rows: int
    n_group_rows: int
    n_comparison_rows: int
    paths: list[Path]


def analyze_to_json(
    questionnaire: Questionnaire,
    units: UnitTable,
    answers: AnswerTable,
    *,
    group_by: str,
    compare_by: Sequence[str],
    output: Path | None,
    progress: Callable[[str], None],
) -> Written:
    """``survey.stats.analyze(...)`` written as JSON to ``output`` (None: standard output);
    returns the number of rows of each section and the files written."""
    check_columns(units, group_by, compare_by)
    with ThreadPoolExecutor(WORKERS) as pool, _json_output(output) as out:
        prepared = prepare(questionnaire, units, answers, pool)
        progress("scored answer sets and units")
        group_codes, group_labels = units.codes(group_by)
        unit_ids = list(units.ids)
        tests = start_group_tests(prepared, group_codes, group_labels, unit_ids, pool)
        distribution = pool.submit(
            group_distribution, prepared, group_codes, group_labels, unit_ids
        )
        untested = unit_columns(prepared, group_codes, group_labels, unit_ids, {})
        texts: dict[str, Future[dict[str, pa.Array]]] = {
            name: pool.submit(jsonout.unit_texts, untested, [name])
            for name in UNIT_FIELDS
            if name not in TEST_FIELDS
        }
        comparisons = [
            pool.submit(comparison_rows, prepared, column, *units.codes(column))
            for column in compare_by
        ]
        within = tests() if tests is not None else None
        columns = unit_columns(
            prepared, group_codes, group_labels, unit_ids, within.unit if within else {}
        )
        for name in TEST_FIELDS:
            texts[name] = pool.submit(jsonout.unit_texts, columns, [name])

        def groups() -> tuple[int, list[bytes | memoryview]]:
            done = finish_group_columns(
                prepared, distribution.result(), group_labels, unit_ids, within=within
            )
            texts = None
            if done.n_rows:
                texts = jsonout.column_texts(done.columns, GROUP_ROW_FIELDS, INTEGER_GROUP_FIELDS)
            return done.n_rows, jsonout.section_bytes("groups", GROUP_ROW_FIELDS, texts)

        def comparison_bytes() -> tuple[int, list[bytes | memoryview]]:
            rows = [row for task in comparisons for row in task.result()]
            texts = jsonout.section_texts(rows, COMPARISON_ROW_FIELDS)
            return len(rows), jsonout.section_bytes("comparisons", COMPARISON_ROW_FIELDS, texts)

        group_task = pool.submit(groups)
        comparison_task = pool.submit(comparison_bytes)
        out.write(jsonout.head({"key": questionnaire.key, "version": questionnaire.version}))
        unit_text = [texts[name].result()[name] for name in UNIT_FIELDS]
        jsonout.write_rows(UNIT_FIELDS, unit_text, out, pool)
        n_groups, group_bytes = group_task.result()
        progress("group statistics")
        n_comparisons, comparison_parts = comparison_task.result()
        progress("comparisons")
        for part in (*group_bytes, *comparison_parts, jsonout.END):
            out.write(part)
    n_units = len(prepared.scopes) * prepared.n_ur  # rows: every scope of every unit-round
    paths = [] if output is None else [output]
    return Written(n_units, n_groups, n_comparisons, paths)
