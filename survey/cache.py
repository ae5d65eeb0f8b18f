"""The one process-wide cache mechanism: a bounded, thread-safe map, least recently used first
out.

Only values that cannot go stale are kept, so nothing is ever invalidated: a key names exactly
what the value was made from. The key discipline, everywhere:

- a value read from the database starts its key with :func:`database_key` (one process may
  serve several databases: the tests, the benchmarks), then the immutable identity of what was
  read (a release id, a questionnaire version id, the submitted answers' fingerprint);
- a value computed from content is keyed by the content's checksum or fingerprint.

Each cache states its bound as a total *weight* (entries by default; answers for answer columns).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar

from sqlmodel import Session

V = TypeVar("V")

_ALL: list[Memo[Any]] = []


class Memo(Generic[V]):
    def __init__(self, name: str, *, max_weight: int, weight: Callable[[V], int] | None = None):
        self.name = name
        self.max_weight = max_weight
        self._weight = weight or (lambda value: 1)
        self._entries: OrderedDict[Hashable, tuple[V, int]] = OrderedDict()
        self._total = 0
        self._lock = threading.Lock()
        _ALL.append(self)

    def get(self, key: Hashable) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value: V) -> V:
        """Keep ``value``; the least recently used entries go while the total weight is over
        the bound (the newest entry always stays)."""
        weight = max(0, self._weight(value))
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._total -= old[1]
            self._entries[key] = (value, weight)
            self._total += weight
            while len(self._entries) > 1 and self._total > self.max_weight:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._total -= dropped
        return value

    def get_or_make(self, key: Hashable, make: Callable[[], V]) -> V:
        """The kept value, or ``make()`` kept. Two threads may both make a missing value (the
        lock is not held while making); both results are equal by the key discipline."""
        found = self.get(key)
        return found if found is not None else self.put(key, make())

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._total = 0

    def __len__(self) -> int:
        return len(self._entries)


def database_key(session: Session) -> str:
    """The database a session reads, as the first part of a cache key."""
    bind = session.get_bind()
    return bind.url.render_as_string(hide_password=True)  # type: ignore[union-attr]


def clear_all() -> None:
    """Empty every cache (a benchmark's cold start)."""
    for memo in _ALL:
        memo.clear()
