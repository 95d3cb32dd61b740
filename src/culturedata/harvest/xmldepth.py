"""The records of an XML page nested past libxml2's depth, found without a parser.

libxml2 refuses a whole document when one element in it nests past `limits.XML_DEPTH`
(`safexml` keeps that limit on), so a single such record used to fail its OAI-PMH page and
with it the source. `defuse` reads the page's tags with a regular expression, keeping count
of the depth, and gives the page back with each too-deep record's metadata emptied and the
places of those records among the list's items, for the harvester to refuse them by name.
lxml then reads the defused page like any other and stays the judge of well-formedness:
anything this reading cannot follow (a tag it does not know, nesting too deep outside a
record's metadata) gives None, and the page fails as before.

This runs only after libxml2 has refused a page for its depth, never on the fast path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TAG = re.compile(
    rb"<(?:(/?)([^\s/>!?]+)(?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*\s*(/?)>"
    rb"|!--.*?-->|!\[CDATA\[.*?\]\]>|\?.*?\?>)",
    re.DOTALL,
)
LIST_DEPTH = 2  # OAI-PMH, then ListRecords: the items are the list's children
ITEM = b"record"
METADATA = b"metadata"


@dataclass(frozen=True, slots=True)
class Defused:
    content: bytes
    items: int  # the list's items counted on the way, for the caller to check against the parser's
    too_deep: frozenset[int]  # places (from 1) among the list's items of the records emptied


def defuse(content: bytes, limit: int) -> Defused | None:
    """`content` with the metadata of every record nesting elements deeper than `limit` emptied."""
    depth = items = 0
    in_item = deep = False
    opened: int | None = None  # where the current item's metadata content starts
    cuts: list[tuple[int, int]] = []
    too_deep: set[int] = set()
    pos = content.find(b"<")
    while pos != -1:
        tag = TAG.match(content, pos)
        if tag is None:
            return None
        closing, name, empty = tag.groups()
        if name is not None:
            local = name.rpartition(b":")[2]
            if closing:
                if in_item and depth == LIST_DEPTH + 2 and local == METADATA and opened is not None:
                    if deep:
                        cuts.append((opened, tag.start()))
                    opened = None
                elif in_item and depth == LIST_DEPTH + 1:
                    if deep:
                        too_deep.add(items)
                    in_item = deep = False
                depth -= 1
            else:
                level = depth + 1
                if level > limit:
                    if not in_item or opened is None:
                        return None  # too deep outside a record's metadata: nothing to empty
                    deep = True
                if level == LIST_DEPTH + 1 and local == ITEM:
                    items += 1
                    in_item = not empty
                elif in_item and level == LIST_DEPTH + 2 and local == METADATA and not empty:
                    opened = tag.end()
                if not empty:
                    depth = level
        pos = content.find(b"<", tag.end())
    if not too_deep:
        return None
    pieces, start = [], 0
    for cut_start, cut_end in cuts:
        pieces.append(content[start:cut_start])
        start = cut_end
    pieces.append(content[start:])
    return Defused(b"".join(pieces), items, frozenset(too_deep))
