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
    found: dict[tuple[str, str | None], tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    def find(self, text: str, follow: str | None = None) -> list[str]:
        # Labels repeat from record to record (a museum's municipalities): answers are kept
        # for the last few thousand distinct labels.
        key = (text, follow)
        found = self.found.get(key)
        if found is None:
            if len(self.found) >= 4096:
                self.found.clear()
            found = self.found[key] = tuple(self._find(text, follow))
        return list(found)

    def _find(self, text: str, follow: str | None) -> list[str]:
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
    """Every concept scheme under `directory`, read once per process (with pyoxigraph's parser:
    rdflib takes seconds on the municipality table)."""
    import pyoxigraph as ox

    triples: list[tuple[str, str, object]] = []
    for path in sorted(directory.rglob("*.ttl")) if directory.is_dir() else []:
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            triples.append((quad.subject.value, quad.predicate.value, quad.object))
    schemes: dict[str, Scheme] = {}
    concept_schemes: dict[str, list[Scheme]] = {}
    for concept, predicate, obj in triples:
        if predicate != SKOS + "inScheme":
            continue
        scheme_iri = obj.value  # type: ignore[attr-defined]
        scheme = schemes.get(scheme_iri)
        if scheme is None:
            scheme = Scheme(scheme_iri)
            schemes[scheme_iri] = scheme
            schemes.setdefault(scheme_iri.rstrip("/#").rsplit("/", 1)[-1], scheme)
        concept_schemes.setdefault(concept, []).append(scheme)
    for concept, predicate, obj in triples:
        members = concept_schemes.get(concept)
        if not members:
            continue
        for scheme in members:
            if predicate in _LABELS:
                scheme.labels.setdefault(normalise_key(obj.value), concept)  # type: ignore[attr-defined]
            elif isinstance(obj, ox.NamedNode):
                scheme.links.setdefault((concept, predicate), []).append(obj.value)
    return Vocabularies(schemes)
