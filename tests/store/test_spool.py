"""Additions held back and loaded as two documents (store/spool.py), through `EmbeddedTarget`:
nothing is lost or reordered against removals, blank nodes stay one node in their graph and
its copy in the default graph, and a held spool leaves no file behind."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from culturedata.store import Batch, EmbeddedTarget
from culturedata.store.spool import BULK_LINES

SYSTEM = "http://x.test/graph/system"
P = ox.NamedNode("http://x.test/p")


def graph(name: str) -> ox.NamedNode:
    return ox.NamedNode(f"http://x.test/graph/{name}")


def line(subject: str, value: str) -> str:
    return f'<http://x.test/id/{subject}> <http://x.test/p> "{value}" .\n'


def adding(*graphs: tuple[str, str], drop: tuple[str, ...] = ()) -> Batch:
    batch = Batch(drop=[graph(name).value for name in drop])
    for name, text in graphs:
        batch.add_graph(graph(name), text)
    return batch


def triples(store: ox.Store, where: ox.NamedNode | ox.DefaultGraph) -> set[tuple[str, str, str]]:
    return {(str(q.subject), str(q.predicate), str(q.object)) for q in store.quads_for_pattern(None, None, None, where)}


def deferring(store: ox.Store, folder: Path) -> EmbeddedTarget:
    return EmbeddedTarget(store, SYSTEM, defer=True, spool_folder=folder)


def test_held_additions_are_in_the_store_once_it_is_read_and_the_spool_leaves_no_file(tmp_path: Path) -> None:
    store = ox.Store()
    target = deferring(store, tmp_path)
    target.apply(adding(("a", line("a", "Berceau"))))
    fact = ox.Quad(ox.NamedNode("http://x.test/graph/a"), P, ox.Literal("fait"), ox.NamedNode(SYSTEM))
    target.apply(Batch(quads=[fact]))
    assert fact not in store  # held back...
    assert not any(tmp_path.iterdir())  # ...in a file without a name: a killed run leaves nothing to clean
    assert fact in target.store  # reading through the target loads it
    assert triples(store, graph("a")) == {("<http://x.test/id/a>", "<http://x.test/p>", '"Berceau"')}
    default = triples(store, ox.DefaultGraph())
    assert ("<http://x.test/id/a>", "<http://x.test/p>", '"Berceau"') in default  # the merge's copies
    assert ("<http://x.test/graph/a>", "<http://x.test/p>", '"fait"') in default


def test_a_batch_that_removes_sees_what_was_held_and_removes_before_it_adds(tmp_path: Path) -> None:
    store = ox.Store()
    target = deferring(store, tmp_path)
    shared = line("lieu", "Salle")
    target.apply(adding(("a", line("a", "v1") + shared), ("b", shared)))
    # the same batch empties a graph and writes its new version, and empties another
    target.apply(adding(("a", line("a", "v2")), drop=("a", "b")))
    assert triples(target.store, graph("a")) == {("<http://x.test/id/a>", "<http://x.test/p>", '"v2"')}
    assert not triples(store, graph("b"))
    default = triples(store, ox.DefaultGraph())
    assert ("<http://x.test/id/a>", "<http://x.test/p>", '"v2"') in default
    assert ("<http://x.test/id/a>", "<http://x.test/p>", '"v1"') not in default
    assert ("<http://x.test/id/lieu>", "<http://x.test/p>", '"Salle"') not in default  # no graph holds it now


def test_blank_nodes_are_the_same_nodes_in_their_graph_and_in_the_default_graph(tmp_path: Path) -> None:
    store = ox.Store()
    target = deferring(store, tmp_path)
    for name in ("a", "b"):  # two batches, each record calling its node _:b0
        target.apply(adding((name, f'<http://x.test/id/{name}> <http://x.test/address> _:b0 .\n'
                                   f'_:b0 <http://x.test/street> "rue {name}" .\n')))
    node = ox.BlankNode()
    target.apply(Batch(quads=[ox.Quad(node, P, ox.Literal("fait"), ox.NamedNode(SYSTEM)),
                              ox.Quad(node, P, ox.Literal("autre"), ox.NamedNode(SYSTEM))]))
    default = triples(target.store, ox.DefaultGraph())
    for name in ("a", "b"):
        own = triples(store, graph(name))
        assert len(own) == 2 and own <= default
        assert len({s for s, _, _ in own if s.startswith("_:")}) == 1
    facts = {t for t in triples(store, ox.NamedNode(SYSTEM)) if t[1] == str(P)}
    assert len({s for s, _, _ in facts}) == 1 and facts <= default  # one node, copied as that node
    assert len({s for s, _, _ in default if s.startswith("_:")}) == 3


def test_a_first_load_past_the_bulk_threshold_is_bulk_loaded_whole(tmp_path: Path) -> None:
    store = ox.Store(str(tmp_path / "store"))
    target = deferring(store, tmp_path)
    assert target.fresh and not target.needs_optimising  # began empty: nothing to merge at publication
    records = BULK_LINES // 2 + 1
    for start in range(0, records, 1000):
        target.apply(adding(*((f"r{i}", line(f"r{i}", f"Objet {i}") + line("lieu", "Salle"))
                              for i in range(start, min(start + 1000, records)))))
    loaded = target.store
    assert sum(1 for _ in loaded.quads_for_pattern(None, None, None, None)) == (
        2 * records  # the named graphs
        + records + 1  # the default graph: each record's own triple once, the shared one once
        + 2  # the merge's marker, in the system graph and its copy
    )
    assert EmbeddedTarget(loaded, SYSTEM).needs_optimising  # a copy of a published snapshot


def test_the_spool_is_loaded_once_it_holds_its_limit_so_a_big_first_run_stays_in_bounded_memory(
        tmp_path: Path) -> None:
    from culturedata.store.target import HELD_LINES

    store = ox.Store()
    target = deferring(store, tmp_path)
    per_batch = 50_000
    text = "".join(line(f"s{n}", "v") for n in range(per_batch))
    batches = HELD_LINES // (2 * per_batch) + 2  # each line is held twice (its graph, its default-graph copy)
    for n in range(batches):
        target.apply(adding((f"g{n}", text)))
    assert next(iter(store.quads_for_pattern(None, None, None, graph("g0"))), None) is not None  # loaded, unread
    assert len(list(store.quads_for_pattern(None, None, None, graph(f"g{batches - 1}")))) == 0  # the rest still held
    assert len(list(target.store.quads_for_pattern(None, None, None, graph(f"g{batches - 1}")))) == per_batch
