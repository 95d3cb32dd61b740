"""The few facts about a query's text the protocol needs, found without parsing it.

pyoxigraph 0.5 exposes no parsed query, and its `use_default_graph_as_union` option
overrides a query's own FROM clauses; so we look for dataset clauses ourselves. The scanner
skips strings, IRIs and comments and tracks braces, which is all that is needed to find
top-level FROM / USING / WITH / WHERE keywords.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


def _top_level_words(text: str) -> Iterator[tuple[int, str]]:
    """(position, upper-cased keyword) of every bare word outside braces, strings and IRIs."""
    depth, i, n = 0, 0, len(text)
    while i < n:
        c = text[i]
        if c in "\"'":
            quote = c * 3 if text.startswith(c * 3, i) else c
            i += len(quote)
            while i < n and not text.startswith(quote, i):
                i += 2 if text[i] == "\\" else 1
            i += len(quote)
        elif c == "<" and depth == 0:
            end = text.find(">", i)
            i = n if end < 0 else end + 1
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
        elif c == "{":
            depth += 1
            i += 1
        elif c == "}":
            depth -= 1
            i += 1
        elif c in "?$:" or (c.isalnum() and i > 0 and (text[i - 1].isalnum() or text[i - 1] in "?$:_")):
            match = _WORD.match(text, i + 1) if c in "?$:" else None
            i += 1 + (len(match.group()) if match else 0)
        else:
            match = _WORD.match(text, i)
            if match is None:
                i += 1
                continue
            if depth == 0 and not text.startswith(":", match.end()):
                yield i, match.group().upper()
            i = match.end()


def has_dataset_clause(query: str) -> bool:
    """True when the query names its own dataset (FROM or FROM NAMED)."""
    if "FROM" not in query.upper():
        return False  # the common case, without scanning the text character by character
    return any(word == "FROM" for _, word in _top_level_words(query))


def has_using_clause(update: str) -> bool:
    upper = update.upper()
    if "USING" not in upper and "WITH" not in upper:
        return False
    return any(word in ("USING", "WITH") for _, word in _top_level_words(update))


def add_using(update: str, default: list[str], named: list[str]) -> str:
    """The update with `using-graph-uri` / `using-named-graph-uri` written in as USING clauses
    before each top-level WHERE (DELETE WHERE takes none), as the protocol defines them."""
    clause = " ".join([f"USING <{g}>" for g in default] + [f"USING NAMED <{g}>" for g in named]) + " "
    words = list(_top_level_words(update))
    out, last = [], 0
    for index, (position, word) in enumerate(words):
        if word != "WHERE" or (index > 0 and words[index - 1][1] == "DELETE"):
            continue
        out.append(update[last:position])
        out.append(clause)
        last = position
    out.append(update[last:])
    return "".join(out)
