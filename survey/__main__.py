"""``python -m survey`` is the same as the ``survey`` command."""

from survey.cli import entry

entry()
