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


DIFF_WORDS = {
    "sv": {
        "same": "samma",
        "reworded": "omformulerat",
        "changed": "ändrat",
        "split": "delat",
        "merged": "sammanslaget",
        "new": "nytt",
        "removed": "borttaget",
        "comparable": "jämförbart",
        "not_comparable": "inte jämförbart",
        "moved": "inte jämförbart: delmål eller område ändrat",
        "title": "Korsreferens {key} {old} → {new}",
        "summary": "{n} av {total} påståenden i {new} är jämförbara med {old}",
        "missing": "Ingen giltig korsreferens {file}",
    },
    "en": {
        "same": "same",
        "reworded": "reworded",
        "changed": "changed",
        "split": "split",
        "merged": "merged",
        "new": "new",
        "removed": "removed",
        "comparable": "comparable",
        "not_comparable": "not comparable",
        "moved": "not comparable: sub-goal or area changed",
        "title": "Crosswalk {key} {old} → {new}",
        "summary": "{n} of {total} items in {new} are comparable with {old}",
        "missing": "No valid crosswalk {file}",
    },
}


@questionnaire.command("diff")
@click.argument("key")
@click.argument("old")
@click.argument("new")
@click.option("--lang", type=click.Choice(["sv", "en"]), default="sv")
def diff(key: str, old: str, new: str, lang: str) -> None:
    """Print the crosswalk from version OLD to NEW of questionnaire KEY: counts per kind of
    change, then one line per entry with both versions' texts (ids, kind, whether comparable,
    then ``OLD: id text  ||  NEW: id text``)."""
    from survey.questionnaire.crosswalk import (
        COMPARABLE,
        comparable_pairs,
        file_name,
        find_crosswalk,
    )

    words = DIFF_WORDS[lang]
    settings = get_settings()
    framework = load_framework(settings.questionnaire_dir / "framework.yaml")
    loaded, _ = load_directory(settings.questionnaire_dir, framework)
    versions = {(q.key, q.version): q for q in loaded}
    before, after = versions.get((key, old)), versions.get((key, new))
    for version, found in ((old, before), (new, after)):
        if found is None:
            click.echo(f"error: no valid questionnaire '{key}' version '{version}'", err=True)
            sys.exit(1)
    assert before is not None and after is not None
    walk = find_crosswalk(settings.questionnaire_dir, before, after)
    if walk is None:
        message = words["missing"].format(file=f"crosswalks/{file_name(key, old, new)}")
        click.echo(f"{message} (survey validate)", err=True)
        sys.exit(1)
    pairs = comparable_pairs(walk, before, after)
    click.echo(words["title"].format(key=key, old=old, new=new))
    click.echo(
        words["summary"].format(n=len(pairs), total=len(after.items), old=old, new=new) + "."
    )
    for kind, n in walk.counts().items():
        click.echo(f"  {words[kind]}: {n}")
    click.echo("")

    def texts(q: Questionnaire, ids: tuple[str, ...]) -> str:
        return " | ".join(f"{i} {q.item_by_id[i].text.get(lang)}" for i in ids) or "—"

    for entry in walk.entries:
        comparable = entry.change in COMPARABLE and entry.old and entry.old[0] in pairs
        verdict = words["comparable" if comparable else "not_comparable"]
        if entry.change in COMPARABLE and not comparable:
            verdict = words["moved"]
        ids = f"{', '.join(entry.old) or '—'} → {', '.join(entry.new) or '—'}"
        click.echo(
            f"{ids}  [{words[entry.change]}; {verdict}]  "
            f"{old}: {texts(before, entry.old)}  ||  {new}: {texts(after, entry.new)}"
        )
