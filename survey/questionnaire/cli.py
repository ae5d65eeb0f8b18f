"""``survey questionnaire …``: list questionnaires and print the item → area → sub-goal table."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import click

from survey.config import get_settings
from survey.questionnaire.loader import load_directory, load_framework, load_questionnaire
from survey.questionnaire.model import Framework, Questionnaire


@click.group()
def questionnaire() -> None:
    """Questionnaire files."""


@questionnaire.command("list")
def list_questionnaires() -> None:
    """List the valid questionnaires in the questionnaire folder (invalid ones on stderr)."""
    settings = get_settings()
    loaded, problems = load_directory(settings.questionnaire_dir)
    for problem in problems:
        click.echo(f"skipped: {problem}", err=True)
    for q in loaded:
        click.echo(f"{q.key}\t{q.version}\t{q.respondent}\t{len(q.items)} items\t{q.title.sv}")


def _rows(q: Questionnaire, framework: Framework, lang: str) -> list[list[str]]:
    rows = []
    for item in q.items:
        area = framework.area_by_id[item.area].title.get(lang)
        subgoal = framework.subgoal_by_id[item.subgoal].short.get(lang)
        weight = f"{item.weight:g}"
        rows.append(
            [
                q.key,
                item.id,
                area,
                item.subgoal,
                subgoal,
                weight,
                ", ".join(item.tags),
                item.text.get(lang),
            ]
        )
    return rows


HEADERS = {
    "sv": [
        "Enkät",
        "Påstående",
        "Område",
        "Delmål",
        "Delmålets innehåll",
        "Vikt",
        "Taggar",
        "Text",
    ],
    "en": ["Questionnaire", "Item", "Area", "Sub-goal", "Sub-goal topic", "Weight", "Tags", "Text"],
}


@questionnaire.command("table")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["markdown", "csv"]), default="markdown")
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv")
@click.option("--no-text", is_flag=True, help="Leave out the item texts (a compact table).")
def table(paths: tuple[Path, ...], fmt: str, lang: str, no_text: bool) -> None:
    """Print the mapping item → area → sub-goal, generated from the files."""
    settings = get_settings()
    framework = load_framework(settings.questionnaire_dir / "framework.yaml")
    if paths:
        questionnaires = [load_questionnaire(p, framework) for p in paths]
    else:
        questionnaires, problems = load_directory(settings.questionnaire_dir, framework)
        for problem in problems:
            click.echo(f"skipped: {problem}", err=True)
    headers = HEADERS[lang][:-1] if no_text else HEADERS[lang]
    rows = [r[: len(headers)] for q in questionnaires for r in _rows(q, framework, lang)]
    if fmt == "csv":
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(rows)
        return
    click.echo("| " + " | ".join(headers) + " |")
    click.echo("|" + "---|" * len(headers))
    for row in rows:
        click.echo("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")


@questionnaire.command("coverage")
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv")
def coverage(lang: str) -> None:
    """Print how many items each questionnaire has per sub-goal and per area (Markdown)."""
    settings = get_settings()
    framework = load_framework(settings.questionnaire_dir / "framework.yaml")
    questionnaires, _ = load_directory(settings.questionnaire_dir, framework)
    keys = [q.key for q in questionnaires]
    click.echo("| " + " | ".join(["", *keys]) + " |")
    click.echo("|" + "---|" * (len(keys) + 1))
    scopes = [("subgoal", s.id, f"{s.id} {s.short.get(lang)}") for s in framework.subgoals]
    scopes += [("area", a.id, a.title.get(lang)) for a in framework.areas]
    for scope_type, scope_id, label in scopes:
        counts = [str(len(q.items_in(scope_type, scope_id))) for q in questionnaires]
        click.echo("| " + " | ".join([label, *counts]) + " |")
    total = "Totalt" if lang == "sv" else "Total"
    click.echo("| " + " | ".join([total, *(str(len(q.items)) for q in questionnaires)]) + " |")
