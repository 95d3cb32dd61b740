"""Running a `Mapping` over records: each record becomes one named graph of triples.

A record the mapping cannot handle (no id, broken XML) becomes a MappedRecord with no
triples and an 'unmappable' finding; it never stops the batch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

from lxml import etree
from pyoxigraph import Literal, NamedNode, Triple

from culturedata.mapping.iris import graph_iri, slug
from culturedata.mapping.language import EntitySpec, Mapping, ValueSpec
from culturedata.messages import both
from culturedata.records import Finding, MappedRecord, Severity, SourceRecord

RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD = "http://www.w3.org/2001/XMLSchema#"
_PLACEHOLDER = re.compile(r"\{([^{}|]+)(?:\|([a-z]+))?\}")
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True, slots=True)
class MappingContext:
    """What a mapping may use besides the record: where IRIs live and who the source is."""

    base_iri: str
    source_id: str
    language: str
    institution: str  # IRI of the organisation that provides the records

    @classmethod
    def for_source(cls, base_iri: str, source_id: str, language: str) -> MappingContext:
        return cls(base_iri, source_id, language, f"{base_iri}id/{source_id}/organisation/{source_id}")


class _Fields:
    """The record's field values, read once each; null values are already gone."""

    def __init__(self, mapping: Mapping, record: SourceRecord) -> None:
        self.mapping = mapping
        self.payload = record.payload
        self.tree = None
        if mapping.format == "xml":
            raw = record.payload if isinstance(record.payload, bytes) else b""
            self.tree = etree.fromstring(raw, _SAFE_PARSER)
        self.cache: dict[str, list[str]] = {}

    def get(self, name: str) -> list[str]:
        if name not in self.cache:
            self.cache[name] = [v for v in self._read(name) if v.casefold() not in self.mapping.null_values]
        return self.cache[name]

    def _read(self, name: str) -> list[str]:
        selector = self.mapping.fields.get(name, name)
        if self.tree is not None:
            found = _xpath(selector, tuple(sorted(self.mapping.namespaces.items())))(self.tree)
            items = found if isinstance(found, list) else [found]
            return [" ".join(str(i).split()) for i in items if str(i).strip()]
        value = self.payload.get(selector, "") if isinstance(self.payload, dict) else ""
        value = " ".join(str(value).split())
        return [value] if value else []


@cache
def _xpath(expression: str, namespaces: tuple[tuple[str, str], ...]) -> etree.XPath:
    return etree.XPath(expression, namespaces=dict(namespaces))


def map_records(
    mapping: Mapping, records: Iterable[SourceRecord], context: MappingContext
) -> Iterator[MappedRecord]:
    for record in records:
        yield map_record(mapping, record, context)


def map_record(mapping: Mapping, record: SourceRecord, context: MappingContext) -> MappedRecord:
    graph = graph_iri(context.base_iri, record.source_id, record.local_id)
    if record.deleted:
        return _mapped(record, graph, (), ())
    try:
        fields = _Fields(mapping, record)
    except etree.XMLSyntaxError as exc:
        return _mapped(record, graph, (), (_unmappable(record, "mapping.record.bad_xml", detail=exc.msg),))
    iris = _mint(mapping.entities, fields, context)
    triples: list[Triple] = []
    for entity in mapping.entities:
        subject = iris.get(entity.name)
        if subject is None:
            continue
        node = NamedNode(subject)
        triples.extend(Triple(node, RDF_TYPE, NamedNode(t)) for t in entity.types)
        for predicate, spec in entity.properties:
            p = NamedNode(predicate)
            triples.extend(Triple(node, p, o) for o in _objects(spec, fields, iris, context))
    if not triples:
        return _mapped(record, graph, (), (_unmappable(record, "mapping.record.empty"),))
    return _mapped(record, graph, tuple(dict.fromkeys(triples)), ())


def _mint(entities: tuple[EntitySpec, ...], fields: _Fields, context: MappingContext) -> dict[str, str]:
    """Each entity's IRI, in declaration order so that later entities may use earlier ones."""
    iris: dict[str, str] = {}
    for entity in entities:
        if entity.when and not fields.get(entity.when):
            continue
        iri = _fill(entity.iri, fields, iris, context)
        if iri:
            iris[entity.name] = iri
    return iris


def _objects(spec: ValueSpec, fields: _Fields, iris: dict[str, str], context: MappingContext) -> list[Any]:
    if spec.source == "entity":
        target = iris.get(spec.text)
        return [NamedNode(target)] if target else []
    if spec.source == "iri":
        filled = _fill(spec.text, fields, iris, context)
        return [NamedNode(filled)] if filled else []
    if spec.source == "field":
        values = fields.get(spec.text)
    elif spec.source == "template":
        filled = _fill(spec.text, fields, iris, context)
        values = [filled] if filled else []
    else:
        values = [spec.text]
    if spec.split:
        values = [part.strip() for v in values for part in v.split(spec.split) if part.strip()]
    return [_literal(v, spec, context) for v in values]


def _literal(value: str, spec: ValueSpec, context: MappingContext) -> Literal | NamedNode:
    if spec.datatype == XSD + "anyURI":
        try:
            return NamedNode(value if "://" in value else "http://" + value)
        except ValueError:
            # Not an IRI ("Domaine public"): keep the text so the shapes can say what is wrong.
            return Literal(value)
    if spec.datatype:
        return Literal(value, datatype=NamedNode(spec.datatype))
    if spec.lang:
        return Literal(value, language=context.language if spec.lang == "default" else spec.lang)
    return Literal(value)


def _fill(template: str, fields: _Fields, iris: dict[str, str], context: MappingContext) -> str | None:
    """The template with its placeholders filled; None when a field it needs is empty."""
    missing = False

    def replace(match: re.Match[str]) -> str:
        nonlocal missing
        name, transform = match.group(1), match.group(2)
        value = _lookup(name, fields, iris, context)
        if value is None:
            missing = True
            return ""
        return slug(value) if transform == "slug" else value

    filled = _PLACEHOLDER.sub(replace, template)
    return None if missing else filled


def _lookup(name: str, fields: _Fields, iris: dict[str, str], context: MappingContext) -> str | None:
    known = {"base": context.base_iri, "source": context.source_id, "institution": context.institution}
    if name in known:
        return known[name]
    if name in iris:
        return iris[name]
    values = fields.get(name)
    return values[0] if values else None


def _unmappable(record: SourceRecord, code: str, **params: Any) -> Finding:
    return Finding(
        stage="map",
        severity=Severity.VIOLATION,
        rule="unmappable",
        message=both(code, record=record.key, **params),
        source_id=record.source_id,
        local_id=record.local_id,
        location=record.location,
    )


def _mapped(
    record: SourceRecord, graph: str, triples: tuple[Triple, ...], findings: tuple[Finding, ...]
) -> MappedRecord:
    return MappedRecord(
        source_id=record.source_id,
        local_id=record.local_id,
        graph=graph,
        triples=triples,
        content_hash=record.content_hash,
        origin=record.origin,
        location=record.location,
        datestamp=record.datestamp,
        deleted=record.deleted,
        findings=findings,
    )
