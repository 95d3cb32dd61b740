"""A regular XML dump split into its records, each parsed on its own: the fast way through.

`iterparse` pays for its events on every element of the file; parsing each record's bytes
with `fromstring` costs less, and the payload is those bytes (see `xmlslice.py`). So for a
plain UTF-8 file the records are found in the bytes, and lxml still judges everything:

- a *skeleton* of the file, in which each record is replaced by its own start tag closed at
  once (`<lido:lido …/>`), is fed to an lxml pull parser: it checks everything outside the
  records, says whether each start tag found in the bytes is a record (not text in a
  comment, an element of the record path, the namespace right), and gives the record's
  parent, namespaces and position for its payload and location;
- each record's bytes, with the namespaces of its ancestors declared, are parsed with
  `fromstring`: they must be one well-formed element of the record's name with no record
  inside, which proves that its end in the file is where the bytes were cut. That parse is
  the one the mapper needs (the settings it would parse the payload with, blank text kept):
  the tree goes on with the record (`SourceRecord.tree`), so a record is parsed once.

Anything else (a broken file, a record spelt another way, a nested record, an identifier
XPath that looks outside the record) raises `OutOfStep`, and the caller reads the file
again the careful way, `iterparse`, skipping the records already given: so the records,
their order and the errors are the same as `iterparse` gives, only sooner.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from lxml import etree

from culturedata.harvest import safexml
from culturedata.harvest.xmlslice import Slicer, Tag

if TYPE_CHECKING:
    from culturedata.harvest.xmldump import IdReader, RecordPath

# An identifier XPath that only looks inside the record gives the same on the record alone.
OUTSIDE = re.compile(r"\.\.|::|//|(?:^|[\s(,|=<>!+*-])/|\b(?:lang|id|position|last)\s*\(")


# The stand-in is marked, so that an element in a comment's clothing is never taken for it.
MARK_NAME = "culturedata-stand-in"
MARK = MARK_NAME.encode()
CHUNK = 1 << 20


class OutOfStep(Exception):
    """The file is not one this reader can follow; read it with `iterparse` instead."""


def local_xpath(expression: str) -> bool:
    return OUTSIDE.search(expression) is None


class Split(NamedTuple):
    stand_in: etree._Element  # the record's stand-in in the skeleton
    payload: bytes
    tree: etree._Element  # the payload parsed, a document of its own
    local_id: str
    line: int  # the line of the file the record's start tag is on


def split(slicer: Slicer, path: RecordPath, find_id: IdReader) -> Iterator[Split]:
    """Each record of the file, in order.

    The stand-in has the record's parent and position: the caller reads its location, then
    frees it with `safexml.release` before asking for the next record.
    """
    data, record_tag = slicer.data, path.tags[-1]
    skeleton = etree.XMLPullParser(events=("end",), tag=record_tag, **safexml.SAFE)
    # The mapper's own parse of a payload (blank text and ids kept): the tree is handed on to it.
    parser = safexml.parser()
    tag = first_tag(slicer, record_tag)
    pos, count = slicer.pos, 0
    line, counted = 1 + data[:pos].count(b"\n"), pos  # the skeleton skips record bodies: lines are counted here
    found = tag.any_start.search(data, pos)
    while found is not None:
        start, attributes = found.start(1), found.group(2)
        try:
            skeleton.feed(data[pos:start])
            skeleton.feed(data[start : found.end(2)] + b' %s="%d"/>' % (MARK, count))
        except etree.XMLSyntaxError as exc:
            raise OutOfStep from exc
        stand_in = only_record(skeleton, path, str(count))
        count += 1
        parent = stand_in.getparent()
        own = slicer.bindings(tag, attributes, parent)
        end = found.end(0) if found.group(3) else slicer.end_of(tag, found.end(0), plain=False)
        if own is None or end is None:
            raise OutOfStep
        payload = slicer.payload(tag, parent, start, end, attributes, own)
        try:
            root = etree.fromstring(payload, parser)
        except etree.XMLSyntaxError as exc:
            raise OutOfStep from exc
        if root.tag != record_tag or next(root.iterdescendants(record_tag), None) is not None:
            raise OutOfStep
        line, counted = line + data[counted:start].count(b"\n"), start
        yield Split(stand_in, payload, root, find_id(root), line)
        if not slicer.intact():  # rewritten in place while the caller had the record: see Slicer.open
            raise OutOfStep
        pos = end
        slicer.advance(end)
        found = tag.next_start.match(data, pos) or tag.any_start.search(data, pos)
    try:
        for at in range(pos, len(data), CHUNK):
            if not slicer.intact():
                raise OutOfStep
            skeleton.feed(data[at : at + CHUNK])
        skeleton.close()
    except etree.XMLSyntaxError as exc:
        raise OutOfStep from exc
    if next(iter(skeleton.read_events()), None) is not None:
        raise OutOfStep  # a record spelt in a way the bytes were not searched for


def first_tag(slicer: Slicer, record_tag: str) -> Tag:
    """The record's name as the file writes it, from its first start tag with that local name."""
    qname = etree.QName(record_tag)
    found = re.compile(rb"<((?:[A-Za-z_][\w.-]*:)?" + re.escape(qname.localname.encode()) + rb")[\s/>]").search(
        slicer.data, slicer.pos
    )
    if found is None:
        raise OutOfStep
    return Tag(found.group(1), qname.namespace)


def only_record(skeleton: etree.XMLPullParser, path: RecordPath, number: str) -> etree._Element:
    """The one record the skeleton just gained: the stand-in fed last (it carries `number`)."""
    events = [element for _, element in skeleton.read_events()]
    record = events[0] if len(events) == 1 else None
    if not isinstance(record, etree._Element) or record.get(MARK_NAME) != number or not path.matches(record):
        raise OutOfStep
    return record
