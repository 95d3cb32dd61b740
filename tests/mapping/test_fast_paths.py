"""The engine's fast paths write exactly what its general path writes.

The engine maps the common shapes of value (a field as a literal, a constant, a template,
another entity) with specialised emitters, reads a CSV row's fields all at once, skips the
check of IRIs minted by trusted `slug`/`hash` templates, and replaces some transforms by name
(`transforms.ON_FIELD_TEXT`, `{id|slug}`). `load_mapping(..., fast_paths=False)` turns all of
that off, leaving `_Run.objects` for every value. Every record below goes through both, and the
N-Triples text (in order) and the findings must be the same: every shipped mapping over the
real records we have, then random mappings over random records (a fixed seed, so CI sees the
same examples every time).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st
from lxml import etree

from culturedata.config import load_config
from culturedata.errors import MappingError
from culturedata.harvest import HarvestOptions, harvest
from culturedata.mapping import Mapping, MappingContext, load_mapping, map_record
from culturedata.mapping.language import parse_mapping, shipped_mappings
from culturedata.mapping.transforms import ON_FIELD_TEXT, TRANSFORMS
from culturedata.mapping.vocabularies import Vocabularies, load_vocabularies
from culturedata.records import MappedRecord, SourceRecord, content_hash
from culturedata.resources import ontologies_dir

from .conftest import BASE, ROOT, SHARED, context, file_record

Outcome = tuple[str, list[tuple[Any, ...]]]


def outcome(mapped: MappedRecord) -> Outcome:
    return str(mapped.ntriples), [(f.severity, f.rule, f.path, f.value, f.message) for f in mapped.findings]


def assert_same(fast: Mapping, general: Mapping, records: Iterable[SourceRecord], ctx: MappingContext,
                vocabularies: Vocabularies | None = None) -> int:
    """Maps each record both ways; returns how many records were compared."""
    count = 0
    for record in records:
        expected = outcome(map_record(general, record, ctx, vocabularies))
        assert outcome(map_record(fast, record, ctx, vocabularies)) == expected, record.local_id
        count += 1
    return count


def test_general_path_is_what_it_says() -> None:
    """A mapping loaded with fast_paths=False keeps none of the shortcuts (else this file proves nothing)."""
    from culturedata.mapping.engine import _plan

    fast, general = load_mapping("musee-csv"), load_mapping("musee-csv", fast_paths=False)
    assert {emit.__name__ for _, _, emitters in _plan(general) for emit in emitters} == {"general"}
    assert {emit.__name__ for _, _, emitters in _plan(fast) for emit in emitters} >= {"field_literal", "const"}
    assert all(ref.column is None and ref.xpath is None
               for e in general.entities for _, v in e.properties for ref in v.fields)


def test_fast_paths_name_real_options() -> None:
    """A fast path takes a value only when it honours every option the value sets; a misspelt
    or renamed option in its list would quietly send those values to the general path."""
    from dataclasses import fields

    from culturedata.mapping.engine import _DESCRIPTIVE, _FAST_PATHS, _options
    from culturedata.mapping.language import SOURCES, ValueSpec

    options = {f.name for f in fields(ValueSpec)} - _DESCRIPTIVE
    for sources, honoured, _ in _FAST_PATHS:
        assert sources <= set(SOURCES) and honoured <= options
    assert _options(ValueSpec("field", "x", split=";", required=True)) == {"split", "required"}


# --- shipped mappings, real records -------------------------------------------------------

def configured(source_id: str) -> tuple[str, list[SourceRecord], MappingContext]:
    config = load_config(ROOT / "culturedata.toml")
    source = config.source(source_id)
    records = list(harvest(source, HarvestOptions()))
    return source.mapping, records, MappingContext.for_source(config.base_iri, source.id, source.language)


def xml_records(path: Path, tag: str) -> list[SourceRecord]:
    out = []
    for element in etree.parse(str(path)).iter(tag):
        payload = etree.tostring(element)
        out.append(SourceRecord("x", f"{path.stem}-{len(out)}", payload, "application/xml", content_hash(payload)))
    return out


def csv_records(path: Path) -> list[SourceRecord]:
    rows = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig")))
    return [SourceRecord("odcaf", row["Index"], row, "text/csv", content_hash(json.dumps(row).encode()))
            for row in rows]


def shared_inputs(mapping: str) -> Iterator[tuple[list[SourceRecord], MappingContext]]:
    """Real records for the mapping from ../shared/data, for those of them that are here."""
    if mapping == "lido":
        for path in sorted((SHARED / "lido").glob("*.xml")):
            yield xml_records(path, "{http://www.lido-schema.org}lido"), context("lido-examples", "de")
    elif mapping == "oai_dc":
        for path in sorted((SHARED / "oai-pmh").glob("*Record*.xml")):
            if path.stem != "ListRecordsBroken":  # not XML: the harvester's tests read it
                yield xml_records(path, "{http://www.openarchives.org/OAI/2.0/}record"), context("oai", "en")
    elif mapping == "mods":
        for path in sorted((SHARED / "dpla-records").glob("*.xml")):
            data = path.read_bytes()
            if b'"http://www.loc.gov/mods/v3"' in data and b"qualifieddc" not in data:
                parser = etree.XMLParser(recover=True)  # two hub fragments leave a prefix undeclared
                root = etree.fromstring(data, parser)
                yield [SourceRecord("x", f"{path.stem}-{i}", etree.tostring(e), "application/xml",
                                    content_hash(etree.tostring(e)))
                       for i, e in enumerate(root.iter("{http://www.loc.gov/mods/v3}mods"))], context("dpla", "en")
    elif mapping == "odcaf":
        # The first 2,000 of its 8,000 rows: the same few shapes of row, at a quarter of the time
        for path in sorted((SHARED / "odcaf").glob("ODCAF_V1.0.csv")):
            yield csv_records(path)[:2000], context("odcaf", "en")
    elif mapping == "schema-events":
        for path in sorted((SHARED / "artsdata-orion").glob("*.jsonld")):
            yield [file_record(path, "orion")], context("orion")
    elif mapping == "laval-calendrier":
        for path in sorted((SHARED / "laval-2024").glob("*.json")):
            items = json.loads(path.read_bytes())
            yield ([SourceRecord("laval", f"{i['PageUrl']}#{i['EventDate']}", i, "application/json",
                                 content_hash(json.dumps(i).encode())) for i in items],
                   MappingContext.for_source(BASE, "laval", "fr", "UTC"))
    elif mapping == "tate":
        for path in sorted((SHARED / "tate" / "artworks").rglob("*.json")):
            yield [file_record(path, "tate")], context("tate", "en")


DEMO_SOURCES = ("musee-fjord-bleu", "musee-anse-aux-brumes", "theatre-deux-rives", "reseau-culture-laurentides")


@pytest.mark.parametrize("source_id", DEMO_SOURCES)
def test_demo_sources(source_id: str) -> None:
    name, records, ctx = configured(source_id)
    assert assert_same(load_mapping(name), load_mapping(name, fast_paths=False), records, ctx) == len(records) > 0


SHARED_MAPPINGS = ("laval-calendrier", "lido", "mods", "oai_dc", "odcaf", "schema-events", "tate")


@pytest.mark.parametrize("name", SHARED_MAPPINGS)
def test_shipped_mappings_on_shared_data(name: str) -> None:
    inputs = list(shared_inputs(name))
    if not inputs:
        pytest.skip(f"no records for {name} in {SHARED} (third-party test data, see /work/shared/data/README.md)")
    fast, general = load_mapping(name), load_mapping(name, fast_paths=False)
    assert sum(assert_same(fast, general, records, ctx) for records, ctx in inputs) > 0


def test_every_shipped_mapping_has_real_records() -> None:
    demo = {load_config(ROOT / "culturedata.toml").source(s).mapping for s in DEMO_SOURCES}
    # SPARQL mappings have no fast paths; tests/mapping/test_sparqlmap.py runs each on real records.
    yaml_mappings = {name for name in shipped_mappings() if load_mapping(name).format != "sparql"}
    assert yaml_mappings <= demo | set(SHARED_MAPPINGS)


# --- random mappings, random records ------------------------------------------------------

KEYS = ("k0", "k1", "k2", "k3")
FIELDS = ("id", "f1", "f2", "f3")  # the record-level fields, read from KEYS in that order
TEXTS = (
    "", " ", "n/a", "INCONNU", "Boîte à bijoux #2", "1998.3.12", "  spaced   out ", "http://example.org/a b",
    "https://example.org/x?y=1#z", "www.example.org/page", "<b>gras</b> &amp; maigre", "a &lt; b", "2020-01-31",
    "vers 1900", "1850/1870", "XIXe siècle", "12,5 cm", "a;b; ;c", "x, y", "CC BY-SA 4.0", "domaine public",
    "Q42", "http://www.wikidata.org/entity/Q42", "ulan:500115493", "Picasso, Pablo (1881-1973)", "Saguenay",
    "Trois-Rivières", "théâtre", "Event", "schema:Person", "42", "-3.5", "+1 418 555 0199", "0", "é\u0301",
    'quote " and \\ back', "line\nbreak", "tab\there", "\u00a0nbsp\u00a0", "ÉTÉ", "mailto:a@b.c", "urn:x:y",
)
LANGS = ("fr", "en-CA", "", "not a tag!", "de")


def text() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(TEXTS), st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)),
                                                     max_size=8))


def xml_text() -> st.SearchStrategy[str]:
    xml_chars = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"))
    return st.one_of(st.sampled_from([t for t in TEXTS if "\n" not in t and "\t" not in t]),
                     st.text(xml_chars, max_size=8))


@st.composite
def xml_record(draw: st.DrawFn) -> bytes:
    def fill(element: etree._Element) -> None:
        for key in KEYS:
            for _ in range(draw(st.integers(0, 2))):
                child = etree.SubElement(element, key)
                child.text = draw(xml_text())
                lang = draw(st.sampled_from((None, *LANGS)))
                if lang is not None:
                    child.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
                if draw(st.booleans()):
                    etree.SubElement(child, "b").text = draw(xml_text())

    root = etree.Element("r")
    lang = draw(st.sampled_from((None, *LANGS)))
    if lang is not None:
        root.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
    fill(root)
    items = etree.SubElement(root, "items")
    for _ in range(draw(st.integers(0, 3))):
        fill(etree.SubElement(items, "item"))
    return etree.tostring(root)


def json_value() -> st.SearchStrategy[Any]:
    scalar = st.one_of(text(), st.integers(-5, 3000), st.floats(allow_nan=False, allow_infinity=False),
                       st.booleans(), st.none(), st.just("\ud800"))
    return st.one_of(scalar, st.lists(scalar, max_size=3))


@st.composite
def json_record(draw: st.DrawFn) -> dict[str, Any]:
    keys = st.sampled_from(KEYS)
    record = draw(st.dictionaries(keys, json_value()))
    record["items"] = draw(st.lists(st.dictionaries(keys, json_value()), max_size=3))
    return record


def csv_record() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={key: st.one_of(text(), st.just("\ud800")) for key in KEYS})


def selector(fmt: str, key: str) -> st.SearchStrategy[str]:
    if fmt == "xml":
        return st.sampled_from((key, f"{key}/text()", f"string({key})", f"{key}[1]", f"count({key})",
                                f"{key}/@xml:lang"))
    if fmt == "json":
        return st.sampled_from((key, f"items.{key}", "$")) if key != "k0" else st.sampled_from((key, f"items.{key}"))
    return st.just(key)


CONSTANTS = ("hello", "http://example.org/c", "not an iri", "42", "", "é \"x\"")
TEMPLATES = ("{id} - {f1}", "{base}t/{f1|slug}", "x{index}", "{f2|upper}", "{record}", "{c0|name}", "{id|hash}",
             "{source}:{f3|lower}")
IRIS = ("{base}t/{f1}", "http://schema.org/Person", "{f2|url}", "{institution}", "{main}", "{f1}",
        "{base}id/{source}/p/{f3|slug}", "http://example.org/{id|hash}", "not an iri", "{f1|wikidata}")
DATATYPES = ("xsd:integer", "xsd:anyURI", "xsd:date", "xsd:string", "http://example.org/dt")
LOOKUPS = ("municipalities", {"scheme": "municipalities", "else": "drop"},
           {"scheme": "organization-types", "else": "ignore"}, "no-such-scheme",
           {"scheme": "municipalities", "follow": "schema:containedInPlace", "else": "keep"})
# Every transform, and twice as often those the fast path replaces by name (ON_FIELD_TEXT).
TRANSFORM_NAMES = (*sorted(TRANSFORMS), *sorted(ON_FIELD_TEXT))


@st.composite
def value_spec(draw: st.DrawFn, names: tuple[str, ...]) -> dict[str, Any]:
    source = draw(st.sampled_from(("field", "field", "field", "const", "template", "iri", "entity")))
    if source == "field":
        chosen = draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True))
        spec: dict[str, Any] = {"field": chosen[0] if len(chosen) == 1 else chosen}
    elif source == "const":
        spec = {"const": draw(st.sampled_from(CONSTANTS))}
    elif source == "template":
        spec = {"template": draw(st.sampled_from(TEMPLATES))}
    elif source == "iri":
        spec = {"iri": draw(st.sampled_from(IRIS))}
    else:
        spec = {"entity": draw(st.sampled_from(("main", "child")))}
    options: dict[str, st.SearchStrategy[Any]] = {
        "lang": st.sampled_from(("fr", "default", "source", "en-CA", "default", "source")),
        "datatype": st.sampled_from(DATATYPES),
        "split": st.sampled_from((";", ",", " ")),
        "transform": st.lists(st.sampled_from(TRANSFORM_NAMES), min_size=1, max_size=3),
        "lookup": st.sampled_from(LOOKUPS),
        "when": st.sampled_from(names),
        "unless": st.sampled_from(names),
        "required": st.booleans(),
        "unreadable": st.sampled_from(("warn", "skip", "reject")),
    }
    # Most values set few options, as in real mappings: those are the ones the fast paths take.
    for key in draw(st.lists(st.sampled_from(sorted(options)), max_size=3, unique=True)):
        spec[key] = draw(options[key])
    return spec


MAIN_IRIS = ("{base}id/{source}/o/{id|slug}", "{base}id/{source}/o/{id|hash}", "{base}o/{f1}",
             ["{base}o/{f1|slug}", "{base}o/{id|slug}"], "http://example.org/{id}", "{institution}/x/{id|lower|slug}",
             "{base}{record|slug}", "{base}o/{id|name|slug}#{index}")
CHILD_IRIS = ("{main}#c-{index}", "{base}c/{c0|slug}", "{main}/c/{c0}", "{base}c/{f1|slug}-{index}",
              "{main}#{c0|hash}")
PREDICATES = ("schema:name", "schema:description", "schema:url", "schema:about")


@st.composite
def mapping_text(draw: st.DrawFn, fmt: str) -> str:
    top = {name: draw(selector(fmt, key)) for name, key in zip(FIELDS, KEYS, strict=True)}
    if fmt == "xml":
        top["id"] = "k0"  # a record needs an id to be made at all; the others vary
    entities: dict[str, Any] = {}
    main: dict[str, Any] = {"iri": draw(st.sampled_from(MAIN_IRIS)), "types": ["schema:Thing"]}
    if draw(st.booleans()):
        main["when"] = draw(st.sampled_from(FIELDS))
    entities["main"] = main
    child: dict[str, Any] = {"within": "main", "iri": draw(st.sampled_from(CHILD_IRIS))}
    if fmt == "xml":
        child["each"] = "items/item"
    elif fmt == "json":
        child["each"] = "items"
    child["fields"] = {"c0": draw(selector("csv" if fmt == "csv" else fmt, "k0"))}
    entities["child"] = child
    for name, entity in entities.items():
        names = (*FIELDS, "c0") if name == "child" else FIELDS
        properties: dict[str, Any] = {}
        for predicate in draw(st.lists(st.sampled_from(PREDICATES), min_size=1, max_size=4, unique=True)):
            values = draw(st.lists(value_spec(names), min_size=1, max_size=2))
            properties[predicate] = values[0] if len(values) == 1 else values
        entity["properties"] = properties
    document = {"mapping": "random", "format": fmt, "fields": top, "entities": entities,
                "null_values": draw(st.sampled_from(([], ["n/a", "inconnu"], ["-"])))}
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


SOURCE_TEXTS: dict[str, tuple[Any, ...]] = {
    "field": (*FIELDS, ["f1", "f2"], ["f3", "id"]), "const": CONSTANTS, "template": TEMPLATES, "iri": IRIS,
    "entity": ("main", "child"),
}
OPTION_VALUES: dict[str, tuple[Any, ...]] = {
    "lang": ("fr", "default", "source", "en-CA"),
    "datatype": DATATYPES,
    "split": (";", ","),
    "transform": (*([name] for name in TRANSFORM_NAMES), ["html", "slug"], ["trim", "date", "precise"],
                  ["whitespace", "url"], ["name", "lower"], ["localname", "hash"]),
    "lookup": LOOKUPS,
    "when": ("f1", "f2"),
    "unless": ("f3", "id"),
    "required": (True, False),
    "unreadable": ("warn", "skip", "reject"),
}


def grid_values() -> list[dict[str, Any]]:
    """Every source with every value of every option alone, and with every pair of options:
    each fast path meets each option it honours and each one it must leave to the general path."""
    out: list[dict[str, Any]] = []
    for source, texts in SOURCE_TEXTS.items():
        n = 0
        for option, values in OPTION_VALUES.items():
            for value in values:
                out.append({source: texts[n % len(texts)], option: value})
                n += 1
        names = list(OPTION_VALUES)
        for i, first in enumerate(names):
            for second in names[i + 1:]:
                out.append({source: texts[n % len(texts)], first: OPTION_VALUES[first][n % len(OPTION_VALUES[first])],
                            second: OPTION_VALUES[second][n % len(OPTION_VALUES[second])]})
                n += 1
        out += [{source: text} for text in texts]
    return out


def grid_mapping(fmt: str, required: bool) -> str:
    """One mapping holding the grid, each value under its own predicate (so that no line one
    path writes can hide behind a duplicate of another value's). The required values are a
    mapping of their own: a missing one rejects the whole record, hiding the others."""
    top = {name: key for name, key in zip(FIELDS, KEYS, strict=True)}
    if fmt == "xml":
        top.update(f1="k1/text()", f2="string(k2)", f3="k3[1]")
    child: dict[str, Any] = {"within": "main", "iri": "{main}#c-{index}", "fields": {"c0": "k0"}}
    if fmt != "csv":
        child["each"] = "items/item" if fmt == "xml" else "items"
    values = [v for v in grid_values() if bool(v.get("required")) == required]
    main = {"iri": "{base}id/{source}/o/{id|slug}", "properties": {f"ex:p{n}": v for n, v in enumerate(values)}}
    child["properties"] = {f"ex:c{n}": v for n, v in enumerate(values) if "field" in v}
    document = {"mapping": f"grid-{fmt}", "format": fmt, "prefixes": {"ex": "http://example.org/p/"},
                "fields": top, "null_values": ["n/a", "inconnu"], "entities": {"main": main, "child": child}}
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


CONTEXTS = st.builds(MappingContext.for_source,
                     st.sampled_from(("http://127.0.0.1:8000/", "http://example.org/a#b/", "https://ex.org")),
                     st.sampled_from(("s", "s p", "é")), st.sampled_from(LANGS))


@cache
def vocabularies() -> Vocabularies:
    return load_vocabularies(ontologies_dir())


def compiled(text: str) -> tuple[Mapping, Mapping]:
    try:
        return (parse_mapping(text, Path("random.yaml")),
                parse_mapping(text, Path("random.yaml"), fast_paths=False))
    except MappingError:
        reject()
        raise


RANDOM = settings(derandomize=True, max_examples=50, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def random_records(fmt: str, payloads: list[Any]) -> list[SourceRecord]:
    media = {"xml": "application/xml", "json": "application/json", "csv": "text/csv"}[fmt]
    return [SourceRecord("s", f"r{n}", p, media, "-", location=f"random {n}") for n, p in enumerate(payloads)]


@RANDOM
@given(mapping_text("xml"), st.lists(xml_record(), min_size=1, max_size=3), CONTEXTS)
def test_random_xml_mappings(text: str, payloads: list[bytes], ctx: MappingContext) -> None:
    assert_same(*compiled(text), random_records("xml", payloads), ctx, vocabularies())


@RANDOM
@given(mapping_text("json"), st.lists(json_record(), min_size=1, max_size=3), CONTEXTS)
def test_random_json_mappings(text: str, payloads: list[dict[str, Any]], ctx: MappingContext) -> None:
    assert_same(*compiled(text), random_records("json", payloads), ctx, vocabularies())


@RANDOM
@given(mapping_text("csv"), st.lists(csv_record(), min_size=1, max_size=3), CONTEXTS)
def test_random_csv_mappings(text: str, payloads: list[dict[str, Any]], ctx: MappingContext) -> None:
    assert_same(*compiled(text), random_records("csv", payloads), ctx, vocabularies())


RECORDS: dict[str, st.SearchStrategy[Any]] = {"xml": xml_record(), "json": json_record(), "csv": csv_record()}
GRID = settings(derandomize=True, max_examples=15, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@cache
def grid(fmt: str, required: bool) -> tuple[Mapping, Mapping]:
    text = grid_mapping(fmt, required)
    return parse_mapping(text, Path("grid.yaml")), parse_mapping(text, Path("grid.yaml"), fast_paths=False)


@pytest.mark.parametrize("required", [False, True], ids=["optional", "required"])
@pytest.mark.parametrize("fmt", sorted(RECORDS))
@GRID
@given(data=st.data())
def test_every_option_on_every_source(fmt: str, required: bool, data: st.DataObject) -> None:
    payloads = data.draw(st.lists(RECORDS[fmt], min_size=1, max_size=4))
    assert_same(*grid(fmt, required), random_records(fmt, payloads), data.draw(CONTEXTS), vocabularies())
