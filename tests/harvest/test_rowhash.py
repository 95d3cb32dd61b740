"""A table row's content hash: equal rows hash alike, and rows that differ never share the
bytes hashed, whatever their cells hold (separators, control characters, lists)."""

from __future__ import annotations

import itertools

from culturedata.harvest.rowhash import RowHasher


def test_equal_rows_hash_alike_and_the_columns_count() -> None:
    hasher = RowHasher()
    row = {"id": "1", "titre": "Goélette", "materiaux": ["bois", "fer"]}
    assert hasher(dict(row)) == RowHasher()(dict(row))
    assert hasher({"id": "1", "nom": "Goélette", "materiaux": ["bois", "fer"]}) != hasher(row)
    assert hasher(row) == RowHasher()(row)  # back to the first columns


def test_no_two_different_rows_collide() -> None:
    cells: list[str | list[str]] = [
        "", "a", "ab", "a\x1fb", "\x1f", "\x1d", "\x1d1:1:a", "1:a", "J", "F", ":", "é", "\ud800",
        [], ["a"], ["a", "b"], ["ab"], ["", ""], ["a\x1fb"], ["\x1d"], ["1:a"],
    ]
    hasher = RowHasher()
    seen: dict[str, tuple[object, ...]] = {}
    for values in itertools.product(cells, repeat=2):
        digest = hasher({"x": values[0], "y": values[1]})
        assert seen.setdefault(digest, values) == values, (values, seen[digest])
    assert len(seen) == len(cells) ** 2
