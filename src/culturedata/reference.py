"""The reference graphs every snapshot carries: the shipped SKOS vocabularies (regions, census
divisions, municipalities, organisation types, collection domains, heritage statuses) and the
profile's ontology, each in its own graph `{base}graph/_reference/<name>`.

The records point at these concepts (`schema:containedInPlace <…/regions/15>`); with the
vocabularies in the store, a query can read their labels (`?region skos:prefLabel ?name`) and
the entity pages can name them. A graph is written again only when its file changed: its
content hash is kept in the system graph, as for a record.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from culturedata import iris
from culturedata.resources import ontologies_dir
from culturedata.store import Batch, Target

RUN = "https://w3id.org/culturedata/ns/run#"
_HASH = RUN + "contentHash"
_SOURCE = "http://purl.org/dc/terms/source"
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
VOID_DATASET = "http://rdfs.org/ns/void#Dataset"


@dataclass(frozen=True, slots=True)
class Reference:
    name: str  # the graph's last path segment
    path: Path


def references() -> list[Reference]:
    """The shipped files, by graph name: `ontology` for the profile, each vocabulary by its stem."""
    folder = ontologies_dir()
    found = [Reference("ontology", folder / "qcp.ttl")]
    found += [Reference(p.stem, p) for p in sorted((folder / "vocab").glob("*.ttl"))]
    return found


def write_references(target: Target, base_iri: str) -> list[str]:
    """Write each reference graph whose file changed since the snapshot got it; the names written."""
    written = []
    for reference in references():
        data = reference.path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        graph = iris.reference_graph(base_iri, reference.name)
        if target.subject_facts(graph).get(_HASH) == digest:
            continue
        target.apply(_batch(target.system_graph, graph, reference, data, digest))
        written.append(reference.name)
    return written


def _batch(system_graph: str, graph: str, reference: Reference, data: bytes, digest: str) -> Batch:
    node, system = ox.NamedNode(graph), ox.NamedNode(system_graph)
    quads = [ox.Quad(t.subject, t.predicate, t.object, node)
             for t in ox.parse(data, format=ox.RdfFormat.TURTLE)]
    quads += [
        ox.Quad(node, ox.NamedNode(_TYPE), ox.NamedNode(VOID_DATASET), system),  # listed in VoID (server/describe.py)
        ox.Quad(node, ox.NamedNode(_HASH), ox.Literal(digest), system),
        ox.Quad(node, ox.NamedNode(_SOURCE), ox.Literal(f"ontologies/{reference.path.relative_to(ontologies_dir())}"), system),
    ]
    return Batch(drop=[graph], forget=[graph], quads=quads)
