"""A regular `ListRecords` page read from its bytes, without building its tree.

Building a page's tree, walking it from Python, serialising each record's metadata with
`tostring` and freeing the tree cost several times what reading the bytes does. Most
repositories write every page in one regular shape, and in that shape the records are
written out in the bytes: regular expressions match the whole page, from the root's start
tag to its end, and each record's metadata element becomes its payload, with the
namespaces declared above it added to its start tag as `tostring` adds them. lxml stays
the judge of well-formedness (the caller runs `safexml.check`, which builds nothing and
lets other threads run meanwhile), and the bytes are only used when they are proven to be
the tree lxml would have built:

- the page is UTF-8 without DOCTYPE, comment, CDATA section or processing instruction, so
  every `<` in it starts a tag and every tag is an element of the tree;
- OPENING, then HEAD and an end (METADATA_END or RECORD_END) per record, then CLOSING
  match the page whole: the root `OAI-PMH`, whose default namespace is OAI-PMH's, holds
  `responseDate`, `request` and `ListRecords`; the list holds the records and maybe a
  resumption token. No element of this frame but `request` (which nobody reads) has an
  attribute that could declare a namespace, so all are OAI-PMH's;
- a record is a header without attributes but `status="deleted"`, whose texts hold no
  reference or carriage return, and maybe a metadata element: blanks, a start tag, and,
  before the first `</metadata` after it, the end tag of the same name and blanks (or
  only blanks, after an empty start tag `<a/>`). The page holds no start tag of a
  payload's name but the payloads' own (counted over the page, the frame's names
  included). So in a well-formed page that end tag closes the element the start tag
  opened (no other element of that name is open there), and the `</metadata` after it
  closes that element's parent: the element is the metadata's one element.

Otherwise the page is read from its tree. Either way a payload is the bytes `tostring`
writes for its element (`payloadform.py`): a record's content hash does not depend on the
path that read it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Generic, TypeVar

from lxml import etree

from culturedata.harvest import payloadform
from culturedata.harvest.timestamps import parse_datestamp
from culturedata.harvest.xmlslice import DECLARED, ENCODING, ESCAPES, PROLOG, UTF8

OAI = "http://www.openarchives.org/OAI/2.0/"
TEXT = rb"([^<&\r]*)"
ATTRIBUTE = rb"\s+[^\s=/>]+\s*=\s*(?:\"[^\"]*\"|'[^']*')"
ATTRIBUTES = rb"((?:" + ATTRIBUTE + rb")*)"
OPENING = re.compile(
    rb"\s*<OAI-PMH" + ATTRIBUTES + rb"\s*>\s*<responseDate>" + TEXT + rb"</responseDate\s*>"
    rb"\s*<request" + ATTRIBUTES + rb"\s*(?:/>|>[^<]*</request\s*>)\s*<ListRecords>\s*"
)
HEAD = re.compile(
    rb"<record>\s*<header(\s+status\s*=\s*(?:\"deleted\"|'deleted'))?\s*>"
    rb"\s*<identifier>" + TEXT + rb"</identifier\s*>\s*<datestamp>" + TEXT + rb"</datestamp\s*>"
    rb"((?:\s*<setSpec>[^<&\r]*</setSpec\s*>)*)\s*</header\s*>"
    rb"\s*(?:<metadata>\s*(<([^\s/>]+)(?:" + ATTRIBUTE + rb")*)\s*(/?)>)?"
)
METADATA_END = re.compile(rb"</metadata\s*>\s*</record\s*>\s*")
RECORD_END = re.compile(rb"</record\s*>\s*")
CLOSING = re.compile(
    rb"(?:<resumptionToken" + ATTRIBUTES + rb"\s*(?:/>|>" + TEXT + rb"</resumptionToken\s*>)\s*)?"
    rb"</ListRecords\s*>\s*</OAI-PMH\s*>\s*\Z"
)
SET_SPEC = re.compile(rb"<setSpec>([^<]*)</setSpec")
NAMED_ATTRIBUTE = re.compile(rb"\s+([^\s=/>]+)\s*=\s*(?:\"[^\"]*\"|'[^']*')")

T = TypeVar("T")
MISSING = object()
PAUSE_EVERY = 16  # records; about 0.1 ms of reading


@dataclass(slots=True)
class Listing(Generic[T]):
    """What a page lists: (`make(identifier, datestamp, deleted, sets)`, payload) per record."""

    records: list[tuple[T, bytes | None]]
    token: str | None
    response_date: datetime | None


@dataclass(slots=True)
class Frame:
    """A page whose root, list and end have the regular shape; its records may not."""

    content: bytes
    opened: re.Match[bytes]
    closing: re.Match[bytes]
    inherited: tuple[tuple[str | None, str], ...]  # the root's namespaces, in declaration order

    @classmethod
    def of(cls, content: bytes) -> Frame | None:
        start = _plain_start(content)
        if start is None:
            return None
        opened = OPENING.match(content, start)
        if opened is None:
            return None
        closing = _closing(content, opened.end())
        if closing is None:
            return None
        token_attributes = closing.group(1)
        if token_attributes and b"xmlns" in token_attributes:
            return None  # a token in another namespace is no OAI-PMH token
        inherited = _inherited(opened.group(1))
        return None if inherited is None else cls(content, opened, closing, inherited)

    def read(self, make: Callable[..., T], pause: Callable[[], None] | None = None) -> Listing[T] | None:
        """The page's listing if its records are regular too, else None; `pause()` is called
        every `PAUSE_EVERY` records (to let another thread run, see `oaipmh.OAIClient`).

        The caller still has lxml check that the page is well-formed XML (`safexml.check`):
        the proof above holds for well-formed pages only.
        """
        records = _Records(self.content, self.inherited, make, pause)
        if records.read(self.opened.end()) != self.closing.start() or not records.alone():
            return None
        token = self.closing.group(2)
        response_date = parse_datestamp(self.opened.group(2).decode())
        return Listing(records.items, (token.decode().strip() or None) if token else None, response_date)


class _Records(Generic[T]):
    """The records one after the other, from the end of OPENING on."""

    def __init__(
        self, content: bytes, inherited: tuple[tuple[str | None, str], ...], make: Callable[..., T],
        pause: Callable[[], None] | None = None,
    ) -> None:
        self.content = content
        self.inherited = inherited
        self.make = make
        self.pause = pause
        self.items: list[tuple[T, bytes | None]] = []
        self.payloads = 0
        self.names: set[bytes] = set()  # the payloads' names, written as in their start tags

    def read(self, pos: int) -> int:
        """Where the regular records end."""
        content, items, make, pause = self.content, self.items, self.make, self.pause
        head, metadata_end, record_end, find = HEAD.match, METADATA_END.match, RECORD_END.match, content.find
        spelled = payloadform.spelled
        stamps: dict[bytes, datetime | None] = {}
        sets_of: dict[bytes, tuple[str, ...]] = {b"": ()}
        # per payload start tag: its end tag, the start with the declarations it needs, whether that is tostring's
        starts: dict[bytes, tuple[bytes, bytes, bool]] = {}
        payloads = 0
        while (found := head(content, pos)) is not None:
            status, identifier, stamp, sets, opening, name, empty = found.groups()
            after = found.end()
            if opening is None:
                end = record_end(content, after)
                if end is None:
                    break
                payload: bytes | None = b""  # as from the tree: the mapper reports an empty record
            else:
                # The payload ends before the first `</metadata` after its start tag.
                stop = find(b"</metadata", after)
                end = metadata_end(content, stop) if stop != -1 else None
                if end is None:
                    break
                known = starts.get(opening)
                if known is None:
                    self.names.add(name)
                    known = starts[opening] = (
                        b"</" + name + b">", *payloadform.splice(opening, self._declarations(name, opening))
                    )
                closing, start, spelled_start = known
                attributes_end = found.end(5)
                rest = content[attributes_end:stop].rstrip()  # the start tag's end, the content, the end tag
                regular = len(rest) == after - attributes_end if empty else rest.endswith(closing)
                if not regular:
                    break
                try:
                    payload = spelled(start, rest, spelled_start)
                except etree.XMLSyntaxError:
                    break  # not XML: the tree refuses the page with lxml's own message
                payloads += 1
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
            if pause is not None and not len(items) % PAUSE_EVERY:
                pause()
        self.payloads = payloads
        return pos

    def alone(self) -> bool:
        """No start tag of a payload's name in the page but the payloads' own."""
        content = self.content
        found = sum(len(re.findall(b"<" + re.escape(name) + rb"[\s/>]", content)) for name in self.names)
        return found == self.payloads

    def _declarations(self, name: bytes, opening: bytes) -> bytes:
        """The namespaces in scope above the metadata that its start tag does not declare itself.

        In the order `tostring` adds them after the element's own declarations (libxml2 copies
        the element, which declares its name's namespace, then each attribute's, then lxml
        adds the ancestors' in their order); `payloadform.splice` puts them there.
        """
        own = {found.group(1) for found in DECLARED.finditer(opening)} if b"xmlns" in opening else set()
        used: list[str | None] = [name.split(b":", 1)[0].decode() if b":" in name else None]
        for found in NAMED_ATTRIBUTE.finditer(opening, 1 + len(name)):
            prefix, colon, _ = found.group(1).partition(b":")
            if colon and prefix not in (b"xmlns", b"xml"):
                used.append(prefix.decode())
        rank = {prefix: index for index, prefix in enumerate(dict.fromkeys(used))}
        ordered = sorted(self.inherited, key=lambda item: rank.get(item[0], len(rank)))
        return "".join(
            f' xmlns:{prefix}="{uri.translate(ESCAPES)}"' if prefix else f' xmlns="{uri.translate(ESCAPES)}"'
            for prefix, uri in ordered
            if (prefix.encode() if prefix else None) not in own
        ).encode()


def _closing(content: bytes, start: int) -> re.Match[bytes] | None:
    """CLOSING, from the page's last token (within its last 4 kB) or from its list's end."""
    end = content.rfind(b"</ListRecords")
    if end < start:
        return None
    token = content.rfind(b"<resumptionToken", max(start, end - 4096), end)
    return (CLOSING.match(content, token) if token != -1 else None) or CLOSING.match(content, end)


@lru_cache(maxsize=64)
def _inherited(attributes: bytes) -> tuple[tuple[str | None, str], ...] | None:
    """The root's namespaces in the order its start tag declares them, as `tostring` copies
    them; None unless its default namespace is OAI-PMH's. lxml reads the declarations (their
    values may hold references); a repository writes the same root on every page."""
    try:
        namespaces = etree.fromstring(b"<OAI-PMH" + attributes + b"/>").nsmap
    except etree.XMLSyntaxError:
        return None
    if namespaces.get(None) != OAI:
        return None
    order = [found.group(1).decode() if found.group(1) else None for found in DECLARED.finditer(attributes)]
    return tuple((prefix, namespaces[prefix]) for prefix in dict.fromkeys(order) if prefix in namespaces)


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
