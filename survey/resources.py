"""Where the data directories (questionnaires, templates, static) live.

In a wheel they are packaged under ``survey/_data``; in a source checkout (and an editable
install) they are the top-level folders next to the package. A setting can point elsewhere.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Return the folder ``name`` (``questionnaires``, ``templates`` or ``static``)."""
    packaged = _PACKAGE / "_data" / name
    if packaged.is_dir():
        return packaged
    return _PACKAGE.parent / name
