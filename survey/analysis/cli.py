"""``survey analyze``: score answers from files and write the equity statistics."""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

if TYPE_CHECKING:
    from survey.analysis.reading import RawColumns
    from survey.analysis.threads import Background

FORMATS = ("json", "csv", "xlsx")
LARGE_INPUT_BYTES = 5_000_000  # show progress on stderr from this answers-file size


class Progress:
    """Stage messages with elapsed seconds on stderr, e.g. ``analyze: read answers (0.61 s)``."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.start = time.perf_counter()

    def __call__(self, message: str) -> None:
        if self.enabled:
            elapsed = time.perf_counter() - self.start
            click.echo(f"analyze: {message} ({elapsed:.2f} s)", err=True)


def _fail(problems: list[object]) -> NoReturn:
    click.echo(f"error: {len(problems)} problem(s) in the input; nothing was written", err=True)
    for problem in problems:
        click.echo(f"  {problem}", err=True)
    sys.exit(1)


@click.command("analyze")
@click.option(
    "--questionnaire",
    "questionnaire_path",
    required=True,
    metavar="Q.yaml",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The questionnaire the answers belong to.",
)
@click.option(
    "--units",
    "units_path",
    required=True,
    metavar="units.csv",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="unit_id,name,kind,parent_id plus attribute columns (CSV or Parquet).",
)
@click.option(
    "--answers",
    "answers_path",
    required=True,
    metavar="answers.csv",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="round,unit_id,respondent_id,item_id,value (CSV or Parquet).",
)
@click.option(
    "--group-by",
    default="parent_id",
    show_default=True,
    metavar="COLUMN",
    help="Units column whose values form the groups.",
)
@click.option(
    "--compare-by",
    multiple=True,
    metavar="COLUMN",
    help="Units column to compare units across (repeatable).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default=None,
    help="Output format [default: from --output's suffix, else json].",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Output file (JSON: default stdout; CSV: PATH_units.csv, PATH_groups.csv, "
    "PATH_comparisons.csv).",
)
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Stage messages on stderr [default: for answer files over 5 MB].",
)
def analyze(
    questionnaire_path: Path,
    units_path: Path,
    answers_path: Path,
    group_by: str,
    compare_by: tuple[str, ...],
    fmt: str | None,
    output: Path | None,
    progress: bool | None,
) -> None:
    """Score answers and compute equity statistics per unit, group and attribute.

    Bad input (unknown item or unit ids, values outside the scale, duplicate rows, ...) is
    listed with file and line; nothing is written and the exit status is 1.
    """
    fmt = fmt or _format_of(output)
    if fmt != "json" and output is None:
        raise click.UsageError(f"--output is required with --format {fmt}")
    if "numpy" not in sys.modules:
        # No BLAS here: OpenBLAS's idle threads would only spin at import (0.1 s of CPU).
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # The run makes many short-lived dicts and lists but no garbage cycles worth a collection:
    # the cyclic collector's passes would only cost time.
    collecting = gc.isenabled()
    gc.disable()
    try:
        _analyze(questionnaire_path, units_path, answers_path, group_by, compare_by, fmt, output,
                 progress)  # fmt: skip
    finally:
        if collecting:
            gc.enable()


def _analyze(
    questionnaire_path: Path,
    units_path: Path,
    answers_path: Path,
    group_by: str,
    compare_by: tuple[str, ...],
    fmt: str,
    output: Path | None,
    progress: bool | None,
) -> None:
    large = answers_path.stat().st_size >= LARGE_INPUT_BYTES
    say = Progress(large if progress is None else progress)
    from survey.analysis.threads import Background

    # The answers file is read (and pyarrow imported) in a thread while this one imports the
    # rest and loads the questionnaire and units: reading Parquet or CSV releases the GIL.
    reader = Background(_read_answers, answers_path)
    from survey.analysis.reading import InputError, read_units
    from survey.analysis.validate import encode_answers
    from survey.questionnaire import QuestionnaireError, load_questionnaire
    from survey.stats import UnitTable
    from survey.stats import analyze as run_analysis

    try:
        q = load_questionnaire(questionnaire_path)
    except QuestionnaireError as exc:
        _wait(reader)
        _fail(list(exc.problems))
    problems: list[object] = []
    units = None
    try:
        units, unit_problems = read_units(units_path)
        problems.extend(unit_problems)
        for column in (group_by, *compare_by):
            if column not in units.columns:
                problems.append(f"{units_path}: no column {column!r} (for --group-by/--compare-by)")
    except InputError as exc:
        problems.extend(exc.problems)
    say("reading answers")
    try:
        raw = reader.result()
        say(f"read {raw.n_rows:,} answer rows")
        if units is not None:
            answers = encode_answers(raw, q, units.ids, str(units_path))
            say("checked answers")
    except InputError as exc:
        problems.extend(exc.problems)
    if problems or units is None:
        _fail(problems)
    table = UnitTable(units.ids, units.columns)
    try:
        if fmt == "json":
            from survey.analysis.pipeline import analyze_to_json

            done = analyze_to_json(
                q, table, answers, group_by=group_by, compare_by=compare_by, output=output,
                progress=say,
            )  # fmt: skip
            counts = (done.n_unit_rows, done.n_group_rows, done.n_comparison_rows)
            written = done.paths
        else:
            result = run_analysis(
                q, table, answers, group_by=group_by, compare_by=compare_by, progress=say
            )
            from survey.analysis.writing import write

            written = write(result, fmt, output, say)
            counts = (result.n_unit_rows, len(result.groups), len(result.comparisons))
    except OSError as exc:
        target = output or "standard output"
        click.echo(f"error: cannot write {target}: {exc.strerror or exc}", err=True)
        sys.exit(1)
    say(f"wrote {counts[0]:,} unit rows, {counts[1]:,} group rows, "
        f"{counts[2]:,} comparison rows")  # fmt: skip
    for path in written:
        click.echo(f"wrote {path}", err=True)


def _read_answers(path: Path) -> RawColumns:
    from survey.analysis.reading import read_answers

    return read_answers(path)


def _wait(reader: Background[RawColumns]) -> None:
    """Let the reading thread finish (its result and problems are not wanted)."""
    with contextlib.suppress(Exception):
        reader.result()


def _format_of(output: Path | None) -> str:
    suffix = output.suffix.lower().lstrip(".") if output else ""
    return suffix if suffix in FORMATS else "json"
