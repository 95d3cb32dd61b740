"""One spelling per payload: the bytes lxml's `tostring` writes for the element.

A record's content hash is taken over its payload bytes, so a payload must not depend on
how it was read: cut from the bytes of a page (`oaislice.py`) or serialised from a tree
(`etree.tostring`). The same element can be written in many ways (`&#233;` or `é`,
`'…'` or `"…"`, `<a></a>` or `<a/>`, a carriage return, blanks inside a tag, namespace
declarations after the attributes); `tostring` writes one of them. A cut payload already
spelled that way is used as it is, which is the usual case and costs one regular
expression; any other is parsed and written again by `tostring`.

`tostring`'s spelling (libxml2's serialiser, UTF-8 output), with no comment, CDATA
section or processing instruction (the cutting modules refuse those):
- tags: `<name`, then the element's namespace declarations, then its other attributes,
  each after one space as `name="value"`, then `>` or `/>` (an element without content),
  and `</name>`;
- text: `&`, `<`, `>` as `&amp;`, `&lt;`, `&gt;` and a carriage return as `&#13;`;
  every other character as itself;
- attribute values: the same, and `"`, line feed and tab as `&quot;`, `&#10;`, `&#9;`.
Anything that does not match this is not claimed to be `tostring`'s, only written again:
the test suite (`tests/harvest/test_payloadform.py`) checks both paths give the same bytes.
"""

from __future__ import annotations

import re

from lxml import etree

from culturedata.harvest import safexml

NAME = rb"[^ \t\n\r<>/=\"'&]++"  # explicit blanks: a class without `\s` is checked faster
NAMESPACE = rb"\"[^<>&\"\r\n\t]*+\""  # references in a namespace name: left to `tostring`
VALUE = rb"\"(?:[^<>&\"\r\n\t]++|&(?:amp|lt|gt|quot|#13|#10|#9);)*+\""
DECLARATIONS = rb"(?: xmlns(?::" + NAME + rb")?=" + NAMESPACE + rb")*+"
ATTRIBUTES = rb"(?: (?!xmlns[:=])" + NAME + rb"=" + VALUE + rb")*+"
# A start tag without its end (`<name attributes`): where its own declarations end.
START = re.compile(rb"<" + NAME + rb"(" + DECLARATIONS + rb")" + ATTRIBUTES)
SPELLED_DECLARATIONS = re.compile(DECLARATIONS)
# The rest of a payload after its start tag's attributes: the tag's end, then (text, tag) pairs
# up to its end tag. Text first and tags without attributes first: the pattern runs on every
# record, and that order is what most payloads hold.
TEXT = rb"[^<>&\r]*+(?:&(?:amp|lt|gt|#13);[^<>&\r]*+)*+"
REST = re.compile(
    rb"/>|>(?!</)(?:" + TEXT + rb"<(?:/" + NAME + rb">|" + NAME
    + rb"(?:>(?!</)|/>|" + DECLARATIONS + ATTRIBUTES + rb"(?:/>|>(?!</)))))*+"
)


def splice(opening: bytes, declarations: bytes) -> tuple[bytes, bool]:
    """`opening` (`<name attributes`, without `>`) with `declarations` (` xmlns:p="…"`…)
    added where `tostring` writes its ancestors': after the element's own, before its other
    attributes. And whether that start is spelled as `tostring` spells it."""
    found = START.fullmatch(opening)
    if found is None or not SPELLED_DECLARATIONS.fullmatch(declarations):
        return opening + declarations, False
    at = found.end(1)
    return b"".join((opening[:at], declarations, opening[at:])), True


def spelled(start: bytes, rest: bytes, spelled_start: bool) -> bytes:
    """The payload `start` + `rest` in `tostring`'s bytes. `rest` is what follows the start
    tag's attributes; `spelled_start` is what `splice` said of `start`.

    Raises `XMLSyntaxError` when the payload is not XML (the caller has lxml check the page
    only after reading it)."""
    if spelled_start and REST.fullmatch(rest) is not None:
        return start + rest
    return rewritten(start + rest)


def rewritten(payload: bytes) -> bytes:
    """A standalone element's bytes written again by `tostring`."""
    return etree.tostring(safexml.fromstring(payload), encoding="utf-8")
