"""RDF files validated as they are (`culturedata validate --rdf`), without a mapping.

Files are read as the `rdf` source kind reads them (harvest's `RdfReader`): JSON-LD contexts
from the offline cache, relative IRIs against the file's own IRI, IRIs repaired where
unambiguous or their statement dropped, each with a warning finding, never the whole file.
What one record is: each named graph of a dataset file (TriG, N-Quads, as `culturedata map
--format nq` writes them: one graph per record) is one record, identified by its graph IRI; the
triples of a file's default graph (any Turtle, N-Triples, RDF/XML or JSON-LD file) are one
record, identified by the file name. Findings point at the file and the graph, and at the focus
node inside it. `.xml` and `.json` files are read when their content is RDF/XML or JSON-LD.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox

from culturedata.errors import InputError
from culturedata.harvest import Contexts, Document, RdfReader, rdf_format
from culturedata.iris import slug
from culturedata.records import MappedRecord, content_hash

RDF_SUFFIXES = (".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".owl", ".n3")
SNIFFED = (".xml", ".json")


def rdf_files(path: Path) -> list[Path]:
    """The file itself, or every RDF file under a directory; an unknown suffix is a usage error."""
    if not path.exists():
        raise InputError("input.not_found", name=str(path))
    known = ", ".join(sorted((*RDF_SUFFIXES, *SNIFFED)))
    if path.is_dir():
        found = sorted(p for p in path.rglob("*") if p.is_file() and _is_rdf(p))
        if not found:
            raise InputError("validate.empty_dir", path=path, known=known)
        return found
    if path.suffix.lower() not in (*RDF_SUFFIXES, *SNIFFED):
        raise InputError("validate.unknown_rdf", path=path, known=known)
    return [path]


def _is_rdf(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix in RDF_SUFFIXES:
        return True
    if suffix not in SNIFFED:
        return False
    try:
        with path.open("rb") as handle:
            return rdf_format(path.name, handle.read(8192)) is not None
    except OSError:
        return False


def read_rdf(path: Path, source_id: str | None = None, contexts: Contexts | None = None) -> Iterator[MappedRecord]:
    source_id = source_id or slug(path.stem) or "file"
    reader = RdfReader(source_id, contexts or Contexts(), records="graph")
    document = Document(name=path.name, path=path)
    try:
        parsed, base = reader.parse(document)
    except OSError as exc:
        raise InputError("harvest.unreadable", path=path, detail=exc) from exc
    for local_id, location, statements, repairs in reader.split(document, parsed, base):
        record = reader.record(document, local_id, location, statements, repairs)
        # The default graph's statements come as quads (the harvester writes them as they are).
        triples = [s if isinstance(s, ox.Triple) else s.triple for s in statements]
        graph = local_id if local_id != path.name else path.resolve().as_uri()
        data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) if triples else b""
        yield MappedRecord(
            source_id=source_id, local_id=local_id, graph=graph, triples=tuple(triples),
            content_hash=content_hash(data or b""), origin=str(path), location=location, findings=record.findings,
        )

