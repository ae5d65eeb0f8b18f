"""Interface texts of feature modules: each submodule defines ``MESSAGES`` (key → {sv, en}).

They are merged into :data:`survey.web.i18n.MESSAGES`; keys must not collide.
"""

from __future__ import annotations

import importlib
import pkgutil


def feature_messages() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for key, value in module.MESSAGES.items():
            if key in merged:
                raise ValueError(f"message key {key!r} defined twice ({info.name})")
            merged[key] = value
    return merged
