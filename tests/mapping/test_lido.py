"""mappings/lido.yaml on the demo LIDO export and on the official LIDO 1.0 / 1.1 examples and
KENOM records (nfdi4objects/lido-examples, in ../shared/data/lido)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree
from pyoxigraph import Literal, NamedNode

from culturedata.config import load_config
from culturedata.harvest import HarvestOptions, harvest
from culturedata.mapping import MappingContext, load_mapping, map_records
from culturedata.records import MappedRecord, SourceRecord, content_hash

from .conftest import QCP, RDF_TYPE, ROOT, SCHEMA, context, has, objects, sample, shared

LIDO = "{http://www.lido-schema.org}lido"


def lido_records(path: Path) -> list[SourceRecord]:
    out = []
    for _, element in etree.iterparse(str(path), tag=LIDO, resolve_entities=False, no_network=True):
        payload = etree.tostring(element)
        out.append(SourceRecord("lido-examples", f"{path.stem}-{len(out)}", payload, "application/xml",
                                content_hash(payload)))
    return out


def map_file(path: Path, language: str = "de") -> list[MappedRecord]:
    return list(map_records(load_mapping("lido"), lido_records(path), context("lido-examples", language)))


def count_types(mapped: list[MappedRecord]) -> Counter[str]:
    return Counter(t.object.value.rsplit("/", 1)[-1].rsplit("#", 1)[-1]
                   for r in mapped for t in r.triples if t.predicate.value == RDF_TYPE)


@pytest.mark.parametrize(
    ("name", "records", "objects_out", "persons", "accessions"),
    [
        ("LIDO-Example_FMobj00154983-LaPrimavera.xml", 1, 1, 1, 1),
        ("LIDO-Example_FMobj20344012-Fontana_del_Moro.xml", 3, 3, 2, 0),
        ("LIDO-v1.1-Example_FMobj00154983-LaPrimavera.xml", 1, 1, 1, 1),
        ("LIDO-v1.1-Example_FMobj20344012-Fontana_del_Moro.xml", 3, 3, 3, 0),
        ("kenom_oai_chunk20.xml", 20, 20, 31, 20),
        ("minimaldatensatz.xml", 1, 1, 3, 1),
    ],
)
def test_real_lido_files(name: str, records: int, objects_out: int, persons: int, accessions: int) -> None:
    mapped = map_file(shared("lido", name))
    assert len(mapped) == records
    kinds = count_types(mapped)
    assert (kinds["HeritageObject"], kinds["Person"], kinds["PropertyValue"]) == (objects_out, persons, accessions)
    assert not [f for r in mapped for f in r.findings if f.rule == "unmappable"]


def test_lido_1_1_primavera_exact_spot_checks() -> None:
    [mapped] = map_file(shared("lido", "LIDO-v1.1-Example_FMobj00154983-LaPrimavera.xml"))
    obj = "http://127.0.0.1:8000/id/lido-examples/objet/de-mb112-lido-obj00154983"
    assert set(objects(mapped, obj, SCHEMA + "name")) == {Literal("La Primavera", language="it"),
                                                           Literal("Spring", language="en")}
    assert has(mapped, obj + "#accession", SCHEMA + "value", Literal("8360 (Inv. 1890)"))
    assert has(mapped, obj, "http://purl.org/dc/terms/created",
               Literal("1480/1485", datatype=NamedNode("http://id.loc.gov/datatypes/edtf")))
    [artist] = objects(mapped, obj, SCHEMA + "creator")
    assert has(mapped, artist.value, SCHEMA + "name", Literal("Sandro Botticelli", language="de"))  # descriptiveMetadata xml:lang
    # ULAN page URL → canonical ULAN IRI; GND kept as given
    assert set(objects(mapped, artist.value, SCHEMA + "sameAs")) == {
        NamedNode("http://vocab.getty.edu/ulan/500015254"), NamedNode("https://d-nb.info/gnd/118514008")}
    assert has(mapped, artist.value, SCHEMA + "deathDate",
               Literal("1510-05-17", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#date")))


def test_kenom_measurements_become_quantitative_values() -> None:
    mapped = map_file(shared("lido", "kenom_oai_chunk20.xml"))
    first = mapped[0]
    heights = [t for t in first.triples if t.predicate.value == SCHEMA + "height"]
    assert heights
    value = heights[0].object.value
    [unit] = objects(first, value, SCHEMA + "unitCode")
    assert unit.value in {"MMT", "CMT"}


@pytest.fixture(scope="module")
def demo() -> dict[str, MappedRecord]:
    sample("musee-anse-aux-brumes", "lido.xml")
    config = load_config(ROOT / "culturedata.toml")
    source = config.source("musee-anse-aux-brumes")
    ctx = MappingContext.for_source(config.base_iri, source.id, source.language)
    return {r.local_id: r for r in map_records(load_mapping("lido"), harvest(source, HarvestOptions()), ctx)}


def test_demo_counts(demo: dict[str, MappedRecord]) -> None:
    assert len(demo) == 20
    kinds = count_types(list(demo.values()))
    assert kinds["HeritageObject"] == 20
    assert kinds["PropertyValue"] == 19  # MMAB-0012 has no workID
    assert not objects(demo["MMAB-0012"], "http://127.0.0.1:8000/id/musee-anse-aux-brumes/objet/mmab-0012",
                       SCHEMA + "identifier")


def test_demo_spot_checks(demo: dict[str, MappedRecord]) -> None:
    base = "http://127.0.0.1:8000/id/musee-anse-aux-brumes/objet/"
    first = demo["MMAB-0001"]
    obj = base + "mmab-0001"
    assert has(first, obj, RDF_TYPE, NamedNode(QCP + "HeritageObject"))
    assert has(first, obj, SCHEMA + "name", Literal("Sextant de capitaine", language="fr"))
    assert has(first, obj, SCHEMA + "alternateName", Literal("Captain's sextant", language="en"))
    assert has(first, obj, QCP + "heldBy",
               NamedNode("http://127.0.0.1:8000/id/musee-anse-aux-brumes/organisation/musee-anse-aux-brumes"))
    assert has(first, obj, "http://purl.org/dc/terms/created",
               Literal("1900/1910", datatype=NamedNode("http://id.loc.gov/datatypes/edtf")))
    assert has(first, obj + "#height-1", SCHEMA + "value",
               Literal("24", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    assert has(first, obj + "#image-1", SCHEMA + "license", NamedNode("https://creativecommons.org/licenses/by/4.0/"))
    [maker] = objects(first, obj, SCHEMA + "creator")  # "Atkinson & Rowe", lido:type="corporation"
    assert objects(first, maker.value, RDF_TYPE) == [NamedNode(SCHEMA + "Organization")]
    # padded values (MMAB-0011) are trimmed; the CDATA description with <em> (MMAB-0007) is plain text
    padded = demo["MMAB-0011"]
    names = [o.value for o in objects(padded, base + "mmab-0011", SCHEMA + "name")]
    assert names and all(n == " ".join(n.split()) for n in names)
    descriptions = [o.value for o in objects(demo["MMAB-0007"], base + "mmab-0007", SCHEMA + "description")]
    assert descriptions and not any("<" in d for d in descriptions)
    # decimal commas in measurements
    decimals = [t.object.value for r in demo.values() for t in r.triples
                if t.predicate.value == SCHEMA + "value" and "decimal" in str(t.object)]
    assert "12.5" in decimals
