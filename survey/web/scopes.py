"""What a scope (a sub-goal, an area, the total) is called in the reader's language.

Services name scopes by type and id only; pages, files and API bodies call these. Templates get
``scope_label(x)``, ``scope_title(x)`` and ``scope_full(x)`` for anything with ``scope_type``
and ``scope_id`` (a heat-map column, a summary row), in the page's language.
"""

from __future__ import annotations

from typing import Any, Protocol

from jinja2 import pass_context
from jinja2.runtime import Context

from survey.questionnaire import Framework
from survey.web.i18n import translate


class Scoped(Protocol):
    @property
    def scope_type(self) -> str: ...

    @property
    def scope_id(self) -> str: ...


def scope_label(framework: Framework, scope: Scoped, lang: str) -> str:
    """ "FO 2.1", the area's name, or "Totalt"."""
    if scope.scope_type == "subgoal":
        return scope.scope_id.replace("FO", "FO ")
    if scope.scope_type == "area":
        return framework.area_by_id[scope.scope_id].title.get(lang)
    return translate("scope.total", lang)


def scope_title(framework: Framework, scope: Scoped, lang: str) -> str:
    """A sub-goal's short title; nothing for areas and the total."""
    if scope.scope_type == "subgoal":
        return framework.subgoal_by_id[scope.scope_id].short.get(lang)
    return ""


def scope_full(framework: Framework, scope: Scoped, lang: str) -> str:
    """ "FO 2.1 Digital kompetens …", the area's name, or "Totalt"."""
    return f"{scope_label(framework, scope, lang)} {scope_title(framework, scope, lang)}".strip()


def _in_context(name: str, function: Any) -> Any:
    @pass_context
    def call(context: Context, scope: Scoped) -> str:
        return function(context["framework"], scope, context.get("lang") or "sv")  # type: ignore[no-any-return]

    call.__name__ = name
    return call


TEMPLATE_GLOBALS = {
    name: _in_context(name, function)
    for name, function in (
        ("scope_label", scope_label),
        ("scope_title", scope_title),
        ("scope_full", scope_full),
    )
}


class ScopeNames:
    """The scope names of one framework in one language (for presentation code)."""

    def __init__(self, framework: Framework, lang: str):
        self.framework = framework
        self.lang = lang

    def label(self, scope: Scoped) -> str:
        return scope_label(self.framework, scope, self.lang)

    def title(self, scope: Scoped) -> str:
        return scope_title(self.framework, scope, self.lang)

    def full(self, scope: Scoped) -> str:
        return scope_full(self.framework, scope, self.lang)
