"""Lone surrogates: text that is no Unicode, which no RDF store takes.

A JSON escape such as "\\ud800", a CSV decoded with `surrogateescape`, a YAML escape in a
mapping: each can hand the engine a str holding half of a UTF-16 pair. A record whose triples
hold one is refused (`mapping.record.bad_text`), so its text is checked before it is handed on;
a harvester keeps such a text as its escape where it must keep it (a record's id: `escaped`).

Checking a record's whole N-Triples text cost a CSV record about 5 µs of its ~75 (an encode of
3 kB, cold in the cache, and an exception for the 45 % that are not Latin-1). The engine proves
most CSV records clean instead from what it reads anyway (`_Run.read_row`): a cell that
`str.isprintable()` holds no surrogate (they are category Cs, never printable), and what the
engine writes besides the cells (the mapping's own texts, the source's context, vocabulary
IRIs, what its transforms make of clean text) is clean too. This module checks the first two
once per mapping and source.
"""

from __future__ import annotations

import dataclasses
from typing import Any


def encodable(text: str) -> bool:
    """False when the text holds a lone surrogate."""
    if text.isascii():
        return True
    try:  # most French text is Latin-1, which holds no surrogate and encodes as a copy: 1.2 µs, not 1.9
        text.encode("latin-1")
        return True
    except UnicodeEncodeError:
        pass
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def escaped(text: str) -> str:
    """The text, with each lone surrogate written as its escape ("\\ud800"): storable, and still
    telling the provider which value it was."""
    return text if encodable(text) else text.encode("utf-8", "backslashreplace").decode("utf-8")


def clean_cell(text: str) -> bool:
    """`encodable`, answered by `isprintable` for the usual cell (no scan and no copy)."""
    return text.isprintable() or encodable(text)


def all_encodable(value: Any) -> bool:
    """Whether every text inside `value` (a compiled mapping: dataclasses, tuples, dicts, texts)
    is free of lone surrogates. Functions and other objects hold no text of the mapping's."""
    seen: set[int] = set()
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if not encodable(item):
                return False
            continue
        if id(item) in seen:
            continue
        seen.add(id(item))
        if dataclasses.is_dataclass(item) and not isinstance(item, type):
            pending += [getattr(item, f.name) for f in dataclasses.fields(item) if f.name != "plan"]
        elif isinstance(item, dict):
            pending += [*item.keys(), *item.values()]
        elif isinstance(item, tuple | list | set | frozenset):
            pending += item
    return True
