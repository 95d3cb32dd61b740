"""XML dumps (a LIDO `lidoWrap`, an OAI-PMH response saved to disk…): one record per element.

The record element is chosen by `record`, a path of qualified names: `lido:lido` (at any
depth), `//lido:lido`, or `/lido:lidoWrap/lido:lido` (exactly there). Parsing streams with
`iterparse` and frees each record once it is yielded, so a dump of any size runs in flat
memory; it refuses external entities and network access (see `safexml.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lxml import etree

from culturedata.errors import ConfigError, InputError
from culturedata.harvest import safexml
from culturedata.harvest.inputs import FILE_OPTIONS, Document, documents
from culturedata.harvest.options import read_options
from culturedata.records import SourceRecord, content_hash

if TYPE_CHECKING:
    from culturedata.config import Source
    from culturedata.harvest import HarvestOptions

LIDO = "http://www.lido-schema.org"
OPTIONS: dict[str, tuple[Any, Any]] = {
    "record": (str, "lido:lido"),
    "id_xpath": (str, "string(lido:lidoRecID)"),
    "namespaces": (dict, {"lido": LIDO}),
    **FILE_OPTIONS,
}


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
    try:
        find_id = etree.XPath(opts["id_xpath"], namespaces=opts["namespaces"])
    except etree.XPathSyntaxError as exc:
        raise ConfigError("config.bad_value", path=source.where, key="options.id_xpath", problem=exc) from exc
    for document in documents(source, opts, options):
        yield from read_xml(source.id, document, path, find_id)


def read_xml(
    source_id: str, document: Document, path: RecordPath, find_id: etree.XPath
) -> Iterator[SourceRecord]:
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
                payload = etree.tostring(element, encoding="utf-8", with_tail=False)
                local_id = str(find_id(element)).strip() or f"record-{count}"
                yield SourceRecord(
                    source_id=source_id,
                    local_id=local_id,
                    payload=payload,
                    media_type="application/xml",
                    content_hash=content_hash(payload),
                    origin=document.name,
                    location=where(element, count),
                )
                safexml.release(element)
        except etree.XMLSyntaxError as exc:
            raise InputError("harvest.bad_xml", path=document.name, line=exc.lineno, detail=exc.msg) from exc


class Locator:
    """An XPath a museum can follow: /lidoWrap/lido[3] (the index counts matched records).

    The ancestors' part is computed once per parent, not once per record.
    """

    def __init__(self) -> None:
        self.parent: etree._Element | None = None
        self.prefix = ""

    def __call__(self, element: etree._Element, index: int) -> str:
        parent = element.getparent()
        if parent is None or parent is not self.parent:
            names = []
            node = parent
            while node is not None:
                names.append(etree.QName(node).localname)
                node = node.getparent()
            self.parent, self.prefix = parent, "/".join(["", *reversed(names)])
        return f"{self.prefix}/{etree.QName(element).localname}[{index}]"
