"""The content hash of a table's row (CSV, spreadsheet), cheaper than hashing the row's JSON.

An unchanged rerun hashes every row to learn that nothing changed; through `json.dumps` that was
a quarter of its CPU (issue 20). Here the column names are hashed once per table, and each row's
values after them, in one of two forms that two different rows never share:

    J  the cells joined by U+001F (unit separator); a multivalued cell is U+001D, its count, `:`,
       then each value as its length, `:` and its text. Used when no cell holds U+001F and no
       single-valued cell starts with U+001D, the common case by far.
    F  otherwise (a cell with a control character that exports never hold): every cell framed by
       its length, `:` and its text (`[`, count and `:` before the values of a multivalued one).

Lengths count characters of the text before it is encoded, so reading a form back is unambiguous
whatever a cell holds; the form's letter comes first. Changing the scheme changes every row's hash
once: see docs/operations.md (upgrading).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable

CELL = "\x1f"
LIST = "\x1d"
SCHEME = b"row-v2\n"


class RowHasher:
    """Hashes the rows of one table; the columns are hashed again only when they differ."""

    def __init__(self) -> None:
        self._columns: tuple[str, ...] = ()
        self._start = hashlib.sha256(SCHEME)
        self._base = self._start.copy()

    def __call__(self, row: dict[str, str | list[str]]) -> str:
        columns = tuple(row)
        if columns != self._columns:
            self._columns, self._base = columns, self._start.copy()
            self._base.update(_framed(columns).encode("utf-8", "surrogatepass"))
        digest = self._base.copy()
        digest.update(_text(row.values()).encode("utf-8", "surrogatepass"))
        return digest.hexdigest()


def _text(values: Collection[str | list[str]]) -> str:
    # Read back cell by cell, a J text is unambiguous when no cell's text holds U+001F (checked
    # by the count, which a list's value holding one fails too: F then) and none starts with
    # U+001D (only lists do); the list's values are framed by their lengths.
    parts = [value if isinstance(value, str) else _listed(value) for value in values]
    joined = CELL.join(parts)
    if joined.count(CELL) == len(parts) - 1 and (
        LIST not in joined or not any(isinstance(v, str) and v.startswith(LIST) for v in values)
    ):
        return "J" + joined
    return "F" + _framed(values)


def _listed(values: list[str]) -> str:
    return f"{LIST}{len(values)}:" + "".join(f"{len(value)}:{value}" for value in values)


def _framed(values: Iterable[str | list[str]]) -> str:
    return "".join(
        f"{len(value)}:{value}" if isinstance(value, str)
        else f"[{len(value)}:" + "".join(f"{len(item)}:{item}" for item in value)
        for value in values
    )
