"""Numbers and sentences of the comparison views, in Swedish or English.

Formatting only: every value comes from the statistics engine. ``tr(key, **values)`` is the
translation function of the request's language.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from survey.services.comparison.equity import Note, Panel
from survey.services.comparison.heatmap import ScopeColumn
from survey.stats.groupstats import OUTLIER_Z
from survey.web.formatting import format_number, format_percent
from survey.web.i18n import N_, ntranslate
from survey.web.labels import SPLIT_BY
from survey.web.scopes import ScopeNames

Tr = Callable[..., str]

# "kommunens övriga skolor" …: by the organiser's type (municipal or other) and the units' word.
OTHERS = {
    ("municipal", "school"): N_("cmp.others.municipal.school"),
    ("municipal", "preschool"): N_("cmp.others.municipal.preschool"),
    ("municipal", "unit"): N_("cmp.others.municipal.unit"),
    ("organiser", "school"): N_("cmp.others.organiser.school"),
    ("organiser", "preschool"): N_("cmp.others.organiser.preschool"),
    ("organiser", "unit"): N_("cmp.others.organiser.unit"),
}
UNITS_BETWEEN = {
    "school": N_("cmp.units_between.school"),
    "preschool": N_("cmp.units_between.preschool"),
    "unit": N_("cmp.units_between.unit"),
}
FLAG = {
    "below": N_("cmp.flag.below"),
    "above": N_("cmp.flag.above"),
}


def fmt(value: float | int | None, digits: int, lang: str, *, sign: bool = False) -> str:
    """``1,23`` (sv) / ``1.23`` (en), a real minus sign, "–" for a missing value."""
    return format_number(value, digits, lang, sign=sign)


def fmt_p(p: float | None, lang: str) -> str:
    """``p = 0,01`` or ``p < 0,001``."""
    if p is None:
        return "p = –"
    if p < 0.001:
        return f"p < {fmt(0.001, 3, lang)}"
    return f"p = {fmt(p, 2 if p >= 0.01 else 3, lang)}"


def fmt_pct(share: float | None, lang: str) -> str:
    """``25 %`` (sv) / ``25%`` (en)."""
    return format_percent(share, lang)


def where(column: ScopeColumn, tr: Tr, names: ScopeNames) -> str:
    """ "i FO 2.1" / "in FO 2.1"; "totalt sett" / "overall" for the total."""
    if column.scope_type == "total":
        return tr("cmp.in_total")
    return tr("cmp.in_scope", scope=names.label(column))


def others(panel: Panel, tr: Tr) -> str:
    """ "kommunens övriga skolor", "huvudmannens övriga förskolor", ..."""
    owner = "municipal" if panel.organiser_type == "municipal" else "organiser"
    return tr(OTHERS[owner, panel.unit_word])


def note_sentence(note: Note, panel: Panel, tr: Tr, names: ScopeNames) -> str:
    """One plain sentence with the numbers, e.g. "Skola X ligger klart under kommunens övriga
    skolor i FO 2.1 (Cliff's δ = −0,45, justerat p = 0,01, 18 svarande)."""
    lang = names.lang
    v = note.values
    common = {
        "unit": note.ru.unit.name,
        "others": others(panel, tr),
        "where": where(panel.column, tr, names),
    }
    if note.kind in ("below", "above"):
        return tr(
            FLAG[note.kind],
            **common,
            delta=fmt(v["delta"], 2, lang),
            p=fmt_p(v["p_adj"], lang),
            n=v["n"] if v["n"] is not None else "–",
        )
    z, gap = v["robust_z"], v["level_gap"]
    numbers = {
        "index": fmt(v["index"], 0, lang),
        "median": fmt(v["median_index"], 0, lang),
        "level": v["level"],
        "z": fmt(z, 2, lang),
    }
    if z is not None and z <= OUTLIER_Z:
        return tr("cmp.outlier.clearly", **common, **numbers)
    return ntranslate(
        "cmp.outlier.gap",
        "cmp.outlier.gap.plural",
        gap,
        lang,
        **common,
        **numbers,
        gap=fmt(gap, 0 if gap == int(gap) else 1, lang),
    )


def icc_sentence(panel: Panel, tr: Tr, lang: str) -> str | None:
    """ICC(1) in words: "71 % av variationen i lärarnas svar ligger mellan skolorna"."""
    icc = panel.stats.get("icc1")
    if icc is None:
        return None
    units = tr(UNITS_BETWEEN[panel.unit_word])
    if icc <= 0:
        return tr("cmp.icc_none", units=units, icc=fmt(icc, 2, lang))
    return tr("cmp.icc_words", pct=fmt_pct(icc, lang), units=units, icc=fmt(icc, 2, lang))


def missing_messages(panel: Panel, *, individual: bool, tr: Tr) -> list[str]:
    """What is missing where the panel cannot give a number."""
    stats: dict[str, Any] = panel.stats
    n = panel.n_units
    out = []
    if n == 0:
        return [tr("cmp.missing.no_units")]
    if n < 2:
        out.append(tr("cmp.missing.spread", n=n))
    if individual and stats.get("icc1") is None:
        out.append(tr("cmp.missing.icc", n=stats.get("n_test_units") or 0))
    for split in panel.splits:
        if split.row.get("h") is None:
            if len(split.values) < 2:
                out.append(tr("cmp.missing.one_value", by=tr(SPLIT_BY[split.by])))
            else:
                out.append(tr("cmp.missing.kruskal", by=tr(SPLIT_BY[split.by])))
    return out
