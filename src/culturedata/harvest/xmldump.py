"""XML dumps (a LIDO `lidoWrap`, an OAI-PMH response saved to disk…): one record per element.

The record element is chosen by `record`, a path of qualified names: `lido:lido` (at any
depth), `//lido:lido`, or `/lido:lidoWrap/lido:lido` (exactly there). A dump of any size
runs in flat memory, and parsing refuses external entities and network access (see
`safexml.py`).

Two ways through a file, giving the same records: a regular UTF-8 file is split into its
records, each parsed on its own (`xmlsplit.py`, the fast way); anything else, or the rest
of a file where the split reader loses its footing, is streamed with `iterparse`, each
record freed once yielded. Either way a record's payload is its own bytes cut from the
file when that can be proven (`xmlslice.py`), else `etree.tostring` of the element. A split
record also carries the tree its bytes were parsed into (`SourceRecord.tree`), which the
mapper reads instead of parsing them again; a streamed record's element belongs to the whole
file's tree (its lines, its ancestors, freed once yielded), so it goes on as bytes only.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lxml import etree

from culturedata.errors import ConfigError, InputError
from culturedata.harvest import safexml
from culturedata.harvest.inputs import FILE_OPTIONS, Document, documents
from culturedata.harvest.options import read_options
from culturedata.harvest.xmlslice import Slicer
from culturedata.harvest.xmlsplit import OutOfStep, local_xpath, split
from culturedata.records import SourceRecord, content_hash

if TYPE_CHECKING:
    from culturedata.config import Source
    from culturedata.harvest import HarvestOptions

log = logging.getLogger(__name__)

LIDO = "http://www.lido-schema.org"
OPTIONS: dict[str, tuple[Any, Any]] = {
    "record": (str, "lido:lido"),
    "id_xpath": (str, "string(lido:lidoRecID)"),
    "namespaces": (dict, {"lido": LIDO}),
    **FILE_OPTIONS,
}


CHILD_STRING = re.compile(r"\s*string\(\s*((?:[A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*)\s*\)\s*")


@dataclass(frozen=True, slots=True)
class RecordPath:
    """The streamable subset of XPath: a chain of element names, anchored or not."""

    tags: tuple[str, ...]  # Clark names, outermost first
    anchored: bool

    @classmethod
    def parse(cls, text: str, namespaces: dict[str, str], where: str) -> RecordPath:
        anchored = text.startswith("/") and not text.startswith("//")
        steps = [s for s in text.lstrip("/").split("/") if s]
        if not steps or any(s in (".", "..", "*") or "[" in s or s.startswith("@") for s in steps):
            raise ConfigError("harvest.xml_bad_record", where=where, record=text)
        return cls(tuple(clark(s, namespaces, where) for s in steps), anchored)

    def matches(self, element: etree._Element) -> bool:
        node: etree._Element | None = element
        for tag in reversed(self.tags):
            if node is None or node.tag != tag:
                return False
            node = node.getparent()
        return node is None if self.anchored else True


def clark(step: str, namespaces: dict[str, str], where: str) -> str:
    if step.startswith("{") or ":" not in step:
        return step
    prefix, local = step.split(":", 1)
    if prefix not in namespaces:
        raise ConfigError("harvest.xml_unknown_prefix", where=where, prefix=prefix)
    return f"{{{namespaces[prefix]}}}{local}"


def harvest_xml(source: Source, options: HarvestOptions) -> Iterator[SourceRecord]:
    opts = read_options(source, OPTIONS)
    path = RecordPath.parse(opts["record"], opts["namespaces"], source.where)
    find_id = IdReader(opts["id_xpath"], opts["namespaces"], source.where)
    for document in documents(source, opts, options):
        yield from read_xml(source.id, document, path, find_id)


class IdReader:
    """The record's identifier: `id_xpath` evaluated on the record element.

    The usual `string(prefix:name)` (a child's text) is read with `find`, which costs a
    tenth of an XPath evaluation; when that child has children of its own (markup, an
    entity), the XPath decides.
    """

    def __init__(self, expression: str, namespaces: dict[str, str], where: str) -> None:
        try:
            self.xpath = etree.XPath(expression, namespaces=namespaces)
        except etree.XPathSyntaxError as exc:
            raise ConfigError("config.bad_value", path=where, key="options.id_xpath", problem=exc) from exc
        self.local = local_xpath(expression)  # the same on the record alone (see xmlsplit.py)
        simple = CHILD_STRING.fullmatch(expression)
        prefix = simple.group(1).partition(":")[0] if simple and ":" in simple.group(1) else None
        self.child = clark(simple.group(1), namespaces, where) if simple and prefix in (None, *namespaces) else None

    def __call__(self, element: etree._Element) -> str:
        if self.child is not None:
            child = element.find(self.child)
            if child is None:
                return ""
            if not len(child):
                return (child.text or "").strip()
        return str(self.xpath(element)).strip()


def read_xml(source_id: str, document: Document, path: RecordPath, find_id: IdReader) -> Iterator[SourceRecord]:
    with slicer_for(document) as slicer:
        given = 0
        if slicer is not None and find_id.local:
            where = Locator()
            try:
                for found in split(slicer, path, find_id):
                    given += 1
                    yield _record(source_id, document, found.payload, found.local_id or unnamed(document, given),
                                  where(found.stand_in, given, found.line), found.tree)
                    safexml.release(found.stand_in)
                return
            except OutOfStep:
                log.debug("%s: read with iterparse after %d records", document.name, given)
                slicer.restart()
        yield from parse_xml(source_id, document, path, find_id, slicer, skip=given)


def parse_xml(
    source_id: str, document: Document, path: RecordPath, find_id: IdReader, slicer: Slicer | None, skip: int
) -> Iterator[SourceRecord]:
    """The careful way: `iterparse` over the whole file, after the `skip` records already given."""
    count = 0
    where = Locator()
    with document.open() as handle:
        # A plain file is read by libxml2 itself, much faster than through a Python file object.
        source = str(document.path) if document.member is None else handle
        try:
            for _, element in safexml.iterparse(source, tag=path.tags[-1]):
                if not path.matches(element):
                    continue
                count += 1
                if count <= skip:
                    safexml.release(element)
                    continue
                found_id = find_id(element)
                payload = slicer.cut(element, found_id) if slicer else None
                if payload is None:
                    payload = etree.tostring(element, encoding="utf-8", with_tail=False)
                yield _record(source_id, document, payload, found_id or unnamed(document, count), where(element, count, _line(element)))
                safexml.release(element)
        except etree.XMLSyntaxError as exc:
            raise InputError("harvest.bad_xml", path=document.name, line=exc.lineno, detail=exc.msg) from exc


def unnamed(document: Document, position: int) -> str:
    """The id of a record without one: its position in its file, and the file's place inside
    the source when it is one of several (a folder, an archive), as CSV rows are named: record 1
    of a.xml and record 1 of b.xml are two records, and moving the source renames neither."""
    return f"{document.part}#record-{position}" if document.part else f"record-{position}"


def _line(element: etree._Element) -> int | None:
    line: object = element.sourceline  # lxml-stubs type it as `...`: an int or None at run time
    return line if isinstance(line, int) else None


def _record(
    source_id: str, document: Document, payload: bytes, local_id: str, location: str,
    tree: etree._Element | None = None,
) -> SourceRecord:
    return SourceRecord(
        source_id=source_id, local_id=local_id, payload=payload, media_type="application/xml",
        content_hash=content_hash(payload), origin=document.name, location=location, tree=tree,
    )


@contextmanager
def slicer_for(document: Document) -> Iterator[Slicer | None]:
    """Cut payloads from a plain file (see `xmlslice.py`); a zip member is serialised."""
    slicer = Slicer.open(document.path) if document.member is None else None
    try:
        yield slicer
    finally:
        if slicer is not None:
            slicer.close()


class Locator:
    """An XPath a museum can follow, and the line of the file the record starts on:
    `/lidoWrap/lido[3], line 40` (the index counts matched records). The mapping adds a value's
    line within the record to that line, so that a finding names the line of the element at fault.

    The ancestors' part is computed once per parent, not once per record.
    """

    def __init__(self) -> None:
        self.parent: etree._Element | None = None
        self.prefix = ""
        self.names: dict[str, str] = {}

    def __call__(self, element: etree._Element, index: int, line: int | None = None) -> str:
        parent = element.getparent()
        if parent is None or parent is not self.parent:
            names = []
            node = parent
            while node is not None:
                names.append(etree.QName(node).localname)
                node = node.getparent()
            self.parent, self.prefix = parent, "/".join(["", *reversed(names)])
        name = self.names.get(element.tag)
        if name is None:
            name = self.names[element.tag] = etree.QName(element).localname
        return f"{self.prefix}/{name}[{index}]" + (f", line {line}" if line else "")
