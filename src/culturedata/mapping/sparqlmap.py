"""RDF to the profile with SPARQL CONSTRUCT queries (`format: sparql` mappings).

A mapping whose records already are RDF (EDM, Linked Art, CHIN's CIDOC-CRM, a SPARQL endpoint's
pages) says what they become as CONSTRUCT queries, one per entity type or as the author likes:

    mapping: edm
    format: sparql
    title: {fr: …, en: …}
    prefixes: {edm: "http://www.europeana.eu/schemas/edm/"}
    queries:
      object: |
        CONSTRUCT { ?object a qcp:HeritageObject ; schema:name ?title ; qcp:heldBy ?institution . }
        WHERE { ?cho a edm:ProvidedCHO ; dc:title ?title .
                BIND(cd:entity("objet", STR(?cho)) AS ?object) }

Each record's statements (its payload parsed by `harvest.parse_rdf`: N-Triples from the `rdf`
and `sparql` kinds, RDF/XML from OAI-PMH `metadataPrefix=edm` (the `rdf:RDF` inside the
payload), JSON-LD from a file) are loaded in an in-memory Oxigraph store, named graphs as part
of the default graph, and every query runs on it; the record's graph is the union of what they
construct. Each query may use, already bound:

    ?base ?source ?record ?language   the publication's base IRI, the source id, the record's
                                      id, the source's language (plain literals)
    ?institution ?graph               the source's organisation, the record's graph (IRIs)

and two functions (prefix `cd:` is declared for every query):

    cd:slug(text)           iris.slug: the text as an IRI path segment
    cd:entity(kind, key)    the entity IRI {base}id/{source}/{kind}/{slug(key)}, as YAML mappings mint it

Findings, as YAML mappings give them: a record whose queries construct nothing is `unmappable`;
an IRI repaired or a statement dropped while reading is a warning. A value a query cannot use
yields no triple (SPARQL leaves a variable unbound when its BIND fails, and a template with an
unbound variable yields nothing); to say so, a query constructs `?anything cd:unreadable
"the value"`: each such triple becomes a warning naming the value, and never reaches the graph.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from lxml import etree

from culturedata.errors import CultureDataError, MappingError
from culturedata.harvest import RDF_NS, Contexts, format_of_media_type, parse_rdf, repair_finding
from culturedata.iris import entity, record_graph, slug
from culturedata.mapping.language import PREFIXES, Mapping
from culturedata.messages import both, t
from culturedata.records import Finding, MappedRecord, NTriples, Severity, SourceRecord

FN = "https://w3id.org/culturedata/fn#"
UNREADABLE = ox.NamedNode(FN + "unreadable")
TOP_KEYS = {"mapping", "title", "format", "prefixes", "queries", "contexts"}
BOUND = ("base", "source", "record", "language", "institution", "graph")
_VARIABLE = {name: re.compile(rf"[?$]{name}\b") for name in BOUND}
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True, slots=True)
class Construct:
    name: str
    line: int
    text: str  # with the mapping's prefixes declared before it
    bound: frozenset[str] = frozenset()  # which of BOUND it uses


@dataclass(frozen=True, slots=True)
class SparqlMapping(Mapping):
    queries: tuple[Construct, ...] = ()
    contexts: Contexts = field(default_factory=Contexts, compare=False, repr=False)


def compile_sparql(raw: Any, path: Path) -> SparqlMapping:
    """A `format: sparql` mapping, every query parsed once here (a mistake names its line)."""
    line = getattr(raw, "line", 1)
    unknown = sorted(set(raw) - TOP_KEYS)
    if unknown:
        _fail(path, line, "mapping.problem.unknown_key", key=unknown[0], known=", ".join(sorted(TOP_KEYS)))
    prefixes = {**PREFIXES, "cd": FN, **{str(k): str(v) for k, v in (raw.get("prefixes") or {}).items()}}
    head = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes.items())
    queries = raw.get("queries")
    if isinstance(queries, str):
        queries = {"query": queries}
    if not isinstance(queries, dict) or not queries:
        _fail(path, line, "mapping.sparql.no_queries")
    compiled = []
    for position, (name, text) in enumerate(queries.items()):
        where = getattr(queries, "line", line) + position
        if not isinstance(text, str) or "CONSTRUCT" not in text.upper():
            _fail(path, where, "mapping.sparql.not_construct", query=name)
        used = frozenset(n for n in BOUND if _VARIABLE[n].search(text))
        construct = Construct(str(name), where, head + text, used)
        _check(path, construct)
        compiled.append(construct)
    title = raw.get("title")
    folder = raw.get("contexts")
    return SparqlMapping(
        name=str(raw.get("mapping") or path.stem), path=path, format="sparql", fields={}, namespaces={},
        null_values=frozenset(), id_field="id", entities=(),
        title=dict(title) if isinstance(title, dict) else ({"fr": title, "en": title} if title else {}),
        queries=tuple(compiled), contexts=Contexts([path.parent / str(folder)] if folder else []),
    )


def _check(path: Path, construct: Construct) -> None:
    try:
        bindings = _bindings("http://x/", "s", "r", "fr", "http://x/g")
        result = ox.Store().query(_filled(construct, bindings), custom_functions=_functions("http://x/", "s"))
    except SyntaxError as exc:
        _fail(path, construct.line, "mapping.sparql.syntax", query=construct.name, detail=exc)
    if not isinstance(result, ox.QueryTriples):
        _fail(path, construct.line, "mapping.sparql.not_construct", query=construct.name)


def _fail(path: Path, line: int, problem: str, **params: Any) -> None:
    raise MappingError("mapping.invalid", path=path, line=line, problem=t(problem, **params))


def _bindings(base: str, source: str, record: str, language: str, graph: str,
              institution: str | None = None) -> dict[str, Term]:
    return {
        "base": ox.Literal(base), "source": ox.Literal(source), "record": ox.Literal(record),
        "language": ox.Literal(language), "institution": ox.NamedNode(institution or graph),
        "graph": ox.NamedNode(graph),
    }


def _filled(construct: Construct, bindings: dict[str, Term]) -> str:
    """The query with the record's values written in place of ?base, ?record… Oxigraph's own
    substitutions take only variables a pattern binds, and these are mostly used in
    expressions (BIND, STRLANG), so they are written in as constants instead."""
    text = construct.text
    for name in construct.bound:
        text = _VARIABLE[name].sub(partial(_constant, str(bindings[name])), text)
    return text


def _constant(term: str, _: re.Match[str]) -> str:
    return term


def _functions(base: str, source: str) -> dict[ox.NamedNode, Callable[..., Term | None]]:
    def slug_of(text: Term) -> Term | None:
        return ox.Literal(slug(text.value)) if isinstance(text, ox.Literal | ox.NamedNode) else None

    def entity_of(kind: Term, key: Term) -> Term | None:
        if not isinstance(kind, ox.Literal) or not isinstance(key, ox.Literal | ox.NamedNode):
            return None
        try:
            return ox.NamedNode(entity(base, f"{source}/{slug(kind.value)}/{slug(key.value)}"))
        except ValueError:
            return None

    return {ox.NamedNode(FN + "slug"): slug_of, ox.NamedNode(FN + "entity"): entity_of}


def map_record(mapping: SparqlMapping, record: SourceRecord, base_iri: str, source_id: str, language: str,
               institution: str) -> MappedRecord:
    graph = record_graph(base_iri, record.source_id, record.local_id)
    if record.deleted:
        return _mapped(record, graph, "", ())
    if any(f.severity is Severity.VIOLATION for f in record.findings):  # refused by the harvester
        return _mapped(record, graph, "", record.findings)
    findings: list[Finding] = list(record.findings)
    try:
        quads = _statements(mapping, record, findings)
    except CultureDataError as exc:  # the payload is no RDF, or names a context no one has
        refused = Finding(stage="map", severity=Severity.VIOLATION, rule="unmappable",
                          message=both(exc.code, **exc.params), source_id=record.source_id,
                          local_id=record.local_id, location=record.location)
        return _mapped(record, graph, "", (*findings, refused))
    store = ox.Store()
    store.extend(quads)
    bindings = _bindings(base_iri, source_id, record.local_id, language, graph, institution)
    functions = _functions(base_iri, source_id)
    out: list[ox.Triple] = []
    for construct in mapping.queries:
        try:
            result = store.query(_filled(construct, bindings), custom_functions=functions,
                                 use_default_graph_as_union=True)
        except (SyntaxError, OSError, ValueError) as exc:
            findings.append(_unmappable(record, "mapping.sparql.failed", query=construct.name, detail=exc))
            continue
        assert isinstance(result, ox.QueryTriples)
        for triple in result:
            if triple.predicate == UNREADABLE:
                findings.append(_unreadable(record, construct.name, triple.object))
            else:
                out.append(triple)
    if not out:
        if not any(f.rule == "unmappable" for f in findings):
            findings.append(_unmappable(record, "mapping.sparql.empty"))
        return _mapped(record, graph, "", tuple(findings))
    data = ox.serialize(out, format=ox.RdfFormat.N_TRIPLES) or b""
    text = "".join(dict.fromkeys(data.decode("utf-8").splitlines(keepends=True)))
    return _mapped(record, graph, text, tuple(findings))


def _statements(mapping: SparqlMapping, record: SourceRecord, findings: list[Finding]) -> list[ox.Quad]:
    payload = record.payload
    if isinstance(payload, dict):  # a JSON object from a JSON kind: JSON-LD
        data, fmt = json.dumps(payload, ensure_ascii=False).encode("utf-8"), ox.RdfFormat.JSON_LD
    else:
        data = payload
        fmt = format_of_media_type(record.media_type) or ox.RdfFormat.N_TRIPLES
    if fmt == ox.RdfFormat.RDF_XML:
        data = _rdf_element(data, record)
    base = _base(record)
    parsed = parse_rdf(data, fmt, base, mapping.contexts, record.origin or record.key)
    findings.extend(repair_finding(r, record.source_id, record.local_id, record.location) for r in parsed.repairs)
    return parsed.quads


def _rdf_element(data: bytes, record: SourceRecord) -> bytes:
    """An OAI-PMH payload (a `record`, or its metadata) holding rdf:RDF: that element alone."""
    if data.lstrip()[:8] == b"<rdf:RDF":
        return data
    try:
        root = etree.fromstring(data, _SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise MappingError("mapping.sparql.bad_xml", record=record.key, detail=exc.msg) from exc
    found = root if root.tag == f"{{{RDF_NS}}}RDF" else next(root.iter(f"{{{RDF_NS}}}RDF"), None)
    if found is None:
        raise MappingError("mapping.sparql.no_rdf", record=record.key)
    return bytes(etree.tostring(found))


def _base(record: SourceRecord) -> str | None:
    origin = record.origin
    if not origin:
        return None
    if origin.startswith(("http://", "https://", "file:")):
        return origin.split("!")[0]
    try:
        return Path(origin.split("!")[0]).resolve().as_uri()
    except ValueError:
        return None


def _unreadable(record: SourceRecord, query: str, value: Term) -> Finding:
    text = value.value if isinstance(value, ox.Literal | ox.NamedNode | ox.BlankNode) else str(value)
    return Finding(stage="map", severity=Severity.WARNING, rule="unreadable",
                   message=both("mapping.sparql.value_unreadable", query=query, value=text),
                   source_id=record.source_id, local_id=record.local_id, value=text, location=record.location,
                   path=query)


def _unmappable(record: SourceRecord, code: str, **params: Any) -> Finding:
    return Finding(stage="map", severity=Severity.VIOLATION, rule="unmappable",
                   message=both(code, record=record.key, **params), source_id=record.source_id,
                   local_id=record.local_id, location=record.location, path=params.get("query"))


def _mapped(record: SourceRecord, graph: str, text: str, findings: tuple[Finding, ...]) -> MappedRecord:
    return MappedRecord(
        source_id=record.source_id, local_id=record.local_id, graph=graph, triples=NTriples(text),
        content_hash=record.content_hash, origin=record.origin, location=record.location,
        datestamp=record.datestamp, deleted=record.deleted, findings=findings,
    )
