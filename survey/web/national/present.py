"""Words and view rows of the national pages, in Swedish or English.

Formatting only: every number comes from a release's publication (``load_release``) or the
paired trend, with their suppression already applied. ``tr(key, **values)`` is the translation
function of the request's language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from survey.models import Round
from survey.services.comparison.heatmap import ScopeColumn
from survey.services.national.aggregates import DIMENSIONS, FAMILY
from survey.web.comparison.present import fmt, fmt_p, fmt_pct
from survey.web.i18n import N_, ntranslate
from survey.web.labels import NATIONAL_KINDS, SCHOOL_FORMS
from survey.web.national.files import GroupNames, breakdown_title
from survey.web.scopes import ScopeNames

Tr = Callable[..., str]
SCOPE_TYPES = ("subgoal", "area", "total")
BETWEEN = {  # "län", "huvudmannatyper" …: the groups of one dimension, after "between"
    "region": N_("nat.between.region"),
    "organiser_type": N_("nat.between.organiser_type"),
    "school_form": N_("nat.between.school_form"),
    "organiser": N_("nat.between.organiser"),
}


@dataclass(frozen=True)
class Option:
    value: str  # the ``by`` query value
    label: str
    kind: str  # nation | one | two


def breakdown_options(tr: Tr) -> list[Option]:
    kinds = {0: "nation", 1: "one", 2: "two"}
    return [Option(",".join(b), breakdown_title(b, tr), kinds[len(b)]) for b in FAMILY]


def group_key(group: dict[str, str]) -> str:
    """``region=03;organiser_type=municipal`` (the row's ``data-group`` on the pages)."""
    return ";".join(f"{d}={group[d]}" for d in DIMENSIONS if d in group)


@dataclass(frozen=True)
class ViewRow:
    label: str
    key: str
    row: dict[str, Any]


def group_rows(rows: list[dict[str, Any]], names: GroupNames, tr: Tr) -> list[ViewRow]:
    """One row per group, by name."""
    out = [ViewRow(names.label(r["group"], tr), group_key(r["group"]), r) for r in rows]
    return sorted(out, key=lambda v: v.label.casefold())


def scope_rows(
    rows: list[dict[str, Any]], columns: list[ScopeColumn], names: ScopeNames
) -> list[ViewRow]:
    """The nation: one row per scope, in the questionnaire's order."""
    by_scope = {(r["scope_type"], r["scope_id"]): r for r in rows}
    return [
        ViewRow(names.full(c), c.scope_id, by_scope[(c.scope_type, c.scope_id)])
        for c in columns
        if (c.scope_type, c.scope_id) in by_scope
    ]


def between_words(by: tuple[str, ...], tr: Tr) -> str:
    """ "län" / "kombinationer av län och huvudmannatyp"."""
    if len(by) == 1:
        return tr(BETWEEN[by[0]])
    return tr("nat.between.pair", a=tr(BETWEEN[by[0]]), b=tr(BETWEEN[by[1]]))


def equity_sentences(comparison: dict[str, Any] | None, by: tuple[str, ...], tr: Tr, lang: str
                     ) -> list[str]:  # fmt: skip
    """Theil's decomposition and Kruskal–Wallis across the groups, in words."""
    if comparison is None or not by:
        return []
    between = between_words(by, tr)
    if comparison.get("withheld"):
        return [tr("nat.eq.withheld", between=between)]
    out = []
    share = comparison.get("between_share")
    if share is not None and comparison.get("theil_total") is not None:
        out.append(
            tr(
                "nat.eq.theil",
                between=between,
                share=fmt_pct(share, lang),
                within=fmt_pct(1 - share, lang),
                theil=fmt(comparison["theil_total"], 3, lang),
            )
        )
    h, p = comparison.get("h"), comparison.get("p")
    n = int(comparison.get("n") or 0)
    numbers: dict[str, str | int] = {
        "between": between,
        "h": fmt(h, 2, lang),
        "p": fmt_p(p, lang),
        "eps": fmt(comparison.get("epsilon2"), 2, lang),
        "n": n,
    }
    if h is None or p is None:
        out.append(
            ntranslate("nat.eq.kruskal_none", "nat.eq.kruskal_none.plural", n, lang, **numbers)
        )
    elif p < 0.05:
        out.append(tr("nat.eq.kruskal_sig", **numbers))
    else:
        out.append(tr("nat.eq.kruskal_ns", **numbers))
    return out


def targets_in_words(round_: Round, tr: Tr, lang: str) -> str:
    """ "skolenheter med grundskola" / "huvudmän"."""
    targets = round_.targets or {}
    if "unit_ids" in targets:
        n = len(targets["unit_ids"])
        return ntranslate("nat.targets.units", "nat.targets.units.plural", n, lang, n=n)
    kinds = ", ".join(tr(NATIONAL_KINDS[k]) for k in targets.get("kinds", []))
    forms = [tr(SCHOOL_FORMS[f]).lower() for f in targets.get("school_forms", [])]
    if not forms:
        return kinds
    return tr("nat.targets.with_forms", kinds=kinds, forms=", ".join(forms))


def formatters(lang: str) -> dict[str, Any]:
    return {
        "num": lambda v, d=2: fmt(v, d, lang),
        "pval": lambda p: fmt_p(p, lang),
        "pct": lambda s: fmt_pct(s, lang),
    }
