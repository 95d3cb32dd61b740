"""Lookups into the shipped SKOS concept schemes (`ontologies/**/*.ttl`).

A mapping value with `lookup: regions` turns "Saguenay–Lac-Saint-Jean", "saguenay lac saint jean"
or "02" into the concept IRI `…/vocab/regions/02`. Labels (pref, alt, hidden) and notations
match without regard to case, accents, hyphens or dashes. With `follow: <property>` the match
is replaced by what the concept points to (a municipality concept → its region).

A scheme is named by the last segment of its IRI (`https://w3id.org/culturedata/vocab/regions`
→ `regions`) or by its full IRI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from culturedata.mapping.transforms import normalise_key

SKOS = "http://www.w3.org/2004/02/skos/core#"
_LABELS = (SKOS + "prefLabel", SKOS + "altLabel", SKOS + "hiddenLabel", SKOS + "notation")


@dataclass(slots=True)
class Scheme:
    iri: str
    labels: dict[str, str] = field(default_factory=dict)  # normalised label -> concept IRI
    links: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (concept, property) -> IRIs

    def find(self, text: str, follow: str | None = None) -> list[str]:
        concept = None
        for candidate in _candidates(text):
            concept = self.labels.get(normalise_key(candidate))
            if concept is not None:
                break
        if concept is None:
            return []
        return self.links.get((concept, follow), []) if follow else [concept]


_PARENTHESIS = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")


def _candidates(text: str) -> list[str]:
    """"Laurentides (15)" is tried whole, then as "Laurentides", then as "15"; "15 - Laurentides" too."""
    match = _PARENTHESIS.match(text)
    if match:
        return [text, match.group(1), match.group(2)]
    return [text, *(part for part in re.split(r"\s+[-–—]\s+", text) if part != text)]


@dataclass(slots=True)
class Vocabularies:
    schemes: dict[str, Scheme]

    def scheme(self, name: str) -> Scheme | None:
        return self.schemes.get(name)

    @property
    def names(self) -> list[str]:
        return sorted(n for n in self.schemes if "/" not in n)


@cache
def load_vocabularies(directory: Path) -> Vocabularies:
    """Every concept scheme under `directory`, read once per process."""
    import rdflib

    graph = rdflib.Graph()
    for path in sorted(directory.rglob("*.ttl")) if directory.is_dir() else []:
        graph.parse(path, format="turtle")
    in_scheme = rdflib.URIRef(SKOS + "inScheme")
    schemes: dict[str, Scheme] = {}
    concept_schemes: dict[str, list[Scheme]] = {}
    for concept, _, scheme_iri in graph.triples((None, in_scheme, None)):
        scheme = schemes.get(str(scheme_iri))
        if scheme is None:
            scheme = Scheme(str(scheme_iri))
            schemes[str(scheme_iri)] = scheme
            schemes.setdefault(str(scheme_iri).rstrip("/#").rsplit("/", 1)[-1], scheme)
        concept_schemes.setdefault(str(concept), []).append(scheme)
    for concept, members in concept_schemes.items():
        node = rdflib.URIRef(concept)
        for predicate, obj in graph.predicate_objects(node):
            for scheme in members:
                if str(predicate) in _LABELS:
                    scheme.labels.setdefault(normalise_key(str(obj)), concept)
                elif isinstance(obj, rdflib.URIRef):
                    scheme.links.setdefault((concept, str(predicate)), []).append(str(obj))
    return Vocabularies(schemes)
