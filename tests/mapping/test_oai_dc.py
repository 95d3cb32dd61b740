"""mappings/oai_dc.yaml on the OAI-PMH responses of ../shared/data/oai-pmh (mloesch/sickle test data)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from pyoxigraph import Literal, NamedNode

from culturedata.mapping import load_mapping, map_records
from culturedata.records import MappedRecord, SourceRecord, content_hash

from .conftest import QCP, RDF_TYPE, SCHEMA, context, has, objects, shared

OAI = "{http://www.openarchives.org/OAI/2.0/}"


def oai_records(path: Path) -> list[SourceRecord]:
    """The <record> elements of a saved response, as the OAI-PMH harvester hands them over."""
    out = []
    for index, element in enumerate(etree.parse(str(path)).iter(f"{OAI}record")):
        header = element.find(f"{OAI}header")
        deleted = header is not None and header.get("status") == "deleted"
        local_id = (header.findtext(f"{OAI}identifier") if header is not None else None) or f"record-{index}"
        payload = etree.tostring(element)
        out.append(SourceRecord("oai", local_id, payload, "application/xml", content_hash(payload), deleted=deleted))
    return out


def map_file(name: str) -> list[MappedRecord]:
    return list(map_records(load_mapping("oai_dc"), oai_records(shared("oai-pmh", name)), context("oai", "en")))


@pytest.mark.parametrize(("name", "records", "deleted"), [
    ("GetRecord.xml", 1, 0), ("GetRecord_utf8test.xml", 1, 0), ("ListRecords.xml", 2, 1),
    ("ListRecords2.xml", 2, 1), ("ListRecords3.xml", 2, 1), ("ListRecords4.xml", 2, 1)])
def test_every_live_record_yields_one_object(name: str, records: int, deleted: int) -> None:
    mapped = map_file(name)
    assert len(mapped) == records
    assert sum(r.deleted for r in mapped) == deleted
    for record in mapped:
        typed = [t for t in record.triples if t.predicate.value == RDF_TYPE and t.object.value == QCP + "HeritageObject"]
        assert len(typed) == (0 if record.deleted else 1)
        assert not [f for f in record.findings if f.rule == "unmappable"]


def test_get_record_spot_checks() -> None:
    [record] = map_file("GetRecord.xml")
    [subject] = [t.subject.value for t in record.triples if t.predicate.value == RDF_TYPE and t.object.value == QCP + "HeritageObject"]
    names = objects(record, subject, SCHEMA + "name")
    assert names and all(isinstance(n, Literal) and n.language for n in names)
    assert has(record, subject, QCP + "heldBy", NamedNode("http://127.0.0.1:8000/id/oai/organisation/oai"))
    modified = objects(record, subject, SCHEMA + "dateModified")
    assert [m.datatype.value for m in modified] == ["http://www.w3.org/2001/XMLSchema#dateTime"]


SHARED_IDS = b"""<?xml version="1.0" encoding="UTF-8"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-01-01T00:00:00Z</responseDate>
<request verb="ListRecords" metadataPrefix="oai_dc">http://repo.example/oai</request><ListRecords>
<record><header><identifier>oai:repo.example:10/1</identifier><datestamp>2024-01-01</datestamp></header><metadata>
<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>Premier article</dc:title><dc:identifier>1234-5678</dc:identifier>
<dc:identifier>http://hdl.handle.net/10/1</dc:identifier></oai_dc:dc></metadata></record>
<record><header><identifier>oai:repo.example:10/2</identifier><datestamp>2024-01-01</datestamp></header><metadata>
<oai_dc:dc xmlns:oai_dc="http://www.openarchives.org/OAI/2.0/oai_dc/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<dc:title>Second article</dc:title><dc:identifier>1234-5678</dc:identifier><dc:identifier>-</dc:identifier>
</oai_dc:dc></metadata></record></ListRecords></OAI-PMH>"""


@pytest.mark.parametrize("whole", [True, False], ids=["record", "metadata-only"])
def test_records_sharing_a_dc_identifier_stay_distinct_objects(tmp_path: Path, whole: bool) -> None:
    """A shared ISSN (or "-") once made every record of a real DSpace page one object with many titles.
    The harvester hands over the whole <record> or only its metadata: either way the object's IRI is
    the OAI identifier's, and every identifier is kept."""
    page = etree.fromstring(SHARED_IDS)
    records = []
    for element in page.iter(f"{OAI}record"):
        local_id = element.findtext(f"{OAI}header/{OAI}identifier")
        payload = etree.tostring(element if whole else element.find(f"{OAI}metadata")[0])
        records.append(SourceRecord("oai", local_id, payload, "application/xml", content_hash(payload)))
    mapped = list(map_records(load_mapping("oai_dc"), records, context("oai", "en")))
    subjects = [t.subject.value for r in mapped for t in r.triples
                if t.predicate.value == RDF_TYPE and t.object.value == QCP + "HeritageObject"]
    assert len(subjects) == len(set(subjects)) == 2
    for record, subject in zip(mapped, subjects, strict=True):
        assert len(objects(record, subject, SCHEMA + "name")) == 1
        values = sorted(v.value for node in objects(record, subject, SCHEMA + "identifier")
                        for v in objects(record, node.value, SCHEMA + "value"))
        expected = {"oai:repo.example:10/1": ["1234-5678", "http://hdl.handle.net/10/1", "oai:repo.example:10/1"],
                    "oai:repo.example:10/2": ["-", "1234-5678", "oai:repo.example:10/2"]}[record.local_id]
        assert values == expected
