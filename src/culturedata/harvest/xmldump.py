"""XML dumps (a LIDO `lidoWrap`, an OAI-PMH response saved to disk…): one record per element.

Parsing streams with `iterparse` and refuses external entities and network access, so a
hostile or huge file cannot read local files or exhaust memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from lxml import etree

from culturedata.errors import InputError
from culturedata.harvest.options import read_options
from culturedata.records import SourceRecord, content_hash

if TYPE_CHECKING:
    from culturedata.config import Source
    from culturedata.harvest import HarvestOptions

LIDO = "http://www.lido-schema.org"
OPTIONS = {
    # The record element as {namespace}name, and the id inside it as an XPath.
    "record_tag": (str, f"{{{LIDO}}}lido"),
    "id_xpath": (str, "string(lido:lidoRecID)"),
    "namespaces": (dict, {"lido": LIDO}),
}


def harvest_xml(source: Source, options: HarvestOptions) -> Iterator[SourceRecord]:
    opts = read_options(source, OPTIONS)
    path = source.path
    if path is None:
        raise InputError("harvest.needs_path", where=source.where)
    find_id = etree.XPath(opts["id_xpath"], namespaces=opts["namespaces"])
    try:
        events = etree.iterparse(
            str(path), events=("end",), tag=opts["record_tag"], resolve_entities=False, no_network=True,
            huge_tree=False, remove_blank_text=False,
        )
        for index, (_, element) in enumerate(events, start=1):
            payload = etree.tostring(element, encoding="utf-8")
            local_id = str(find_id(element)).strip() or f"record-{index}"
            yield SourceRecord(
                source_id=source.id,
                local_id=local_id,
                payload=payload,
                media_type="application/xml",
                content_hash=content_hash(payload),
                origin=str(path),
                location=f"line {element.sourceline}",
            )
            element.clear(keep_tail=True)
    except OSError as exc:
        raise InputError("harvest.unreadable", path=path, detail=exc) from exc
    except etree.XMLSyntaxError as exc:
        raise InputError("harvest.bad_xml", path=path, line=exc.lineno, detail=exc.msg) from exc
