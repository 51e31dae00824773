"""The process's copies of version-named cache entries (ADR 0044)."""

from __future__ import annotations

from django.core.cache import cache

from anskaf.http import kept


def test_a_kept_value_is_read_from_the_process_then_from_the_shared_cache():
    kept.kept_set("anskaf:test:v1", ("eins",), 60)
    cache.delete("anskaf:test:v1")
    assert kept.kept_get("anskaf:test:v1") == ("eins",)  # the process's copy
    kept.forget_kept()
    assert kept.kept_get("anskaf:test:v1") is None  # neither has it now
    cache.set("anskaf:test:v2", "to", 60)  # another server kept it
    assert kept.kept_get("anskaf:test:v2") == "to"
    cache.delete("anskaf:test:v2")
    assert kept.kept_get("anskaf:test:v2") == "to"  # and now this process keeps it too


def test_the_process_keeps_a_bounded_number_least_recently_used_first(monkeypatch):
    monkeypatch.setattr(kept, "LIMIT", 3)
    for n in range(3):
        kept.kept_set(f"anskaf:test:{n}", n, 60)
    assert kept.kept_get("anskaf:test:0") == 0  # now the most recently used
    kept.kept_set("anskaf:test:3", 3, 60)  # pushes out 1, the least recently used
    cache.clear()
    assert [kept.kept_get(f"anskaf:test:{n}") for n in range(4)] == [0, None, 2, 3]


def test_the_process_keeps_a_bounded_weight_of_large_values(monkeypatch):
    """A task list of thousands of rows weighs its rows: a few such lists push out older
    entries long before their count reaches the limit."""
    kept.forget_kept()
    monkeypatch.setattr(kept, "WEIGHT", 1000)
    kept.kept_set("anskaf:test:small", "x", 60)
    for n in range(3):
        kept.kept_set(f"anskaf:test:list{n}", tuple(range(400)), 60)
    cache.clear()
    assert kept.kept_get("anskaf:test:small") is None  # pushed out by weight, not count
    assert kept.kept_get("anskaf:test:list0") is None
    assert kept.kept_get("anskaf:test:list1") is not None
    assert kept.kept_get("anskaf:test:list2") is not None
    assert kept._total == sum(kept._weights.values()) <= 1000
    kept.kept_set("anskaf:test:huge", tuple(range(5000)), 60)  # heavier than all: kept alone
    assert list(kept._local) == ["anskaf:test:huge"]
