"""schema.org's own context in the mapping engine: `id`/`type` aliases (Footlight and La Vitrine
pages write them), object contexts that alias or redefine terms, and events nested in
`subEvent`/`superEvent`, series named or not, mapped by the shipped schema-events mapping."""

from __future__ import annotations

import json

from pyoxigraph import NamedNode

from culturedata.mapping import load_mapping, map_record
from culturedata.mapping.jsonld import read
from culturedata.records import MappedRecord

from .conftest import RDF_TYPE, SCHEMA, context, objects, record

EVENT = SCHEMA + "Event"


def mapped(payload: object, local_id: str = "page") -> MappedRecord:
    data = json.dumps(payload, ensure_ascii=False).encode()
    return map_record(load_mapping("schema-events"), record(data, local_id, media="application/ld+json"), context())


def events(result: MappedRecord) -> dict[str, str]:
    """Each mapped event's name -> its IRI."""
    found = {}
    for t in result.triples:
        if t.predicate.value == RDF_TYPE and t.object.value == EVENT:
            [name] = [o.value for o in objects(result, t.subject.value, SCHEMA + "name")]
            found[name] = t.subject.value
    return found


def footlight(n: int) -> dict:
    """An event page as Footlight-built sites publish it: schema.org's aliases, not keywords."""
    return {
        "@context": "https://schema.org/", "type": "TheaterEvent", "id": f"https://vitrine.example/evenement/{n}",
        "name": f"Spectacle {n}", "startDate": f"2026-04-{n:02d}T20:00:00-04:00",
        "location": {"type": "Place", "id": "https://vitrine.example/lieu/salle-desilets", "name": "Salle Désilets",
                     "address": {"type": "PostalAddress", "addressLocality": "Laval", "postalCode": "h7t 2h5"}},
        "organizer": {"type": "Organization", "id": "https://vitrine.example/org/maison-des-arts",
                      "name": "Maison des arts de Laval"},
        "offers": {"type": "Offer", "price": "32", "priceCurrency": "CAD", "url": "https://billets.example/x"},
    }


def test_footlight_pages_with_type_and_id_aliases_give_their_events():
    results = [mapped(footlight(n), f"p{n}") for n in range(1, 19)]
    assert all(len(events(r)) == 1 for r in results)  # 13 of these 18 gave nothing before
    first = results[0]
    iri = events(first)["Spectacle 1"]
    assert NamedNode(SCHEMA + "TheaterEvent") in objects(first, iri, RDF_TYPE)
    [place] = objects(first, iri, SCHEMA + "location")
    assert [o.value for o in objects(first, place.value, SCHEMA + "name")] == ["Salle Désilets"]
    assert len(objects(first, iri, SCHEMA + "organizer")) == 1 and len(objects(first, iri, SCHEMA + "offers")) == 1
    assert not any(t.predicate.value.endswith(("/id", "/type")) for t in first.triples)
    # the same @id gives the same IRI on every page that mentions it
    assert objects(results[1], events(results[1])["Spectacle 2"], SCHEMA + "location") == [place]


def test_a_keyword_written_out_wins_and_a_context_can_redefine_type():
    document = read({"@context": ["https://schema.org", {"type": "http://example.org/kind", "genre": "@type"}],
                     "genre": "Event", "type": "concert", "name": "X"})
    [node] = document.nodes
    assert node["@type"] == ["Event"] and node["type"] == ["concert"]  # a property again, not @type
    both = read({"@context": "https://schema.org", "@type": "Event", "type": "MusicEvent", "name": "Y"})
    assert both.nodes[0]["@type"] == ["Event"]


def test_the_sub_events_of_an_unnamed_series_come_out_linked_from_nowhere_lost():
    series = {"@context": "https://schema.org", "type": "EventSeries", "subEvent": [
        {"type": "MusicEvent", "name": "Concert d'ouverture", "startDate": "2026-07-01T19:00:00-04:00"},
        {"type": "MusicEvent", "name": "Concert de clôture", "startDate": "2026-07-05T19:00:00-04:00",
         "id": "https://festival.example/cloture"},
    ]}
    found = events(mapped(series))
    assert set(found) == {"Concert d'ouverture", "Concert de clôture"}


def test_a_named_series_links_every_nested_sub_event_and_each_its_series():
    series = {"@context": "https://schema.org", "@type": "Festival", "name": "Festival des Deux-Rives",
              "id": "https://festival.example/2026",
              "subEvent": [{"@type": "Event", "name": f"Soirée {n}", "startDate": f"2026-07-0{n}"} for n in (1, 2, 3)]}
    result = mapped(series)
    found = events(result)
    assert len(found) == 4
    festival = found["Festival des Deux-Rives"]
    subs = {o.value for o in objects(result, festival, SCHEMA + "subEvent")}
    assert subs == {found[f"Soirée {n}"] for n in (1, 2, 3)}  # all three, not only the first


def test_a_show_keeps_the_series_it_is_part_of():
    show = {"@context": "https://schema.org", "type": "TheaterEvent", "name": "Représentation du 12",
            "startDate": "2026-03-12", "superEvent": {"type": "EventSeries", "name": "Saison 2026"}}
    result = mapped(show)
    found = events(result)
    assert set(found) == {"Représentation du 12", "Saison 2026"}
    assert [o.value for o in objects(result, found["Représentation du 12"], SCHEMA + "superEvent")] == [
        found["Saison 2026"]]


def test_nested_events_come_after_the_top_level_ones_so_their_iris_stay_put():
    document = read([{"@type": "Event", "name": "A", "subEvent": {"@type": "Event", "name": "A1"}},
                     {"@type": "Event", "name": "B"}])
    assert [n["name"][0] for n in document.nodes] == ["A", "B", "A1"]
    assert document.nodes[2]["@bnode"] == "_:nested1"
