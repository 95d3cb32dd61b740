"""Streaming a snapshot out (`culturedata dump`) and back in (`culturedata restore`).

N-Quads and JSON-LD keep every named graph, the system graph included, so a dump restores to
the same snapshot; a merged default graph (merged.py) is left out, since restoring makes it
again. Turtle has no graphs: it carries the union of the record graphs, which is what an
open-data download wants.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from culturedata.errors import InputError
from culturedata.store.merged import is_merged, merge

DUMP_FORMATS = {"nq": ox.RdfFormat.N_QUADS, "ttl": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD}


def dump(store: ox.Store, output: BinaryIO, fmt: str, system_graph: str) -> None:
    rdf_format = DUMP_FORMATS[fmt]
    if rdf_format.supports_datasets:
        if is_merged(store):
            ox.serialize(_named_quads(store), output, rdf_format)
        else:
            store.dump(output, rdf_format)
        return
    ox.serialize(_record_triples(store, system_graph), output, rdf_format)


def _record_triples(store: ox.Store, system_graph: str) -> Iterator[ox.Triple]:
    system = ox.NamedNode(system_graph)
    for graph in store.named_graphs():
        if graph != system:
            for quad in store.quads_for_pattern(None, None, None, graph):
                yield quad.triple


def _named_quads(store: ox.Store) -> Iterator[ox.Quad]:
    for graph in store.named_graphs():
        yield from store.quads_for_pattern(None, None, None, graph)


def restore(store: ox.Store, path: Path, system_graph: str) -> int:
    """Bulk-load a dump (N-Quads, TriG or JSON-LD, gzipped or not) into an empty store, and
    merge its named graphs into the default graph; the number of quads the dump held."""
    name = path.name.removesuffix(".gz")
    try:
        rdf_format = ox.RdfFormat.from_extension(name.rsplit(".", 1)[-1])
    except ValueError:
        rdf_format = None
    if rdf_format is None or not rdf_format.supports_datasets:
        raise InputError("input.unknown_format", path=path, known=".nq, .nq.gz, .trig, .jsonld")
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as data:
            # pyoxigraph's stub names IO[bytes]; it reads any binary file object, a GzipFile too.
            store.bulk_load(data, rdf_format)  # type: ignore[arg-type]
    except SyntaxError as exc:
        raise InputError("load.syntax", path=path, detail=exc) from exc
    except (OSError, EOFError) as exc:
        raise InputError("store.restore_unreadable", path=path, detail=exc) from exc
    loaded = len(store)
    merge(store, system_graph)
    return loaded
