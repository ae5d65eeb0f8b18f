"""One function run in a background thread, its result (or exception) collected later.

``survey analyze`` overlaps independent work this way: reading the Parquet file while the
questionnaire loads, and the comparisons and the units' JSON text while the group statistics are
computed. Arrow and most numpy operations on large arrays release the GIL, so on two cores the
two threads really do run at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """``function(*args)`` in a daemon thread; :meth:`result` waits, then returns its value or
    raises its exception (in the calling thread, with the original traceback)."""

    def __init__(self, function: Callable[..., T], *args: Any):
        self._value: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(function, args), daemon=True)
        self._thread.start()

    def _run(self, function: Callable[..., T], args: tuple[Any, ...]) -> None:
        try:
            self._value = function(*args)
        except BaseException as exc:  # re-raised in result()
            self._error = exc

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value  # type: ignore[return-value]
