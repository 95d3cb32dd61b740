"""Records nested past libxml2's depth, emptied from their page so that lxml reads the rest."""

from __future__ import annotations

import pytest
from lxml import etree

from culturedata.harvest import oaipmh
from culturedata.harvest.limits import XML_DEPTH
from culturedata.harvest.xmldepth import defuse

HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n<oai:OAI-PMH xmlns:oai="http://www.openarchives.org/OAI/2.0/">'
        b"<oai:responseDate>2026-01-01T00:00:00Z</oai:responseDate><oai:request verb='ListRecords'>u</oai:request>"
        b"<oai:ListRecords>")
TAIL = b"<oai:resumptionToken>t1</oai:resumptionToken></oai:ListRecords></oai:OAI-PMH>"


def nest(levels: int) -> bytes:
    return b"<n a='>'>" * levels + b"<!-- < --><![CDATA[<x>]]>" + b"</n>" * levels


def record(number: int, payload: bytes, header_extra: bytes = b"") -> bytes:
    return (b"<oai:record><oai:header><oai:identifier>oai:x:%d</oai:identifier>"
            b"<oai:datestamp>2026-01-01</oai:datestamp>%s</oai:header>"
            b"<oai:metadata><dc>%s</dc></oai:metadata></oai:record>" % (number, header_extra, payload))


def test_only_the_too_deep_records_are_emptied_and_named_by_their_place() -> None:
    page = HEAD + record(1, nest(3)) + record(2, nest(400)) + record(3, b"<t/>") + record(4, nest(300)) + TAIL
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(page)
    defused = defuse(page, XML_DEPTH)
    assert defused is not None and defused.items == 4 and defused.too_deep == {2, 4}
    read = oaipmh.parse_page(page, "http://x/oai")
    assert [header.identifier for header, _ in read.records] == ["oai:x:1", "oai:x:2", "oai:x:3", "oai:x:4"]
    assert [payload for _, payload in read.records][1::2] == [b"", b""]
    assert etree.fromstring(read.records[0][1]).tag == "dc" and etree.fromstring(read.records[2][1]).tag == "dc"
    assert read.too_deep == {2, 4} and read.token == "t1"


def test_a_page_too_deep_outside_a_records_metadata_still_fails() -> None:
    page = HEAD + record(1, b"<t/>", header_extra=nest(400)) + TAIL
    assert defuse(page, XML_DEPTH) is None
    with pytest.raises(oaipmh.BadPage):
        oaipmh.parse_page(page, "http://x/oai")


def test_a_page_that_is_broken_besides_stays_broken() -> None:
    page = HEAD + record(1, nest(400)) + record(2, b"<t>") + TAIL
    with pytest.raises(oaipmh.BadPage):
        oaipmh.parse_page(page, "http://x/oai")
