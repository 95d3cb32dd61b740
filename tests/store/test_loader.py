"""The loader: one graph per record, replaced exactly; state and provenance in the system graph."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

import pyoxigraph as ox

from culturedata.records import MappedRecord, NTriples
from culturedata.store import EmbeddedTarget, Loader, Provenance
from culturedata.store.loader import PUBLISHED, record_facts
from culturedata.store.target import read_records

SYSTEM = "http://x.test/graph/system"
AT = datetime(2026, 11, 21, 3, 0, tzinfo=UTC)
P = ox.NamedNode("http://schema.org/name")


def record(local_id: str, name: str, content_hash: str = "h1") -> MappedRecord:
    safe = quote(local_id, safe="")
    subject = ox.NamedNode(f"http://x.test/id/{safe}")
    return MappedRecord(
        "src", local_id, f"http://x.test/graph/src/{safe}", (ox.Triple(subject, P, ox.Literal(name, language="fr")),),
        content_hash, origin="https://museum.example/export.csv", datestamp=AT,
    )


def loader(store: ox.Store, defer: bool = False) -> Loader:
    target = EmbeddedTarget(store, SYSTEM, defer=defer)
    prov = Provenance(SYSTEM, "http://x.test/run/1", "src", "https://creativecommons.org/publicdomain/zero/1.0/",
                      "http://x.test/id/src/organisation/src")
    return Loader(target, prov, AT, read_records(store, SYSTEM))


def test_published_facts_are_the_documented_ones() -> None:
    store = ox.Store()
    load = loader(store)
    load.add(record("a", "Berceau"))
    load.flush()
    graph = "http://x.test/graph/src/a"
    written = {str(q) for q in store.quads_for_pattern(ox.NamedNode(graph), None, None, ox.NamedNode(SYSTEM))}
    expected = record_facts(load.prov, graph, key="src:a", status=PUBLISHED, at=AT, content_hash="h1",
                            origin="https://museum.example/export.csv", datestamp=AT)
    normalised = ox.Store()  # the store writes dateTimes in canonical form
    normalised.extend(expected)
    assert written == {str(q) for q in normalised}


def test_a_new_version_replaces_exactly_its_graph_and_the_state_is_read_back() -> None:
    store = ox.Store()
    first = loader(store)
    first.add(record("a", "Berceau"))
    first.add(record("b", "Rouet"))
    first.flush()
    second = loader(store)
    assert second.known["http://x.test/graph/src/a"].content_hash == "h1"
    second.add(record("a", "Berceau bleu", "h2"))
    second.remove("http://x.test/graph/src/b")
    second.flush()
    names = {q.object.value for q in store.quads_for_pattern(None, P, None, None)}
    assert names == {"Berceau bleu"}
    states = read_records(store, SYSTEM)
    assert states["http://x.test/graph/src/a"].content_hash == "h2"
    assert states["http://x.test/graph/src/b"].status == "Deleted"
    assert second.published() == 1 and second.removed == 1


def test_keys_with_spaces_quotes_and_accents_survive_the_state_literal() -> None:
    store = ox.Store()
    load = loader(store)
    odd = record('Boîte "à" bijoux\t2', "Boîte")
    load.add(odd)
    load.flush()
    state = read_records(store, SYSTEM)[odd.graph]
    assert state.key == 'src:Boîte "à" bijoux\t2' and state.status == "Published"


def _quads(store: ox.Store) -> set[str]:
    return {str(q) for q in store}


def test_big_batches_written_in_bulk_give_the_same_quads_as_small_transactional_ones() -> None:
    # Batches past the bulk threshold go through bulk_load, smaller ones through transactions, and a
    # deferring target (a run's) holds them back until it is read: whatever the batch size, a run must
    # leave the same quads, merged default graph included.
    organisation = ox.NamedNode("http://x.test/id/src/organisation/src")
    held = ox.NamedNode("https://w3id.org/culturedata/ns/qcp#heldBy")

    def rich(i: int, version: str) -> MappedRecord:
        subject = ox.NamedNode(f"http://x.test/id/{i}")
        triples = (ox.Triple(subject, P, ox.Literal(f"Objet {i} {version}", language="fr")),
                   ox.Triple(subject, held, organisation),  # shared by every record: one triple in the default graph
                   ox.Triple(subject, ox.NamedNode("http://schema.org/identifier"), ox.Literal(str(i))))
        return MappedRecord("src", str(i), f"http://x.test/graph/src/{i}", triples, version,
                            origin="https://museum.example/export.csv", datestamp=AT)

    stores = {}
    # a batch per few records; one batch of everything; batches held back
    for every, defer in ((1, False), (1_000_000, False), (100, True)):
        store = stores[every] = ox.Store()
        first = loader(store, defer)
        first.flush_every = every
        for i in range(4000):  # 4,000 records: past the bulk threshold (20,000 quads and lines) in one batch
            first.add(rich(i, "v1"))
        first.flush()
        assert isinstance(first.target, EmbeddedTarget)
        first.target.settle()
        second = loader(store, defer)
        second.flush_every = every
        for i in range(0, 4000, 2):  # half of them changed: past the threshold again
            second.add(rich(i, "v2"))
        for i in range(1, 4000, 7):
            if i % 2:  # a record is either changed or gone in a run, never both
                second.remove(f"http://x.test/graph/src/{i}")
        second.flush()
        assert isinstance(second.target, EmbeddedTarget)
        second.target.settle()
    assert _quads(stores[1]) == _quads(stores[1_000_000]) == _quads(stores[100])
    assert len(stores[1]) > 4000 * 3


def with_blank_address(local_id: str, street: str, content_hash: str = "h1") -> MappedRecord:
    """A record whose N-Triples, as a JSON-LD page or an RDF dump gives them, call its one blank node `_:b0`."""
    text = (f'<http://x.test/id/{local_id}> <http://schema.org/address> _:b0 .\n'
            f'_:b0 <http://schema.org/streetAddress> "{street}" .\n')
    return MappedRecord("src", local_id, f"http://x.test/graph/src/{local_id}", NTriples(text), content_hash,
                        origin="https://museum.example/export.csv", datestamp=AT)


def streets(store: ox.Store, graph: ox.NamedNode | ox.DefaultGraph) -> dict[str, set[str]]:
    """Each subject's streets in `graph`, by way of its address node."""
    found: dict[str, set[str]] = {}
    for link in store.quads_for_pattern(None, ox.NamedNode("http://schema.org/address"), None, graph):
        for street in store.quads_for_pattern(link.object, ox.NamedNode("http://schema.org/streetAddress"), None,
                                              graph):
            found.setdefault(link.subject.value, set()).add(street.object.value)
    return found


def test_two_records_blank_nodes_of_one_label_stay_two_nodes_in_one_batch() -> None:
    """A batch is parsed as one N-Quads document, where two records' `_:b0` would be one node:
    each record would then have both streets, in its graph and in the merged default graph."""
    store = ox.Store()
    load = loader(store)
    load.add(with_blank_address("a", "1 rue Racine"))
    load.add(with_blank_address("b", "2 rue Price"))
    load.flush()
    expected = {"http://x.test/id/a": {"1 rue Racine"}, "http://x.test/id/b": {"2 rue Price"}}
    assert streets(store, ox.DefaultGraph()) == expected
    for name in "ab":
        graph = ox.NamedNode(f"http://x.test/graph/src/{name}")
        assert streets(store, graph) == {f"http://x.test/id/{name}": expected[f"http://x.test/id/{name}"]}
    again = loader(store)  # a new version of one record leaves the other's node whole
    again.add(with_blank_address("a", "3 rue Racine", "h2"))
    again.flush()
    assert streets(store, ox.DefaultGraph()) == {**expected, "http://x.test/id/a": {"3 rue Racine"}}
