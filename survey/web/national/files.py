"""Publication files of a national round: CSV, XLSX and Parquet of every aggregate
table, read from a release of the round (``survey.services.national.releases``) — the one
code path that also feeds the pages and the API, so every file hides exactly the cells they hide.

- CSV: one table, every breakdown (column ``by``), stable column keys as in the API; a
  suppressed statistic is the marker "–".
- XLSX: a method sheet (definitions, coverage, the suppression rule with k and the marker), one
  sheet per breakdown with translated headers ("–" where suppressed), and the equity
  comparisons (Kruskal–Wallis, Theil decomposition) per breakdown.
- Parquet: the CSV's table with typed columns; a suppressed statistic is null and ``suppressed``
  is true (a typed column cannot hold the marker).

Statistics are rounded to four decimals in the files; the JSON API gives full precision.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from sqlmodel import Session, col, select

from survey.cache import Memo, database_key
from survey.clock import utcnow
from survey.models import Round, Unit
from survey.questionnaire import Framework, Questionnaire
from survey.services.comparison.heatmap import scope_columns
from survey.services.national.aggregates import DIMENSIONS, FAMILY, Publication
from survey.services.national.releases import Release, round_release
from survey.sheets import Cell, Sheet, csv_bytes, file_stem, xlsx_bytes
from survey.stats.publication import DETAIL_FIELDS
from survey.web.formatting import format_date, format_datetime, format_percent
from survey.web.i18n import N_, ntranslate
from survey.web.labels import DIMENSION, RELEASE_KIND, SCHOOL_FORMS
from survey.web.scopes import scope_full

Tr = Callable[..., str]
MARKER = "–"
DIGITS = 4
STATS = ("mean", "median", "q1", "q3", "sd", "share_below_floor", "gini", "theil")
COVERAGE = ("n_targeted", "n_units", "response_rate")
NAMED = {"region": "region_name", "organiser": "organiser_name"}
GROUP_KEYS = [k for d in DIMENSIONS for k in (d, *((NAMED[d],) if d in NAMED else ()))]
KEYS = ["round", "release", "by", *GROUP_KEYS, "scope_type", "scope_id", "scope", *COVERAGE,
        *STATS, "suppressed", "detail_withheld"]  # fmt: skip
COMPARISON_KEYS = ("n", "h", "p", "epsilon2", "theil_total", "theil_between", "theil_within",
                   "between_share")  # fmt: skip

# The column names and definitions of the files, by column (every one of KEYS and
# COMPARISON_KEYS), and the names of the organiser types.
COLUMNS = {
    "round": N_("nat.col.round"),
    "release": N_("nat.col.release"),
    "by": N_("nat.col.by"),
    "region": N_("nat.col.region"),
    "region_name": N_("nat.col.region_name"),
    "organiser_type": N_("nat.col.organiser_type"),
    "school_form": N_("nat.col.school_form"),
    "organiser": N_("nat.col.organiser"),
    "organiser_name": N_("nat.col.organiser_name"),
    "scope_type": N_("nat.col.scope_type"),
    "scope_id": N_("nat.col.scope_id"),
    "scope": N_("nat.col.scope"),
    "n_targeted": N_("nat.col.n_targeted"),
    "n_units": N_("nat.col.n_units"),
    "response_rate": N_("nat.col.response_rate"),
    "mean": N_("nat.col.mean"),
    "median": N_("nat.col.median"),
    "q1": N_("nat.col.q1"),
    "q3": N_("nat.col.q3"),
    "sd": N_("nat.col.sd"),
    "share_below_floor": N_("nat.col.share_below_floor"),
    "gini": N_("nat.col.gini"),
    "theil": N_("nat.col.theil"),
    "suppressed": N_("nat.col.suppressed"),
    "detail_withheld": N_("nat.col.detail_withheld"),
}
DEFINITIONS = {
    "round": N_("nat.def.round"),
    "release": N_("nat.def.release"),
    "by": N_("nat.def.by"),
    "region": N_("nat.def.region"),
    "region_name": N_("nat.def.region_name"),
    "organiser_type": N_("nat.def.organiser_type"),
    "school_form": N_("nat.def.school_form"),
    "organiser": N_("nat.def.organiser"),
    "organiser_name": N_("nat.def.organiser_name"),
    "scope_type": N_("nat.def.scope_type"),
    "scope_id": N_("nat.def.scope_id"),
    "scope": N_("nat.def.scope"),
    "n_targeted": N_("nat.def.n_targeted"),
    "n_units": N_("nat.def.n_units"),
    "response_rate": N_("nat.def.response_rate"),
    "mean": N_("nat.def.mean"),
    "median": N_("nat.def.median"),
    "q1": N_("nat.def.q1"),
    "q3": N_("nat.def.q3"),
    "sd": N_("nat.def.sd"),
    "share_below_floor": N_("nat.def.share_below_floor"),
    "gini": N_("nat.def.gini"),
    "theil": N_("nat.def.theil"),
    "suppressed": N_("nat.def.suppressed"),
    "detail_withheld": N_("nat.def.detail_withheld"),
}
COMPARISON_COLUMNS = {
    "n": N_("nat.col.cmp.n"),
    "h": N_("nat.col.cmp.h"),
    "p": N_("nat.col.cmp.p"),
    "epsilon2": N_("nat.col.cmp.epsilon2"),
    "theil_total": N_("nat.col.cmp.theil_total"),
    "theil_between": N_("nat.col.cmp.theil_between"),
    "theil_within": N_("nat.col.cmp.theil_within"),
    "between_share": N_("nat.col.cmp.between_share"),
}
ORGANISER_TYPES = {
    "municipal": N_("nat.ot.municipal"),
    "independent": N_("nat.ot.independent"),
    "state": N_("nat.ot.state"),
}


@dataclass(frozen=True)
class GroupNames:
    """Names of the groups of a breakdown: regions by county code, organisers by unit id."""

    regions: dict[str, str]
    organisers: dict[str, str]

    def name(self, dimension: str, value: str, tr: Tr) -> str:
        if dimension == "region":
            return self.regions.get(value, value)
        if dimension == "organiser":
            return self.organisers.get(value, value)
        if dimension == "organiser_type":
            return tr(ORGANISER_TYPES[value])
        return tr(SCHOOL_FORMS[value])

    def label(self, group: dict[str, str], tr: Tr) -> str:
        """ "Uppsala län · Kommunal"; the nation's name for the nation."""
        if not group:
            return tr("nat.by.nation")
        return " · ".join(self.name(d, v, tr) for d, v in group.items())


def group_names(session: Session, rows: list[dict[str, Any]]) -> GroupNames:
    organiser_ids = {int(r["group"]["organiser"]) for r in rows if "organiser" in r["group"]}
    regions: dict[str, str] = {}
    for code, name in session.exec(
        select(Unit.county_code, Unit.name).where(Unit.kind == "region").order_by(col(Unit.id))
    ):
        if code:
            regions.setdefault(code, name)
    organisers = {
        str(uid): name
        for uid, name in session.exec(
            select(Unit.id, Unit.name).where(col(Unit.id).in_(organiser_ids))
        )
    } if organiser_ids else {}  # fmt: skip
    return GroupNames(regions, organisers)


def scope_order(q: Questionnaire, framework: Framework, lang: str) -> dict[tuple[str, str], int]:
    return {(c.scope_type, c.scope_id): i for i, c in enumerate(scope_columns(q))}


def scope_labels(q: Questionnaire, framework: Framework, lang: str) -> dict[tuple[str, str], str]:
    return {(c.scope_type, c.scope_id): scope_full(framework, c, lang) for c in scope_columns(q)}


def sorted_rows(
    rows: list[dict[str, Any]], order: dict[tuple[str, str], int], names: GroupNames, tr: Tr
) -> list[dict[str, Any]]:
    """Breakdown (nation, one-way, two-way), scope (sub-goals, areas, total), group name."""
    family = {",".join(b): i for i, b in enumerate(FAMILY)}
    return sorted(
        rows,
        key=lambda r: (
            family.get(r["by"], len(family)),
            order.get((r["scope_type"], r["scope_id"]), len(order)),
            names.label(r["group"], tr).casefold(),
        ),
    )


def _round(value: Any) -> Any:
    return round(float(value), DIGITS) if isinstance(value, float) else value


def flat_rows(
    pub: Publication, *, q: Questionnaire, framework: Framework, names: GroupNames, tr: Tr,
    lang: str, release: int,
) -> list[dict[str, Any]]:  # fmt: skip
    """Every row of the publication as a flat record with the columns ``KEYS`` (None where a
    breakdown has no such column or a statistic is suppressed)."""
    labels = scope_labels(q, framework, lang)
    out = []
    for row in sorted_rows(pub.rows, scope_order(q, framework, lang), names, tr):
        record: dict[str, Any] = {"round": row["round"], "release": release, "by": row["by"]}
        for dimension in DIMENSIONS:
            value = row["group"].get(dimension)
            record[dimension] = value
            if dimension in NAMED:
                record[NAMED[dimension]] = names.name(dimension, value, tr) if value else None
        record["scope_type"] = row["scope_type"]
        record["scope_id"] = row["scope_id"]
        record["scope"] = labels.get((row["scope_type"], row["scope_id"]), row["scope_id"])
        for key in (*COVERAGE, *STATS):
            record[key] = _round(row[key])
        record["suppressed"] = bool(row["suppressed"])
        record["detail_withheld"] = bool(row.get("detail_withheld"))
        out.append(record)
    return out


def _marked(record: dict[str, Any], key: str) -> Cell:
    value = record[key]
    if value is None and record["suppressed"] and key in (*COVERAGE, *STATS):
        return MARKER
    if value is None and record["detail_withheld"] and key in DETAIL_FIELDS:
        return MARKER
    return value  # type: ignore[no-any-return]


FLAGS = ("suppressed", "detail_withheld")


def csv_file(records: list[dict[str, Any]]) -> bytes:
    rows: list[list[Cell]] = [
        [("true" if r[k] else "false") if k in FLAGS else _marked(r, k) for k in KEYS]
        for r in records
    ]
    return csv_bytes([Sheet("aggregates", "aggregates", list(KEYS), rows)])


_TYPES = {
    **{k: pa.int64() for k in ("round", "release", "n_targeted", "n_units")},
    **{k: pa.float64() for k in ("response_rate", *STATS)},
    "suppressed": pa.bool_(),
    "detail_withheld": pa.bool_(),
}


def parquet_file(records: list[dict[str, Any]]) -> bytes:
    schema = pa.schema([(k, _TYPES.get(k, pa.string())) for k in KEYS])
    table = pa.Table.from_pylist(records, schema=schema)
    buffer = io.BytesIO()
    pq.write_table(table, buffer)
    return buffer.getvalue()


def breakdown_title(by: tuple[str, ...], tr: Tr) -> str:
    if not by:
        return tr("nat.by.nation")
    return " × ".join(tr(DIMENSION[d]) for d in by)


def _method_sheet(
    release: Release, *, q: Questionnaire, records: list[dict[str, Any]], tr: Tr, lang: str
) -> Sheet:
    pub, info = release.publication, release.info
    round_ = pub.round
    nation = next((r for r in records if r["by"] == "" and r["scope_type"] == "total"), None)
    coverage = MARKER
    if nation is not None and not nation["suppressed"]:
        coverage = ntranslate(
            "nat.method.coverage_value",
            "nat.method.coverage_value.plural",
            nation["n_targeted"],
            lang,
            n=nation["n_units"],
            targeted=nation["n_targeted"],
            rate=format_percent(nation["response_rate"] or 0, lang, 1),
        )
    facts: list[tuple[str, Cell]] = [
        (tr("nat.method.round"), round_.title),
        (tr("nat.method.questionnaire"), f"{q.title.get(lang)} ({q.key} {q.version})"),
        (tr("nat.method.period"),
         f"{format_date(round_.opens, lang)} – {format_date(round_.closes, lang)}"),
        (tr("nat.method.release"),
         tr("nat.release.name", number=info.number, kind=tr(RELEASE_KIND[info.kind]),
            date=f"{format_datetime(info.created_at, lang)} UTC")),
        (tr("nat.method.releases"), tr("nat.note.releases", k=pub.k)),
        (tr("nat.method.exported"), f"{format_datetime(utcnow(), lang)} UTC"),
        (tr("nat.method.coverage"), coverage),
        (tr("nat.method.coverage_note"), tr("nat.note.coverage")),
        (tr("nat.method.k"), pub.k),
        (tr("nat.method.marker"), MARKER),
        (tr("nat.method.primary"), tr("nat.note.primary", k=pub.k, marker=MARKER)),
        (tr("nat.method.secondary"), tr("nat.note.secondary", k=pub.k)),
        (tr("nat.method.detail"), tr("nat.note.detail", k_detail=info.k_detail, marker=MARKER)),
        (tr("nat.method.equity"), tr("nat.note.equity_withheld")),
        (tr("nat.method.units"), tr("nat.note.units")),
        (tr("nat.method.breakdowns"),
         ", ".join(breakdown_title(b, tr) for b in FAMILY)),
        (tr("nat.method.files"), tr("nat.note.files", marker=MARKER)),
        (tr("nat.method.rounding"), tr("nat.note.rounding", digits=DIGITS)),
    ]  # fmt: skip
    rows: list[list[Cell]] = [[key, value, ""] for key, value in facts]
    rows += [[k, tr(COLUMNS[k]), tr(DEFINITIONS[k])] for k in KEYS]
    columns = [tr("nat.method.what"), tr("nat.method.value"), tr("nat.method.definition")]
    return Sheet("method", tr("nat.sheet.method"), columns, rows)


def _breakdown_sheet(by: tuple[str, ...], records: list[dict[str, Any]], tr: Tr) -> Sheet:
    group_keys = [k for d in by for k in (d, *((NAMED[d],) if d in NAMED else ()))]
    keys = [*group_keys, "scope", *COVERAGE, *STATS]
    name = ",".join(by)
    rows = [[_marked(r, k) for k in keys] for r in records if r["by"] == name]
    return Sheet(name or "nation", breakdown_title(by, tr), [tr(COLUMNS[k]) for k in keys],
                 rows)  # fmt: skip


def _comparison_sheet(
    pub: Publication, order: dict[tuple[str, str], int], labels: dict[tuple[str, str], str],
    tr: Tr,
) -> Sheet:  # fmt: skip
    family = {",".join(b): i for i, b in enumerate(FAMILY)}
    comparisons = sorted(
        pub.comparisons,
        key=lambda c: (family.get(c["by"], 99), order.get((c["scope_type"], c["scope_id"]), 99)),
    )
    rows: list[list[Cell]] = [
        [
            breakdown_title(tuple(c["by"].split(",")), tr),
            labels.get((c["scope_type"], c["scope_id"]), c["scope_id"]),
            *(MARKER if c.get("withheld") else _round(c.get(k)) for k in COMPARISON_KEYS),
        ]
        for c in comparisons
    ]
    columns = [tr("nat.col.by"), tr("nat.col.scope"),
               *(tr(COMPARISON_COLUMNS[k]) for k in COMPARISON_KEYS)]  # fmt: skip
    return Sheet("comparisons", tr("nat.sheet.comparisons"), columns, rows)


def xlsx_file(
    release: Release, *, q: Questionnaire, framework: Framework, records: list[dict[str, Any]],
    tr: Tr, lang: str,
) -> bytes:  # fmt: skip
    pub = release.publication
    sheets = [_method_sheet(release, q=q, records=records, tr=tr, lang=lang)]
    sheets += [_breakdown_sheet(by, records, tr) for by in FAMILY]
    sheets.append(
        _comparison_sheet(
            pub, scope_order(q, framework, lang), scope_labels(q, framework, lang), tr
        )
    )
    return xlsx_bytes(sheets)


FORMATS = ("csv", "xlsx", "parquet")


@dataclass(frozen=True)
class PublicationFile:
    content: bytes
    filename: str


# Releases never change, so a release's file is made once (a large XLSX takes seconds); bounded
# by total size.
_files: Memo[PublicationFile] = Memo(
    "publication files", max_weight=64 * 1024 * 1024, weight=lambda f: len(f.content)
)


def publication_file(
    session: Session, *, round_: Round, framework: Framework, fmt: str, tr: Tr, lang: str,
    number: int | None = None,
) -> PublicationFile:  # fmt: skip
    """A release's aggregates as ``fmt`` (csv, xlsx or parquet)."""
    q, release = round_release(session, round_=round_, framework=framework, number=number)

    def make() -> PublicationFile:
        pub = release.publication
        names = group_names(session, pub.rows)
        records = flat_rows(
            pub, q=q, framework=framework, names=names, tr=tr, lang=lang,
            release=release.info.number,
        )  # fmt: skip
        if fmt == "csv":
            content = csv_file(records)
        elif fmt == "xlsx":
            content = xlsx_file(
                release, q=q, framework=framework, records=records, tr=tr, lang=lang
            )
        else:
            content = parquet_file(records)
        stem = file_stem(round_.title, f"release {release.info.number} aggregat")
        return PublicationFile(content, f"{stem}.{fmt}")

    return _files.get_or_make((database_key(session), release.info.id, fmt, lang), make)
