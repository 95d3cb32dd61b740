"""Key-field recall and the share of valid records of the `tate` and `odcaf` mappings on the real
files in ../shared/data (tategallery/collection @ a51d8afc, CC0; Statistics Canada's ODCAF v1.0,
Open Government Licence – Canada): for each key field a record actually gives (a non-empty value
in the source), whether it comes out in the record's graph (docs/mapping.md has the figures)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from culturedata.mapping import load_mapping, map_records
from culturedata.records import MappedRecord, Severity
from culturedata.validate import load_shapes, make_validator, validate_records

from .conftest import QCP, RDF_TYPE, SCHEMA, context, file_record, iter_files, objects, shared
from .test_tate_odcaf import odcaf_records

Check = Callable[[MappedRecord, str], bool]
CRM = "http://www.cidoc-crm.org/cidoc-crm/"


def _out(*paths: str) -> Check:
    """Kept when the main subject has one of the properties, or reaches one through one node
    (`address.postalCode`: the address node's postal code)."""
    def kept(record: MappedRecord, subject: str) -> bool:
        for path in paths:
            first, second = _split(path)
            values = objects(record, subject, first)
            if second:
                values = [v for node in values for v in objects(record, node.value, second)]
            if values:
                return True
        return False
    return kept


def _split(path: str) -> tuple[str, str]:
    """`address.postalCode` → the two schema.org IRIs; an IRI is written whole, and a second one
    follows the first after a dot ("…P12i_was_present_at.http://purl.org/dc/terms/date")."""
    if path.startswith("http"):
        head, _, tail = path.partition(".http")
        return head, ("http" + tail) if tail else ""
    head, _, tail = path.partition(".")
    return SCHEMA + head, (tail if tail.startswith("http") else SCHEMA + tail) if tail else ""


def _given(data: dict[str, Any], path: str) -> bool:
    node: Any = data
    for key in path.split("."):
        if isinstance(node, list):
            found = [n.get(key) for n in node if isinstance(n, dict)]
            node = [v for n in found for v in (n if isinstance(n, list) else [n]) if v not in (None, "", [])]
        elif isinstance(node, dict):
            node = node.get(key)
        if node in (None, "", [], ".."):
            return False
    return True


TATE: dict[str, tuple[str, Check]] = {
    "title": ("title", _out("name")),
    "accession number": ("acno", _out("identifier")),
    "artists": ("contributors.fc", _out("creator")),
    "date text": ("dateText", _out(QCP + "dateStatement")),
    "date range": ("dateRange.startYear", _out("dateCreated", "http://purl.org/dc/terms/created")),
    "medium": ("medium", _out("artMedium")),
    "dimensions": ("dimensions", _out("size")),
    "height": ("height", _out("height")),
    "width": ("width", _out("width")),
    "credit line": ("creditLine", _out("creditText")),
    "classification": ("classification", _out("genre")),
    "subjects": ("subjects.children.children.children.name", _out("keywords")),
    "web page": ("url", _out("url")),
    "image": ("thumbnailUrl", _out("image")),
    "artist roles": ("contributors.role", _out("contributor.roleName")),
    "acquisition year": ("acquisitionYear", _out(CRM + "P12i_was_present_at.http://purl.org/dc/terms/date")),
}

ODCAF: dict[str, tuple[str, Check]] = {
    "name": ("Facility_Name", _out("name")),
    "facility type": ("ODCAF_Facility_Type", _out("keywords")),
    "source facility type": ("Source_Facility_Type", _out("keywords")),
    "street": ("Street_Name", _out("address.streetAddress")),
    "postal code": ("Postal_Code", _out("address.postalCode")),
    "city": ("City", _out("address.addressLocality")),
    "province": ("Prov_Terr", _out("address.addressRegion")),
    "coordinates": ("Latitude", _out("geo.latitude")),
}


def _main(record: MappedRecord, cls: str) -> str | None:
    return next((t.subject.value for t in record.triples if t.predicate.value == RDF_TYPE and t.object.value == cls),
                None)


def recall(pairs: list[tuple[dict[str, Any], MappedRecord]], fields: dict[str, tuple[str, Check]],
           cls: str) -> tuple[Counter[str], Counter[str]]:
    given: Counter[str] = Counter()
    kept: Counter[str] = Counter()
    for data, record in pairs:
        subject = _main(record, cls)
        if subject is None:
            continue  # not mapped: reported as unmappable (tests/mapping/test_tate_odcaf.py)
        for name, (path, check) in fields.items():
            if _given(data, path):
                given[name] += 1
                kept[name] += check(record, subject)
    return given, kept


@pytest.fixture(scope="module")
def tate() -> list[tuple[dict[str, Any], MappedRecord]]:
    files = list(iter_files(shared("tate", "artworks"), "*.json"))
    mapped = map_records(load_mapping("tate"), (file_record(p, "tate") for p in files), context("tate", "en"))
    return [(json.loads(p.read_text(encoding="utf-8")), r) for p, r in zip(files, mapped, strict=True)]


@pytest.fixture(scope="module")
def odcaf() -> list[tuple[dict[str, Any], MappedRecord]]:
    records = odcaf_records()
    mapped = map_records(load_mapping("odcaf"), records, context("odcaf", "en"))
    return [(dict(s.payload), r) for s, r in zip(records, mapped, strict=True)]


def _share_valid(records: list[MappedRecord]) -> tuple[int, Counter[str]]:
    validator = make_validator("pyshacl", load_shapes())
    reports = [report for _, report in validate_records(validator, records, batch_size=500)]
    violations = Counter(f.rule.rsplit("/", 1)[-1] for r in reports for f in r.findings
                         if f.severity is Severity.VIOLATION)
    return sum(r.conforms for r in reports), violations


def test_tate_key_fields_and_validity(tate: list[tuple[dict[str, Any], MappedRecord]]) -> None:
    given, kept = recall(tate, TATE, QCP + "HeritageObject")
    assert len(tate) == 198 and set(given) == set(TATE)
    missed = {name: (kept[name], given[name]) for name in given if kept[name] < given[name]}
    assert sum(kept.values()) / sum(given.values()) >= 0.98, missed
    assert not missed, missed
    valid, violations = _share_valid([r for _, r in tate])
    # Tate's records give no licence for their images (thumbnailCopyright is empty): those are
    # quarantined until the steward states one; nothing else is a violation.
    assert valid >= 27 and set(violations) == {"MediaObject-license"}, violations


def test_odcaf_key_fields_and_validity(odcaf: list[tuple[dict[str, Any], MappedRecord]]) -> None:
    given, kept = recall(odcaf, ODCAF, SCHEMA + "Place")
    assert len(odcaf) == 7972 and set(given) == set(ODCAF)
    missed = {name: (kept[name], given[name]) for name in given if kept[name] < given[name]}
    assert sum(kept.values()) / sum(given.values()) >= 0.98, missed
    valid, violations = _share_valid([r for _, r in odcaf])
    assert valid >= 5950, violations  # 5,956: the rest lack a postal code or a street (incomplete addresses)
