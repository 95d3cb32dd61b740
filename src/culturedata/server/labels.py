"""What a page calls an IRI, in the page's language.

A term of the profile's vocabularies (schema.org, Dublin Core, PROV-O...) is named by the table
in term-labels.toml; the profile's own terms, the concepts of the vocabularies (regions,
municipalities, types) and the published entities by their labels in the store (schema:name,
skos:prefLabel, rdfs:label, dcterms:title), read by subject, once per snapshot (pagememo.py).
Whatever has no label keeps its CURIE, or its IRI.
"""

from __future__ import annotations

import tomllib
from functools import cache, lru_cache
from pathlib import Path

import pyoxigraph as ox

from culturedata.server.lookups import Lookups

TABLE = Path(__file__).with_name("term-labels.toml")
PREFIXES = {
    "schema": "https://schema.org/", "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/", "prov": "http://www.w3.org/ns/prov#",
    "owl": "http://www.w3.org/2002/07/owl#", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "qcp": "https://w3id.org/culturedata/ns/qcp#", "run": "https://w3id.org/culturedata/ns/run#",
    "crm": "http://www.cidoc-crm.org/cidoc-crm/", "geo": "http://www.opengis.net/ont/geosparql#",
    "wgs": "http://www.w3.org/2003/01/geo/wgs84_pos#",
}
# The profile writes http://schema.org/ (as Artsdata does); both spellings are read.
SCHEMA_HTTP = "http://schema.org/"
SCHEMA_HTTPS = PREFIXES["schema"]
LABEL_PREDICATES = [ox.NamedNode(iri) for iri in (
    SCHEMA_HTTP + "name", SCHEMA_HTTPS + "name", PREFIXES["skos"] + "prefLabel", PREFIXES["rdfs"] + "label",
    PREFIXES["dcterms"] + "title",
)]


@lru_cache(maxsize=8192)  # a page spells the same few hundred terms; bounded: records' IRIs pass here too
def compact(iri: str) -> str:
    """The IRI as a CURIE when a known prefix fits (schema: for both spellings)."""
    if iri.startswith(SCHEMA_HTTP):
        return "schema:" + iri[len(SCHEMA_HTTP):]
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def schema(name: str) -> list[ox.NamedNode]:
    """A schema.org term in both spellings, http:// first (the one the profile writes)."""
    return [ox.NamedNode(SCHEMA_HTTP + name), ox.NamedNode(SCHEMA_HTTPS + name)]


@cache
def _table() -> tuple[dict[str, dict[str, str]], dict[str, dict[str, str]]]:
    data = tomllib.loads(TABLE.read_text(encoding="utf-8"))
    return data["terms"], data["licences"]


@lru_cache(maxsize=8192)
def term_label(iri: str, lang: str) -> str | None:
    """The table's name for a vocabulary term or a licence, in `lang`."""
    terms, licences = _table()
    names = terms.get(compact(iri)) or licences.get(iri) or licences.get(iri.replace("http://", "https://", 1))
    return names.get(lang) if names else None


def best_literal(literals: list[ox.Literal], lang: str) -> str | None:
    """The literal in the page's language, else one without a language, else French, English, any."""
    for wanted in (lang, None, "fr", "en"):
        for literal in literals:
            if literal.language == wanted:
                return literal.value
    return literals[0].value if literals else None


class Labeller:
    """Labels of IRIs for one page, each looked up once (and once per snapshot, in its memo)."""

    def __init__(self, lookups: Lookups, lang: str, limit: int = 300) -> None:
        self.lookups = lookups
        self.lang = lang
        self._known: dict[str, str | None] = {}
        self._limit = limit  # IRIs a page may ask labels for: a record with thousands of links stays bounded

    def stored(self, iri: str) -> str | None:
        """The label the store gives `iri` (schema:name, skos:prefLabel, rdfs:label, dcterms:title)."""
        if iri in self._known:
            return self._known[iri]
        label = None
        if len(self._known) < self._limit:
            memo, key = self.lookups.memo, (iri, self.lang)
            if memo is not None and key in memo.labels:
                label = memo.labels[key]
            else:
                label = self._read(iri)
                if memo is not None:
                    memo.labels.put(key, label)
        self._known[iri] = label
        return label

    def _read(self, iri: str) -> str | None:
        node = ox.NamedNode(iri)
        for predicate in LABEL_PREDICATES:
            literals = [q.object for q in self.lookups.objects(node, predicate, limit=20)
                        if isinstance(q.object, ox.Literal)]
            if (label := best_literal(literals, self.lang)) is not None:
                return label
        return None

    def label(self, iri: str) -> str | None:
        """The name of a term, a concept or an entity; None when nothing names it."""
        return term_label(iri, self.lang) or self.stored(iri)
