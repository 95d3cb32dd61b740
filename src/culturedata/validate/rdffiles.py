"""RDF files validated as they are (`culturedata validate --rdf`), without a mapping.

What one record is, for RDF input: each named graph of a dataset file (TriG, N-Quads, as
`culturedata map --format nq` writes them: one graph per record) is one record, identified
by its graph IRI; the triples of a file's default graph (any Turtle, N-Triples, RDF/XML or
JSON-LD file) are one record, identified by the file name. Findings point at the file and
the graph, and at the focus node inside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from culturedata.errors import InputError
from culturedata.mapping.iris import slug
from culturedata.records import MappedRecord, content_hash

RDF_SUFFIXES = {
    ".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG, ".jsonld": ox.RdfFormat.JSON_LD, ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML, ".n3": ox.RdfFormat.N3,
}


def rdf_files(path: Path) -> list[Path]:
    """The file itself, or every RDF file under a directory; an unknown suffix is a usage error."""
    if not path.exists():
        raise InputError("input.not_found", name=str(path))
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in RDF_SUFFIXES)
        if not found:
            raise InputError("validate.empty_dir", path=path, known=", ".join(sorted(RDF_SUFFIXES)))
        return found
    if path.suffix.lower() not in RDF_SUFFIXES:
        raise InputError("validate.unknown_rdf", path=path, known=", ".join(sorted(RDF_SUFFIXES)))
    return [path]


def read_rdf(path: Path, source_id: str | None = None) -> Iterator[MappedRecord]:
    source_id = source_id or slug(path.stem) or "file"
    try:
        quads = list(ox.parse(path=str(path), format=RDF_SUFFIXES[path.suffix.lower()]))
    except SyntaxError as exc:
        raise InputError("validate.bad_rdf", path=path, detail=exc) from exc
    except (OSError, ValueError) as exc:
        raise InputError("harvest.unreadable", path=path, detail=exc) from exc
    graphs: dict[str, list[ox.Triple]] = {}
    for quad in quads:
        name = "" if isinstance(quad.graph_name, ox.DefaultGraph) else quad.graph_name.value
        graphs.setdefault(name, []).append(ox.Triple(quad.subject, quad.predicate, quad.object))
    for name, triples in graphs.items():
        local_id = name or path.name
        location = f"{path.name}, graph <{name}>" if name else path.name
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        assert data is not None  # no output file given: pyoxigraph returns the bytes
        yield MappedRecord(
            source_id=source_id, local_id=local_id, graph=name or path.resolve().as_uri(),
            triples=tuple(triples), content_hash=content_hash(data), origin=str(path), location=location,
        )
