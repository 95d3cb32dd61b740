"""The shipped municipality vocabulary and the lookups into it: every Quebec census subdivision
with its division and region, homonyms told apart by what the record says or reported, and places
outside Quebec kept out of every Quebec region."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyoxigraph import NamedNode

from culturedata.mapping import Hints, load_mapping, load_vocabularies, map_record, map_records
from culturedata.records import SourceRecord, content_hash
from culturedata.resources import ontologies_dir

from .conftest import BASE, SCHEMA, context, objects, record, shared

SKOS = "http://www.w3.org/2004/02/skos/core#"
VOCAB = "https://w3id.org/culturedata/vocab/"
MUN, CD, REG = VOCAB + "municipalities/", VOCAB + "census-divisions/", VOCAB + "regions/"
IN = SCHEMA + "containedInPlace"


@pytest.fixture(scope="module")
def municipalities():  # type: ignore[no-untyped-def]
    scheme = load_vocabularies(ontologies_dir()).scheme("municipalities")
    assert scheme is not None
    return scheme


def test_every_quebec_census_subdivision_has_its_code_division_and_region() -> None:
    graph = ox.Store()
    for name in ("municipalities.ttl", "census-divisions.ttl", "regions.ttl"):
        graph.bulk_load(path=str(ontologies_dir() / "vocab" / name), format=ox.RdfFormat.TURTLE)
    members = [q.subject.value for q in graph.quads_for_pattern(None, NamedNode(SKOS + "inScheme"),
                                                                NamedNode(VOCAB + "municipalities"))]
    assert len(members) >= 1100
    regions = {q.subject.value for q in graph.quads_for_pattern(None, NamedNode(SKOS + "inScheme"),
                                                                NamedNode(VOCAB + "regions"))}
    divisions = {q.subject.value for q in graph.quads_for_pattern(None, NamedNode(SKOS + "inScheme"),
                                                                  NamedNode(VOCAB + "census-divisions"))}
    assert len(divisions) == 98
    for member in members:
        node = NamedNode(member)
        [region] = [q.object.value for q in graph.quads_for_pattern(node, NamedNode(IN), None)]
        [division] = [q.object.value for q in graph.quads_for_pattern(node, NamedNode(SKOS + "broader"), None)]
        assert region in regions and division in divisions, member
        notations = {q.object.value for q in graph.quads_for_pattern(node, NamedNode(SKOS + "notation"), None)}
        code = member.rsplit("/", 1)[1]
        assert notations == {code, "24" + code}, member  # ISQ code = census subdivision code less "24"
        # a division lies in the region of its municipalities
        assert [q.object.value for q in graph.quads_for_pattern(NamedNode(division), NamedNode(IN), None)] == [region]


@pytest.mark.parametrize(("name", "region"), [
    # none of these was in the table of 721 municipalities that had an ODCAF facility
    ("Otterburn Park", "16"), ("Akwesasne", "16"), ("Kanesatake", "15"), ("Wôlinak", "17"),  # reserves, settlement
    ("Kitigan Zibi", "07"), ("Mont-Alexandre", "11"), ("Lac-Pikauba", "03"),  # unorganised territories (TNO)
    ("Kuujjuaq", "10"),  # an Inuit northern village
])
def test_municipalities_territories_and_communities_absent_before_are_found(municipalities, name: str, region: str) -> None:  # type: ignore[no-untyped-def]
    assert municipalities.find(name, IN) == [REG + region]


def test_a_census_subdivision_code_is_looked_up_exactly(municipalities) -> None:  # type: ignore[no-untyped-def]
    assert municipalities.find("2457030", IN) == [REG + "16"] == municipalities.find("57030", IN)
    assert municipalities.find("3530016", IN) == []  # Waterloo, Ontario: not a Quebec code


def test_a_homonym_is_told_apart_by_postal_code_mrc_region_or_coordinates(municipalities) -> None:  # type: ignore[no-untyped-def]
    # L'Ange-Gardien: La Côte-de-Beaupré (Capitale-Nationale, 03) and Les Collines-de-l'Outaouais (07)
    assert municipalities.resolve("L'Ange-Gardien", IN, Hints(postal_code="G0A 2K0")).iris == (REG + "03",)
    assert municipalities.resolve("L'Ange-Gardien", IN, Hints(latitude="45.58", longitude="-75.45")).iris == (REG + "07",)
    # Saint-Damase: La Matapédia (Bas-Saint-Laurent, 01) and Les Maskoutains (Montérégie, 16)
    assert municipalities.find("Saint-Damase (Les Maskoutains)", IN) == [REG + "16"]
    assert municipalities.resolve("Saint-Damase", IN, Hints(division="La Matapédia")).iris == (REG + "01",)
    assert municipalities.resolve("Saint-Isidore", IN, Hints(region="Montérégie")).iris == (REG + "16",)
    assert municipalities.resolve("Saint-Damase", None, Hints(division="les maskoutains")).iris == (MUN + "54017",)


def test_a_homonym_nothing_settles_is_reported_with_its_candidates(municipalities) -> None:  # type: ignore[no-untyped-def]
    found = municipalities.resolve("L'Ange-Gardien", IN)
    assert found.iris == () and found.ambiguous == (MUN + "21040", MUN + "82005")
    assert [municipalities.describe(c) for c in found.ambiguous] == [
        "L'Ange-Gardien (21040) — La Côte-de-Beaupré (2421)",
        "L'Ange-Gardien (82005) — Les Collines-de-l'Outaouais (2482)"]
    # a clue that fits neither candidate is set aside, not trusted
    assert municipalities.resolve("L'Ange-Gardien", IN, Hints(division="Laval")).ambiguous == found.ambiguous
    assert municipalities.find("L'Ange-Gardien", IN) == []
    # homonyms in one region are no problem for the region: Stanstead (city and township)
    assert municipalities.find("Stanstead", IN) == [REG + "05"]


@pytest.mark.parametrize("hints", [
    Hints(province="ON", postal_code="N2L 3G1"), Hints(province="Ontario"), Hints(postal_code="N2L 3G1"),
    Hints(country="United States"), Hints(postal_code="05401"),
])
def test_a_place_outside_quebec_gets_no_quebec_region(municipalities, hints: Hints) -> None:  # type: ignore[no-untyped-def]
    found = municipalities.resolve("Waterloo", IN, hints)
    assert found.outside and found.iris == ()


@pytest.mark.parametrize("hints", [
    Hints(province="QC", postal_code="J0E 2N0", country="CA"), Hints(province="Montérégie"),
    Hints(country="http://www.wikidata.org/entity/Q16"), Hints(postal_code="n/a"),
])
def test_quebec_or_unclear_hints_keep_the_quebec_answer(municipalities, hints: Hints) -> None:  # type: ignore[no-untyped-def]
    assert municipalities.resolve("Waterloo", IN, hints).iris == (REG + "05",)


def test_the_federal_k1a_prefix_says_nothing_about_the_province(municipalities) -> None:  # type: ignore[no-untyped-def]
    """ODCAF places the Canadian Museum of History, in Gatineau, at K1A 0M8."""
    assert municipalities.resolve("Gatineau", IN, Hints(postal_code="K1A 0M8")).iris == (REG + "07",)


CONTEXT_MAPPING = """
format: csv
entities:
  place:
    iri: "{base}id/{source}/lieu/{id}"
    types: [schema:Place]
    properties:
      schema:containedInPlace:
        field: ville
        lookup:
          scheme: municipalities
          follow: schema:containedInPlace
          else: ignore
          context: {postal_code: code_postal, province: province, division: mrc}
"""


def test_a_mapping_passes_the_address_to_the_lookup(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(CONTEXT_MAPPING, encoding="utf-8")
    compiled = load_mapping(str(path))
    place = f"{BASE}id/s/lieu/1"

    def mapped(**row: str):  # type: ignore[no-untyped-def]
        return map_record(compiled, record({"id": "1", **row}, media="text/csv"), context())

    by_postal_code = mapped(ville="L'Ange-Gardien", code_postal="G0A 2K0", province="QC")
    assert objects(by_postal_code, place, IN) == [NamedNode(REG + "03")] and not by_postal_code.findings
    by_mrc = mapped(ville="Saint-Damase", mrc="Les Maskoutains")
    assert objects(by_mrc, place, IN) == [NamedNode(REG + "16")]
    unsettled = mapped(ville="Saint-Damase")
    assert objects(unsettled, place, IN) == []
    [finding] = unsettled.findings
    assert finding.rule == "lookup-ambiguous" and finding.value == "Saint-Damase" and finding.path == "ville"
    assert "07105" in finding.message["fr"] and "54017" in finding.message["en"] and "Les Maskoutains" in finding.message["en"]
    ontario = mapped(ville="Waterloo", province="ON", code_postal="N2L 3G1")
    assert objects(ontario, place, IN) == [] and not ontario.findings
    assert objects(mapped(ville="Waterloo", province="QC"), place, IN) == [NamedNode(REG + "05")]


def test_a_context_field_the_lookup_cannot_use_is_refused(tmp_path: Path) -> None:
    from culturedata.errors import MappingError

    path = tmp_path / "m.yaml"
    path.write_text(CONTEXT_MAPPING.replace("division: mrc", "county: mrc"), encoding="utf-8")
    with pytest.raises(MappingError) as caught:
        load_mapping(str(path))
    assert "county" in str(caught.value)


def test_odcaf_places_waterloo_ontario_in_no_quebec_region() -> None:
    text = shared("odcaf", "ODCAF_V1.0.csv").read_text(encoding="utf-8-sig")
    rows = {row["Index"]: row for row in csv.DictReader(io.StringIO(text))}
    wanted = ("1970", "2156", "3264")  # Brubacher House and Earth Sciences Museum (Ontario); Fly Fishing Museum (Quebec)
    records = [SourceRecord("odcaf", i, rows[i], "text/csv", content_hash(json.dumps(rows[i]).encode())) for i in wanted]
    mapped = {r.local_id: r for r in map_records(load_mapping("odcaf"), records, context("odcaf", "en"))}
    place = "http://127.0.0.1:8000/id/odcaf/lieu/{}"
    assert objects(mapped["1970"], place.format("1970"), IN) == []
    assert objects(mapped["3264"], place.format("3264"), IN) == []
    assert objects(mapped["2156"], place.format("2156"), IN) == [NamedNode(REG + "05")]


def test_every_quebec_odcaf_facility_with_a_code_gets_its_region() -> None:
    text = shared("odcaf", "ODCAF_V1.0.csv").read_text(encoding="utf-8-sig")
    rows = [row for row in csv.DictReader(io.StringIO(text)) if row["Prov_Terr"] == "qc" and row["CSDUID"] != ".."]
    records = [SourceRecord("odcaf", row["Index"], row, "text/csv", content_hash(json.dumps(row).encode()))
               for row in rows]
    mapped = list(map_records(load_mapping("odcaf"), records, context("odcaf", "en")))
    placed = [r for r in mapped if objects(r, f"http://127.0.0.1:8000/id/odcaf/lieu/{r.local_id}", IN)]
    assert len(rows) == 2205 and len(placed) == len([r for r in mapped if r.triples])
