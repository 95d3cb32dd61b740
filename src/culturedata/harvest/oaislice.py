"""A `ListRecords` page's records read from its bytes, once lxml has parsed it whole.

Walking each record's tree from Python (header fields one call each) and `tostring` of its
metadata cost more than the parse itself. In a plain page the records are written out in
the bytes: one regular expression per record reads the header fields and finds the
metadata's bytes, which become the payload with the namespaces declared above them added
to their first tag, as `tostring` adds them. lxml has already parsed the page (it stays the
judge of well-formedness) and the bytes are used only when they are proven to be the tree:

- the page is UTF-8 without DOCTYPE, comment, CDATA section or processing instruction, so
  every `<` in it starts a tag and every tag is an element of the tree;
- the first `<ListRecords` starts a tag without attributes and none follows the records,
  so it is the tree's `ListRecords` (a child of the root, written without prefix) and its
  default namespace is OAI-PMH's;
- from it, the records follow one another, each matching `RECORD` (elements without
  attributes but the header's `status="deleted"`, texts without references or carriage
  returns), up to the resumption token or the list's end: they are children of the list,
  in the OAI-PMH namespace;
- each metadata holds one element and blanks: from its start tag (not named like the
  elements around it) to the first `</metadata` there is one start tag of its name and
  its end tag comes last, so in a well-formed page that `</metadata` is the metadata's own
  end; the tree has as many OAI-PMH records as the chain (none elsewhere).

Otherwise `read` returns None and the page is read from its tree as before. The payload
then differs from `tostring`'s only in form (quotes, character references, `<a></a>` for
`<a/>`), if at all: parsed, it is the same element.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from lxml import etree

from culturedata.harvest.timestamps import parse_datestamp
from culturedata.harvest.xmlslice import DECLARED, ENCODING, ESCAPES, PROLOG, UTF8

OAI = "http://www.openarchives.org/OAI/2.0/"
LIST_RECORDS = f"{{{OAI}}}ListRecords"
TEXT = rb"([^<&\r]*)"
HEAD = re.compile(
    rb"\s*<record>\s*<header(\s+status\s*=\s*(?:\"deleted\"|'deleted'))?\s*>"
    rb"\s*<identifier>" + TEXT + rb"</identifier\s*>\s*<datestamp>" + TEXT + rb"</datestamp\s*>"
    rb"((?:\s*<setSpec>[^<&\r]*</setSpec\s*>)*)\s*</header\s*>(\s*<metadata>\s*)?"
)
METADATA_END = re.compile(rb"</metadata\s*>\s*</record\s*>")
RECORD_END = re.compile(rb"\s*</record\s*>")
SET_SPEC = re.compile(rb"<setSpec>([^<]*)</setSpec")
LIST_START = re.compile(rb"<ListRecords\s*>")
BLANK = frozenset(b" \t\r\n")
ANCESTORS = frozenset((b"OAI-PMH", b"ListRecords", b"record", b"metadata"))  # names an end tag could close
LIST_END = re.compile(rb"\s*(?:<resumptionToken[\s/>]|</ListRecords\s*>)")
START_TAG = re.compile(rb"<([^\s/>]+)((?:\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>")

T = TypeVar("T")
MISSING = object()


def read(
    content: bytes, root: etree._Element, tree_records: int, make: Callable[..., T]
) -> list[tuple[T, bytes | None]] | None:
    """(`make(identifier, datestamp, deleted, sets)`, payload) of each record, or None when not proven.

    `tree_records` is how many OAI-PMH records the tree holds, wherever they are.
    """
    start = _plain_start(content)
    if start is None:
        return None
    listing = root.find(LIST_RECORDS)
    at = content.find(b"<ListRecords", start)
    opened = LIST_START.match(content, at) if at != -1 else None
    if listing is None or listing.prefix is not None or opened is None:
        return None
    chain = _Chain(content, _in_order(content, start, root.nsmap), make)
    end = chain.read(opened.end())
    # The tree's list (written `ListRecords`, a child of the root so not inside this one) is this
    # first one unless it comes after; then the chain's records are its children, OAI-PMH's.
    if end is None or content.find(b"<ListRecords", end) != -1:
        return None
    if len(chain.items) != tree_records:
        return None
    return chain.items


class _Chain:
    """The records one after the other, read as they are proven."""

    def __init__(self, content: bytes, inherited: dict[str | None, str], make: Callable[..., T]) -> None:
        self.content = content
        self.inherited = inherited
        self.make = make
        self.items: list[tuple[T, bytes | None]] = []

    def read(self, pos: int) -> int | None:
        """Read the records from `pos` on; where the list ends, or None if a record is irregular."""
        content, items, make = self.content, self.items, self.make
        head, metadata_end, record_end = HEAD.match, METADATA_END.match, RECORD_END.match
        stamps: dict[bytes, datetime | None] = {}
        sets_of: dict[bytes, tuple[str, ...]] = {b"": ()}
        tag, extra = b"", b""  # the last metadata start tag seen, and what it needs added
        while (found := head(content, pos)) is not None:
            status, identifier, stamp, sets, metadata = found.groups()
            pos = found.end()
            if metadata is None:
                end = record_end(content, pos)
                payload = b""  # as from the tree: the mapper reports an empty record
            else:
                start = pos
                if not tag or not content.startswith(tag, start):
                    opened = START_TAG.match(content, start)
                    if opened is None or opened.group(1) in ANCESTORS:  # the tree decides
                        return None
                    tag, extra = opened.group(0), self._declarations(opened.group(1), opened.group(2))
                    insert = opened.end(2) - start
                    alone = opened.group(3) == b"/"
                    closing = b"</" + opened.group(1) + b">"
                    name = re.escape(opened.group(1))
                    next_stop = re.compile(b"<" + name + rb"[\s/>]|</metadata").search
                # One element, ended where the first `</metadata` starts (blanks aside): its start
                # tag is the only one of its name there and its end tag (or its start tag, if
                # empty) comes last. In a well-formed page that end tag closes it, so the
                # `</metadata` after it closes the record's metadata, not one inside the payload.
                found_stop = next_stop(content, start + 1)
                if found_stop is None or content[found_stop.start() + 1] != 0x2F:  # "/": not a start tag
                    return None
                stop = at = found_stop.start()
                while content[stop - 1] in BLANK:
                    stop -= 1
                if alone:
                    if stop - start != len(tag):
                        return None
                elif not content.endswith(closing, start, stop):
                    return None
                end = metadata_end(content, at)
                if extra:
                    payload = b"".join((content[start : start + insert], extra, content[start + insert : stop]))
                else:
                    payload = content[start:stop]
            if end is None:
                return None
            pos = end.end()
            datestamp = stamps.get(stamp, MISSING)
            if datestamp is MISSING:
                datestamp = stamps[stamp] = parse_datestamp(stamp.decode())
            spec = sets_of.get(sets)
            if spec is None:
                spec = sets_of[sets] = tuple(s.decode().strip() for s in SET_SPEC.findall(sets))
            if status is not None:
                payload = None
            items.append((make(identifier.decode().strip(), datestamp, status is not None, spec), payload))
        return pos if LIST_END.match(content, pos) is not None else None

    def _declarations(self, name: bytes, attributes: bytes) -> bytes:
        """The namespaces in scope above the metadata that its start tag does not declare itself.

        `tostring` adds them after the element's own declarations, the one of its name first;
        so do we, at the end of its start tag, so that a payload mostly comes out byte for
        byte as `tostring` wrote it.
        """
        own = {found.group(1) for found in DECLARED.finditer(attributes)} if b"xmlns" in attributes else set()
        prefix_of_name = name.split(b":", 1)[0].decode() if b":" in name else None
        ordered = sorted(self.inherited.items(), key=lambda item: item[0] != prefix_of_name)
        return "".join(
            f' xmlns:{prefix}="{uri.translate(ESCAPES)}"' if prefix else f' xmlns="{uri.translate(ESCAPES)}"'
            for prefix, uri in ordered
            if (prefix.encode() if prefix else None) not in own
        ).encode()


def _in_order(content: bytes, start: int, namespaces: dict[str | None, str]) -> dict[str | None, str]:
    """The root's namespaces in the order its start tag declares them, as `tostring` copies them."""
    opened = START_TAG.match(content, content.find(b"<", start))
    if opened is None:
        return namespaces
    order = [found.group(1).decode() if found.group(1) else None for found in DECLARED.finditer(opened.group(2))]
    ordered = {prefix: namespaces[prefix] for prefix in order if prefix in namespaces}
    return ordered | namespaces


def _plain_start(content: bytes) -> int | None:
    """Where the root element starts, if every `<` after it is a tag (else None)."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    prolog = PROLOG.match(content)
    declared = ENCODING.search(prolog.group(0)) if prolog else None
    if declared and declared.group(1).lower() not in UTF8:
        return None
    start = prolog.end() if prolog else 0
    for mark in (b"!", b"?"):  # a rare byte, looked for fast, then whether a `<` is before it
        at = content.find(mark, start)
        while at != -1:
            if content[at - 1] == 0x3C:
                return None
            at = content.find(mark, at + 1)
    return start
