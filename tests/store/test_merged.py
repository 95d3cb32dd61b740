"""The default graph is the RDF merge of the named graphs: a triple two records hold counts once
(pyoxigraph 0.5's union option counts it once per graph, oxigraph issue #1919), through writes,
removals, an upgrade from a snapshot without it, dump and restore, and the real endpoint."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from culturedata.store import Batch, EmbeddedTarget, Snapshots, dump, is_merged, restore, unmerge
from sparqlclient import ask

BASE = "http://127.0.0.1:8000/"
SYSTEM = BASE + "graph/system"
SHARED = f'<{BASE}id/place/salle> <http://schema.org/name> "Salle Albert-Rousseau"@fr .\n'
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
DISTINCT = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }"


def record(i: int) -> str:
    return f'<{BASE}id/event/{i}> <http://schema.org/location> <{BASE}id/place/salle> .\n' + SHARED


def count(store: ox.Store, query: str = COUNT, *, union: bool = False) -> int:
    [solution] = list(store.query(query, use_default_graph_as_union=union))  # type: ignore[union-attr]
    return int(solution["n"].value)


def graph(i: int) -> ox.NamedNode:
    return ox.NamedNode(f"{BASE}graph/s/{i}")


def write(store: ox.Store, *records: int, drop: tuple[int, ...] = ()) -> None:
    batch = Batch(drop=[graph(i).value for i in drop])
    for i in records:
        batch.add_graph(graph(i), record(i))
    EmbeddedTarget(store, SYSTEM).apply(batch)


def test_a_triple_two_records_hold_is_counted_once() -> None:
    store = ox.Store()
    write(store, 1, 2)
    # 5 quads in named graphs (the shared name in two of them, the marker in the system graph),
    # which pyoxigraph's union option would count as 5
    assert count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }") == 5
    assert count(store) == count(store, DISTINCT) == 3 + 1  # + the marker
    [row] = list(store.query(f"SELECT ?name WHERE {{ <{BASE}id/place/salle> <http://schema.org/name> ?name }}"))  # type: ignore[union-attr]
    assert row["name"].value == "Salle Albert-Rousseau"


def test_a_removed_graph_leaves_what_another_still_holds() -> None:
    store = ox.Store()
    write(store, 1, 2)
    write(store, drop=(1,))
    shared = ox.Quad(ox.NamedNode(f"{BASE}id/place/salle"), ox.NamedNode("http://schema.org/name"),
                     ox.Literal("Salle Albert-Rousseau", language="fr"))
    assert shared in store and count(store) == count(store, DISTINCT) == 2 + 1
    write(store, drop=(2,))
    assert shared not in store and count(store) == 1  # the marker alone


def test_a_snapshot_without_the_merge_is_merged_when_the_next_write_begins(tmp_path: Path) -> None:
    snapshots = Snapshots(tmp_path / "store")
    staging = snapshots.begin()
    assert staging.store is not None
    staging.store.load(input="".join(record(i).replace(" .\n", f" {graph(i)} .\n") for i in (1, 2)),
                       format=ox.RdfFormat.N_QUADS)  # as an older version wrote it: named graphs only
    snapshots.publish(staging)
    staging = snapshots.begin()
    assert staging.store is not None and not is_merged(staging.store)
    EmbeddedTarget(staging.store, SYSTEM)
    assert is_merged(staging.store) and count(staging.store) == count(staging.store, DISTINCT)


def test_a_dump_leaves_the_merge_out() -> None:
    store = ox.Store()
    write(store, 1, 2, 3)
    out = io.BytesIO()
    dump(store, out, "nq", SYSTEM)
    quads = list(ox.parse(out.getvalue(), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == 6 + 1 and not [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]


def test_a_restore_merges_again(tmp_path: Path) -> None:
    store = ox.Store()
    write(store, 1, 2, 3)
    target = tmp_path / "dump.nq"
    with target.open("wb") as out:
        dump(store, out, "nq", SYSTEM)
    restored = ox.Store()
    assert restore(restored, target, SYSTEM) == 6 + 1
    assert is_merged(restored) and count(restored) == count(store) == count(restored, DISTINCT)


@pytest.fixture
def server(project_server: str) -> str:
    return project_server


@pytest.mark.slow
def test_the_endpoint_counts_the_demo_as_a_set(cli, demo_project: Path, server: str) -> None:  # type: ignore[no-untyped-def]
    """On the demo, COUNT(*) gave 3,315 for 3,276 distinct triples, and a person's `a ?t` one row per record."""
    assert cli("run").code == 1  # the demo has records to fix: they stay out, the rest publishes
    [total] = ask(server, COUNT)
    [distinct] = ask(server, DISTINCT)
    assert int(total["n"]["value"]) == int(distinct["n"]["value"])
    shared = ask(server, "SELECT ?s (COUNT(DISTINCT ?g) AS ?graphs) WHERE { GRAPH ?g { ?s a ?t } } "
                         "GROUP BY ?s HAVING (COUNT(DISTINCT ?g) > 1) LIMIT 1")
    assert shared, "the demo has an entity several records describe"
    subject = shared[0]["s"]["value"]
    types = ask(server, f"SELECT ?t WHERE {{ <{subject}> a ?t }}")
    assert len(types) == len({row["t"]["value"] for row in types})
    # GRAPH ?g queries still see each record's own graph
    assert len(ask(server, f"SELECT ?g WHERE {{ GRAPH ?g {{ <{subject}> a ?t }} }}")) >= 2


def test_unmerge_keeps_what_only_the_default_graph_held() -> None:
    """A writable server's store goes back to the union option: the copies and the marker go, a
    triple loaded into the default graph alone stays."""
    store = ox.Store()
    own = ox.Quad(ox.NamedNode(BASE + "a"), ox.NamedNode(BASE + "b"), ox.Literal("loaded without a graph"))
    store.add(own)
    write(store, 1, 2)
    unmerge(store)
    assert not is_merged(store)
    assert list(store.quads_for_pattern(None, None, None, ox.DefaultGraph())) == [own]
