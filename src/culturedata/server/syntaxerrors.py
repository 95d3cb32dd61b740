"""Where pyoxigraph's SPARQL parser stopped, as a person reads it: line and column.

pyoxigraph 0.5 says `error at 3:18: expected one of ABS, AVG, ...`: line and column from 1,
the column in characters (accented letters count once), at the furthest point the parser
reached, which is the end of the text when a group is left open. The endpoint tells it with
its own words in the client's language; the tokens the parser expected stay as it spells
them (SPARQL keywords and punctuation, the same in every language).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_AT = re.compile(r"error at (\d+):(\d+): (?:expected one of |expected )?(.*)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class SyntaxPosition:
    line: int  # from 1
    column: int  # from 1, in characters
    expected: str  # the parser's list of what could come there


def syntax_position(detail: str) -> SyntaxPosition | None:
    """The position pyoxigraph's message `detail` names, or None when it names none."""
    found = _AT.match(detail)
    if found is None:
        return None
    return SyntaxPosition(int(found[1]), int(found[2]), found[3].strip())


__all__ = ["SyntaxPosition", "syntax_position"]
