"""Search: building the index and answering /search and /reconcile queries at 1M entities.

Issue #21 asks for p95 <= 50 ms per search query at 1M entities. The entities are generated from
real names (MoMA's and Tate's artists in ../shared/data, as bench/pooling.py reads them; without
them, the labelled pairs' names): persons (a name and its inverted spelling as alternateName, a
birth year, a Wikidata id for one in ten), organisations and heritage objects named after them,
spread over 12 sources and the 17 regions (`schema:containedInPlace` a region concept, labelled
in a reference graph, as the shipped vocabulary is). They go into an in-memory Oxigraph store,
and `build_index` (the function a run calls before publishing) writes the index from it.

Queries, drawn from the same names: a full name, a surname alone (thousands of matches: the
facet counts stop at 10,000), the first letters of a name (suggest), a name with a type and a
region filter. Each is timed (wall and CPU) through `SearchIndex.search` with its facets, as
/search asks; reconciliation batches through `reconcile.candidates` (candidates, then pooling's
scoring). The baseline is what a search without the index does: `LIKE '%word%'` over the same
table of names, on a sample (it scans every row).

BENCH_SEARCH_ENTITIES shrinks the run for a quick check; the figures use the default 1,000,000.
"""

from __future__ import annotations

import os
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from bench.pooling import real_names
from culturedata import iris
from culturedata.pooling import SearchIndex, build_index

ENTITIES = int(os.environ.get("BENCH_SEARCH_ENTITIES", "1000000"))
QUERIES = 400
GOAL_P95_MS = 50.0
BASE = "http://127.0.0.1:8000/"
SCHEMA = "http://schema.org/"
REGIONS = "https://w3id.org/culturedata/vocab/regions/"
SOURCES = [f"source-{n:02d}" for n in range(12)]
TYPES = [f"{SCHEMA}Person"] * 6 + [f"{SCHEMA}Organization", "https://w3id.org/culturedata/ns/qcp#HeritageObject"] * 2


def generate(store: ox.Store, count: int, seed: int = 21) -> list[tuple[str, str]]:
    """`count` entities into `store`; the (given, surname) pairs they are named from."""
    rng = random.Random(seed)
    names = real_names()
    rdf_type, name, alternate = (ox.NamedNode(RDF) for RDF in (
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", f"{SCHEMA}name", f"{SCHEMA}alternateName"))
    born, place, same_as = (ox.NamedNode(f"{SCHEMA}{p}") for p in ("birthDate", "containedInPlace", "sameAs"))
    regions = [ox.NamedNode(f"{REGIONS}{n:02d}") for n in range(1, 18)]
    reference = ox.NamedNode(iris.reference_graph(BASE, "regions"))
    label = ox.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")
    quads = [ox.Quad(r, label, ox.Literal(f"Région {r.value[-2:]}", language="fr"), reference) for r in regions]
    for source in SOURCES:
        organisation = ox.NamedNode(iris.institution(BASE, source))
        graph = ox.NamedNode(iris.provider_graph(BASE, source))
        quads += [ox.Quad(organisation, name, ox.Literal(f"Musée {source}", language="fr"), graph),
                  ox.Quad(organisation, rdf_type, ox.NamedNode(f"{SCHEMA}Museum"), graph)]
    used: list[tuple[str, str]] = []
    for number in range(count):
        given, surname = rng.choice(names)
        used.append((given, surname))
        source = rng.choice(SOURCES)
        kind = rng.choice(TYPES)
        subject = ox.NamedNode(iris.entity(BASE, f"{source}/e/{number}"))
        graph = ox.NamedNode(iris.record_graph(BASE, source, str(number)))
        text = f"{given} {surname}" if kind.endswith("Person") else (
            f"Atelier {surname}" if kind.endswith("Organization") else f"Portrait de {given} {surname}")
        quads += [ox.Quad(subject, rdf_type, ox.NamedNode(kind), graph),
                  ox.Quad(subject, name, ox.Literal(text, language="fr"), graph),
                  ox.Quad(subject, place, rng.choice(regions), graph)]
        if kind.endswith("Person"):
            quads += [ox.Quad(subject, alternate, ox.Literal(f"{surname}, {given}"), graph),
                      ox.Quad(subject, born, ox.Literal(str(rng.randint(1800, 1995))), graph)]
            if rng.random() < 0.1:
                quads.append(ox.Quad(subject, same_as, ox.NamedNode(f"http://www.wikidata.org/entity/Q{number + 1}"), graph))
        if len(quads) > 200_000:
            store.bulk_extend(quads)
            quads = []
    store.bulk_extend(quads)
    return used


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timings(label: str, calls: list[tuple[str, Any]], run: Callable[[tuple[str, Any]], object]) -> list[float]:
    walls, cpus = [], []
    for call in calls:
        wall, cpu = time.perf_counter(), time.process_time()
        run(call)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    print(f"{label:<44} p50 {percentile(walls, 0.5):7.1f} ms  p95 {percentile(walls, 0.95):7.1f} ms  "
          f"p99 {percentile(walls, 0.99):7.1f} ms   CPU p95 {percentile(cpus, 0.95):7.1f} ms  ({len(calls)} queries)")
    return walls


def main() -> None:
    from culturedata.server.reconcile import candidates  # the function /reconcile answers each query with

    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="bench-search-") as folder:
        store = ox.Store()
        started, cpu = time.perf_counter(), time.process_time()
        used = generate(store, ENTITIES)
        print(f"generated {ENTITIES:,} entities into Oxigraph: {time.perf_counter() - started:.1f} s wall, "
              f"{time.process_time() - cpu:.1f} s CPU")
        started, cpu = time.perf_counter(), time.process_time()
        indexed = build_index(store, Path(folder), BASE)
        size = (Path(folder) / "search.sqlite").stat().st_size
        print(f"build_index: {indexed:,} entities in {time.perf_counter() - started:.1f} s wall, "
              f"{time.process_time() - cpu:.1f} s CPU; {size / 2**20:.0f} MiB")
        del store
        index = SearchIndex.of(folder)
        assert index is not None
        picks = [rng.choice(used) for _ in range(QUERIES)]
        full = [(f"{g} {s}", None) for g, s in picks]
        surname = [(s, None) for _, s in picks]
        prefix = [(f"{g} {s[:3]}", None) for g, s in picks]
        filtered = [(f"{s}", {"type": [f"{SCHEMA}Person"], "region": [f"{REGIONS}{rng.randint(1, 17):02d}"]})
                    for _, s in picks]
        every = []
        every += timings("search: a full name, with facets", full, lambda c: index.search(c[0]))
        every += timings("search: a surname alone, with facets", surname, lambda c: index.search(c[0]))
        every += timings("suggest: the first letters of a name", prefix,
                         lambda c: index.search(c[0], prefix=True, limit=10, facets=False))
        every += timings("search: a surname, type and region filters", filtered, lambda c: index.search(c[0], c[1]))
        p95 = percentile(every, 0.95)
        print(f"{'search, every kind above':<44} p95 {p95:7.1f} ms   goal <= {GOAL_P95_MS:.0f} ms: "
              f"{'met' if p95 <= GOAL_P95_MS else 'NOT met'}")
        queries = [(f"{g} {s}", {"query": f"{g} {s}", "type": f"{SCHEMA}Person", "limit": 5}) for g, s in picks[:200]]
        timings("reconcile: one query (candidates + scoring)", queries, lambda c: candidates(index, c[1]))
        import sqlite3

        db = sqlite3.connect(f"file:{Path(folder) / 'search.sqlite'}?mode=ro", uri=True)
        sample = full[:10]
        timings("baseline: LIKE '%name%' scan, no index", sample, lambda c: db.execute(
            "SELECT iri FROM entity WHERE names LIKE ? LIMIT 20", (f"%{c[0]}%",)).fetchall())
        db.close()


if __name__ == "__main__":
    main()
