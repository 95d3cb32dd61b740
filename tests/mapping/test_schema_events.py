"""mappings/schema-events.yaml on the demo presenter's pages (sample_inputs/theatre-deux-rives) and on
JSON-LD scraped from Quebec event sites (../shared/data/artsdata-orion)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from pyoxigraph import Literal, NamedNode

from culturedata.mapping import load_mapping, map_record, map_records
from culturedata.mapping.jsonld import SUBTYPES
from culturedata.records import MappedRecord

from .conftest import RDF_TYPE, SCHEMA, context, file_record, has, jsonld_page_record, objects, sample, shared

EVENT = SCHEMA + "Event"


def events_of(mapped: MappedRecord) -> list[str]:
    return [t.subject.value for t in mapped.triples if t.predicate.value == RDF_TYPE and t.object.value == EVENT]


@pytest.fixture(scope="module")
def pages() -> dict[str, MappedRecord]:
    folder = sample("theatre-deux-rives", "evenements")
    records = [r for p in sorted(folder.glob("*.html")) if (r := jsonld_page_record(p)) is not None]
    mapped = map_records(load_mapping("schema-events"), records, context("theatre-deux-rives"))
    return {r.local_id.rsplit("/", 1)[-1].removesuffix(".html"): r for r in mapped}


def test_demo_pages_give_the_thirteen_events(pages: dict[str, MappedRecord]) -> None:
    # brise-glace (irreparable) and atelier-masques (no JSON-LD) never reach the mapper
    assert len(pages) == 10
    counts = {name: len(events_of(r)) for name, r in pages.items()}
    assert sum(counts.values()) == 13
    assert counts["festival-des-deux-rives-2026"] == 3 and counts["quatuor-laviolette"] == 2
    assert counts["danse-rivieres"] == 1  # the breadcrumb block is no event
    assert all(r.triples and not r.findings for r in pages.values())


def test_demo_spot_checks(pages: dict[str, MappedRecord]) -> None:
    jazz = pages["jazz-sur-le-quai"]
    [event] = events_of(jazz)
    assert has(jazz, event, RDF_TYPE, NamedNode(SCHEMA + "MusicEvent"))
    assert has(jazz, event, SCHEMA + "name", Literal("Jazz sur le quai : Trio Saint-Maurice", language="fr"))
    assert has(jazz, event, SCHEMA + "startDate",
               Literal("2026-01-24T20:00:00-05:00", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")))
    [offer] = objects(jazz, event, SCHEMA + "offers")
    assert has(jazz, offer.value, SCHEMA + "price",
               Literal("32.50", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#decimal")))
    assert len(objects(jazz, event, SCHEMA + "performer")) == 2
    # short enumeration values become schema.org IRIs; https is normalised
    quatuor = pages["quatuor-laviolette"]
    statuses = {o.value for e in events_of(quatuor) for o in objects(quatuor, e, SCHEMA + "eventStatus")}
    assert statuses == {SCHEMA + "EventScheduled"}
    cabaret = pages["cabaret-des-fetes"]
    [show] = events_of(cabaret)
    assert objects(cabaret, show, SCHEMA + "eventStatus") == [NamedNode(SCHEMA + "EventCancelled")]
    assert "&amp;" not in "".join(o.value for o in objects(cabaret, show, SCHEMA + "name"))
    # the festival's sub-events point at the festival's minted IRI, through @graph and @id
    festival = pages["festival-des-deux-rives-2026"]
    parents = {o.value for e in events_of(festival) for o in objects(festival, e, SCHEMA + "superEvent")}
    assert len(parents) == 1 and parents <= set(events_of(festival))
    # the online event keeps its VirtualLocation; the poetry night has none (a profile violation later)
    online = pages["lecture-en-ligne"]
    [place] = objects(online, events_of(online)[0], SCHEMA + "location")
    assert has(online, place.value, RDF_TYPE, NamedNode(SCHEMA + "VirtualLocation"))
    poetry = pages["soiree-poesie"]
    assert objects(poetry, events_of(poetry)[0], SCHEMA + "location") == []


def test_same_page_gives_the_same_iris_on_every_run(pages: dict[str, MappedRecord]) -> None:
    folder = sample("theatre-deux-rives", "evenements")
    again = map_record(load_mapping("schema-events"), jsonld_page_record(folder / "le-fleuve-en-nous.html"),
                       context("theatre-deux-rives"))
    assert set(again.triples) == set(pages["le-fleuve-en-nous"].triples)


@pytest.mark.parametrize(
    ("name", "events", "with_location"),
    [("placedesarts-com.jsonld", 198, 198), ("grandsballets-com.jsonld", 182, 182),
     ("spec-qc-ca-events.jsonld", 211, 211)],
)
def test_artsdata_orion_expanded_jsonld(name: str, events: int, with_location: int) -> None:
    mapped = map_record(load_mapping("schema-events"), file_record(shared("artsdata-orion", name)), context("orion"))
    found = events_of(mapped)
    assert len(found) == events
    located = {t.subject.value for t in mapped.triples if t.predicate.value == SCHEMA + "location"}
    assert len(located & set(found)) == with_location
    assert not [f for f in mapped.findings if f.rule == "unmappable"]
    # every schema.org term, whichever spelling the site used, is under http://schema.org/
    assert not [t for t in mapped.triples if "https://schema.org" in str(t)]


def test_subtype_table_agrees_with_schema_org() -> None:
    """The built-in subclass table (no vocabulary at run time) checked against schema.org itself."""
    vocabulary = shared("artsdata", "schemaorg-current-http.nq").read_text(encoding="utf-8")
    sub_class = re.compile(r"<http://schema\.org/(\w+)> <http://www\.w3\.org/2000/01/rdf-schema#subClassOf> "
                           r"<http://schema\.org/(\w+)>")
    parents: dict[str, set[str]] = {}
    for child, parent in sub_class.findall(vocabulary):
        parents.setdefault(child, set()).add(parent)

    def ancestors(name: str) -> set[str]:
        seen: set[str] = set()
        todo = [name]
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    wrong = Counter({f"{sub} ⊄ {top}": 1 for top, subs in SUBTYPES.items() for sub in subs
                     if top not in ancestors(sub)})
    assert not wrong


def test_demo_site_through_its_harvester() -> None:
    """The configured source, harvested by the jsonld-pages harvester from the saved site."""
    from culturedata.config import load_config
    from culturedata.harvest import HarvestOptions, harvest
    from culturedata.mapping import MappingContext

    from .conftest import ROOT

    sample("theatre-deux-rives", "sitemap.xml")
    config = load_config(ROOT / "culturedata.toml")
    source = config.source("theatre-deux-rives")
    ctx = MappingContext.for_source(config.base_iri, source.id, source.language)
    mapped = list(map_records(load_mapping(source.mapping), harvest(source, HarvestOptions()), ctx))
    assert sum(len(events_of(r)) for r in mapped) == 13
    assert not [f for r in mapped for f in r.findings]
    venues = [t for r in mapped for t in r.triples
              if t.predicate.value == RDF_TYPE and t.object.value == SCHEMA + "PerformingArtsTheater"]
    assert venues  # the home page describes the theatre itself


REGIONS = "https://w3id.org/culturedata/vocab/regions/"


def test_a_place_in_a_quebec_municipality_leads_to_its_region(pages: dict[str, MappedRecord]) -> None:
    """Trois-Rivières is in Mauricie (04): events count in their region on the dashboard."""
    jazz = pages["jazz-sur-le-quai"]
    [place] = objects(jazz, events_of(jazz)[0], SCHEMA + "location")
    assert objects(jazz, place.value, SCHEMA + "containedInPlace") == [NamedNode(REGIONS + "04")]
    # an online event's VirtualLocation has no address, so no region
    online = pages["lecture-en-ligne"]
    [virtual] = objects(online, events_of(online)[0], SCHEMA + "location")
    assert objects(online, virtual.value, SCHEMA + "containedInPlace") == []


def test_a_locality_outside_quebec_gives_no_region(tmp_path) -> None:  # type: ignore[no-untyped-def]
    page = tmp_path / "spectacle.html"
    page.write_text(
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Event", "name": "Tournée",'
        ' "startDate": "2026-05-01", "location": {"@type": "Place", "name": "Salle", "address":'
        ' {"@type": "PostalAddress", "addressLocality": "Moncton", "addressRegion": "NB"}}}</script>',
        encoding="utf-8",
    )
    mapped = map_record(load_mapping("schema-events"), jsonld_page_record(page), context("theatre-deux-rives"))
    [place] = objects(mapped, events_of(mapped)[0], SCHEMA + "location")
    assert objects(mapped, place.value, SCHEMA + "containedInPlace") == []
    assert not mapped.findings
