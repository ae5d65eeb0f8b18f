"""Run a click command as the whole process and end it without the interpreter's teardown.

Once a one-shot command such as ``survey analyze`` has written its output and flushed standard
output and error (its files are closed by then), the process ends with ``os._exit``: the
interpreter's own teardown (freeing every imported module and the memory pools, 0.1-0.3 s after
a national analysis) does nothing a finished command needs. Only the console entry points use
this; the commands themselves return normally, as they must when tests run them in-process.
"""

from __future__ import annotations

import os
import sys
from typing import Any, NoReturn

import click


def exit_status(code: object) -> int:
    """What ``sys.exit(code)`` would make the exit status (a message goes to stderr)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def run_and_exit(command: click.Command, **kwargs: Any) -> NoReturn:
    """``command(**kwargs)`` in click's standalone mode, then flush and ``os._exit``."""
    try:
        command(**kwargs)  # standalone click command: ends in SystemExit
        status = 0
    except SystemExit as exc:
        status = exit_status(exc.code)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            status = status or 120  # as Python does when flushing fails at exit
    os._exit(status)
