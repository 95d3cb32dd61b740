"""mappings/mods.yaml on the real MODS records of ../shared/data/dpla-records (dpla/ingestion3 test
resources, MIT; the Harvard LibraryCloud ListRecords page among them).

Recall is measured field by field against what each record holds: a field a record gives must come
out, a field it lacks is not counted (docs/mapping.md has the figures)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from culturedata.mapping import load_mapping, map_records
from culturedata.records import MappedRecord, SourceRecord, content_hash

from .conftest import QCP, RDF_TYPE, SCHEMA, context, objects, shared

OAI = "http://www.openarchives.org/OAI/2.0/"
MODS = "http://www.loc.gov/mods/v3"
NS = {"oai": OAI, "mods": MODS}


def mods_files() -> list[Path]:
    folder = shared("dpla-records")
    return sorted(p for p in folder.glob("*.xml") if b"http://www.loc.gov/mods/v3\"" in p.read_bytes()
                  and b"qualifieddc" not in p.read_bytes())


def records(path: Path) -> list[SourceRecord]:
    """One record per OAI <record> (or per bare mods:mods), as the OAI-PMH harvester hands them over."""
    root = etree.parse(str(path), etree.XMLParser(recover=True)).getroot()
    elements = root.xpath("//oai:record | //record", namespaces=NS) or root.xpath("//mods:mods", namespaces=NS)
    out = []
    for index, element in enumerate(elements):
        local_id = "".join(element.xpath("string((oai:header/oai:identifier | header/identifier)[1])",
                                         namespaces=NS)).strip() or f"{path.stem}-{index}"
        payload = etree.tostring(element)
        out.append(SourceRecord("dpla", local_id, payload, "application/xml", content_hash(payload)))
    return out


def mapped(path: Path) -> list[tuple[SourceRecord, MappedRecord]]:
    sources = records(path)
    return list(zip(sources, map_records(load_mapping("mods"), sources, context("dpla", "en")), strict=True))


def main_subject(record: MappedRecord) -> str:
    [subject] = [t.subject.value for t in record.triples
                 if t.predicate.value == RDF_TYPE and t.object.value == QCP + "HeritageObject"]
    return subject


# What a record gives (an XPath over the source) and where it must come out (predicates of the object).
KEY_FIELDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "title": (".//mods:titleInfo/mods:title", ("name",)),
    "names": (".//mods:name[mods:namePart or mods:displayForm]", ("creator", "contributor")),
    "identifiers": (".//mods:identifier[normalize-space(.)]", ("identifier",)),
    "subjects": (".//mods:subject/mods:topic", ("keywords",)),
    "dates": (".//mods:originInfo/*[starts-with(local-name(), 'date') or local-name() = 'copyrightDate']",
              ("dateStatement",)),
    "abstract": (".//mods:abstract", ("description",)),
    "images": (".//mods:location/mods:url[@access='preview' or @access='raw object']", ("image",)),
    "landing page": (".//mods:location/mods:url[@access='object in context']", ("url",)),
    "rights": (".//mods:accessCondition", ("license", "copyrightNotice")),
    "genre": (".//mods:genre", ("genre",)),
    "holder": (".//mods:location/mods:physicalLocation[not(@type) or @type='repository']", ("heldBy",)),
}


def recall() -> tuple[Counter[str], Counter[str], int]:
    given: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    count = 0
    for path in mods_files():
        for source, record in mapped(path):
            if not record.triples and record.findings:
                continue  # a broken record, reported (test below)
            count += 1
            tree = etree.fromstring(source.payload, etree.XMLParser(recover=True))
            subject = main_subject(record)
            for name, (xpath, predicates) in KEY_FIELDS.items():
                if tree.xpath(xpath, namespaces=NS):
                    given[name] += 1
                    out = [o for p in predicates
                           for o in objects(record, subject, (QCP if p in ("dateStatement", "heldBy") else SCHEMA) + p)]
                    if name == "holder":  # named in the record, not the source's own institution
                        out = [o for o in out if objects(record, o.value, SCHEMA + "name")]
                    kept[name] += bool(out)
    return given, kept, count


def test_key_fields_are_kept() -> None:
    given, kept, count = recall()
    assert count >= 20, count  # the page's records and the hubs' samples
    missed = {name: (kept[name], given[name]) for name in given if kept[name] < given[name]}
    assert sum(kept.values()) / sum(given.values()) >= 0.98, missed
    assert not missed, missed


def test_every_record_is_its_own_object() -> None:
    subjects = [main_subject(record) for path in mods_files() for _, record in mapped(path) if record.triples]
    assert len(subjects) == len(set(subjects))


def test_names_keep_their_role_and_authority() -> None:
    [(_, record)] = mapped(shared("dpla-records", "ma.xml"))
    subject = main_subject(record)
    [contributor] = objects(record, subject, SCHEMA + "contributor")
    assert [n.value for n in objects(record, contributor.value, SCHEMA + "name")] == ["American Photo-Relief Printing Co"]
    assert objects(record, subject, SCHEMA + "creator") == []  # its only named agent is a contributor


def test_each_identifier_is_kept_with_its_type() -> None:
    [(_, record)] = mapped(shared("dpla-records", "ma.xml"))
    subject = main_subject(record)
    pairs = sorted((str(objects(record, node.value, SCHEMA + "propertyID")[0].value),
                    objects(record, node.value, SCHEMA + "value")[0].value)
                   for node in objects(record, subject, SCHEMA + "identifier"))
    assert ("local-other", "rg131-02-07-006") in pairs
    assert any(kind == "uri" for kind, _ in pairs)


def test_a_record_with_an_unbound_prefix_is_reported_not_dropped() -> None:
    """Some hubs' fragments use a prefix they never declare: the record is a finding naming it."""
    [(_, record)] = mapped(shared("dpla-records", "tn.xml"))
    assert not record.triples
    [finding] = [f for f in record.findings if f.rule == "unmappable"]
    assert "xlink" in finding.message["en"] and "xlink" in finding.message["fr"]


@pytest.mark.parametrize("name", ["oai-page.xml"])
def test_a_real_listrecords_page(name: str) -> None:
    pairs = mapped(shared("dpla-records", name))
    assert len(pairs) >= 10
    for source, record in pairs:
        subject = main_subject(record)
        assert source.local_id in subject.replace("%3A", ":") or subject.endswith(source.local_id.lower())
        assert objects(record, subject, SCHEMA + "name")
        assert objects(record, subject, SCHEMA + "image")
