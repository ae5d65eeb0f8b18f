"""The one cache mechanism (survey/cache.py): bounded by weight, least recently used out first."""

from __future__ import annotations

from survey.cache import Memo


def test_least_recently_used_goes_first_when_over_the_weight() -> None:
    memo: Memo[list[int]] = Memo("test", max_weight=10, weight=len)
    memo.put("a", [0] * 4)
    memo.put("b", [0] * 4)
    assert memo.get("a") is not None  # a is now the most recently used
    memo.put("c", [0] * 4)  # 12 > 10: b goes, not a
    assert memo.get("b") is None
    assert memo.get("a") is not None and memo.get("c") is not None


def test_the_newest_entry_stays_even_when_it_alone_is_too_heavy() -> None:
    memo: Memo[list[int]] = Memo("test", max_weight=3, weight=len)
    memo.put("small", [1])
    memo.put("big", [0] * 5)
    assert memo.get("big") == [0] * 5 and memo.get("small") is None and len(memo) == 1


def test_get_or_make_makes_once_per_key() -> None:
    memo: Memo[str] = Memo("test", max_weight=2)
    calls: list[str] = []

    def make(key: str) -> str:
        calls.append(key)
        return key.upper()

    assert memo.get_or_make("x", lambda: make("x")) == "X"
    assert memo.get_or_make("x", lambda: make("x")) == "X"
    assert calls == ["x"]
