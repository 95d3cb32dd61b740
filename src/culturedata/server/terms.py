"""What the query page's editor completes: the prefixes of the profile and the shipped
vocabularies, and the profile's terms (the classes and properties of the ontology qcp.ttl,
and the schema.org and other terms the SHACL shapes name).

Built from the shipped files when the server first needs it, so the list follows the
profile without anyone keeping it by hand; served as JSON at /query/terms.json.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from culturedata.resources import ontologies_dir, shapes_dir

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SH = "http://www.w3.org/ns/shacl#"
_KINDS = {
    f"{OWL}Class": "class", f"{RDFS}Class": "class",
    f"{OWL}ObjectProperty": "property", f"{OWL}DatatypeProperty": "property", f"{RDF}Property": "property",
    f"{OWL}AnnotationProperty": "property",
}
# What the shapes' predicates say about the IRI they point at.
_SHAPE_KINDS = {f"{SH}path": "property", f"{SH}targetClass": "class", f"{SH}class": "class"}
# Prefixes every query page user expects, whether or not a shipped file declares them.
_STANDARD = {"rdf": RDF, "rdfs": RDFS, "owl": OWL, "xsd": "http://www.w3.org/2001/XMLSchema#"}


@dataclass
class Term:
    curie: str
    iri: str
    kind: str  # "class" or "property"
    label: dict[str, str] = field(default_factory=dict)  # language -> label, when the ontology gives one


@dataclass
class Vocabulary:
    prefixes: dict[str, str]
    terms: list[Term]


def _files() -> list[Path]:
    ontologies = ontologies_dir()
    return [*sorted(shapes_dir().glob("*.ttl")), ontologies / "qcp.ttl", *sorted((ontologies / "vocab").glob("*.ttl"))]


def _curie(iri: str, prefixes: dict[str, str]) -> str | None:
    """The shortest prefixed name for `iri`, or None when no prefix (or a bad local name) fits."""
    best: str | None = None
    for name, namespace in prefixes.items():
        local = iri[len(namespace):]
        if iri.startswith(namespace) and local and all(c.isalnum() or c in "_-" for c in local):
            candidate = f"{name}:{local}"
            if best is None or len(candidate) < len(best):
                best = candidate
    return best


def build_vocabulary(files: list[Path] | None = None) -> Vocabulary:
    """The prefixes declared in the shipped Turtle files and the profile's terms, by prefixed name."""
    prefixes: dict[str, str] = dict(_STANDARD)
    kinds: dict[str, str] = {}
    labels: dict[str, dict[str, str]] = {}
    for path in files if files is not None else _files():
        parser = ox.parse(path=path, format=ox.RdfFormat.TURTLE)
        for triple in parser:
            subject, predicate, obj = triple.subject, triple.predicate.value, triple.object
            if predicate == f"{RDF}type" and isinstance(obj, ox.NamedNode) and obj.value in _KINDS:
                kinds.setdefault(subject.value, _KINDS[obj.value])
            elif predicate in _SHAPE_KINDS and isinstance(obj, ox.NamedNode):
                kinds.setdefault(obj.value, _SHAPE_KINDS[predicate])
            elif predicate == f"{RDFS}label" and isinstance(obj, ox.Literal) and isinstance(subject, ox.NamedNode):
                labels.setdefault(subject.value, {})[obj.language or ""] = obj.value
        for name, namespace in parser.prefixes.items():
            prefixes.setdefault(name, namespace)
    terms = []
    for iri, kind in kinds.items():
        curie = _curie(iri, prefixes)
        if curie is not None:
            terms.append(Term(curie, iri, kind, labels.get(iri, {})))
    return Vocabulary(dict(sorted(prefixes.items())), sorted(terms, key=lambda term: term.curie.lower()))


@cache
def vocabulary_json() -> bytes:
    return json.dumps(asdict(build_vocabulary()), ensure_ascii=False, separators=(",", ":")).encode()


__all__ = ["Term", "Vocabulary", "build_vocabulary", "vocabulary_json"]
