"""RDF documents and dumps (RDF/XML, Turtle, N-Triples, N-Quads, TriG, JSON-LD) as records.

Files, folders, zip archives and URLs are read as every file kind reads them (inputs.py); each
document is parsed by `rdfread.parse_rdf` (offline contexts, a base IRI, IRIs repaired or their
statement dropped, with a warning finding on the record). What one record is, `records`:

- `auto` (the default): each named graph of a dataset (TriG, N-Quads) is a record, identified
  by its graph IRI; the default graph's statements, if any, are one more record; a document
  without named graphs (an EDM file, a CHIN example, a Linked Art object) is one record.
- `graph`: the same, for datasets; `document`: a whole document is one record whatever it holds.
- `subject`: one record per subject tree, for dumps of many things in one graph. The roots are
  the instances of `root_class` (a list of IRIs or `prefix:name` with a prefix of the document's
  well-known ones), or, without it, every subject named by an IRI (`rdf:about` in RDF/XML). A
  tree is its root's statements, those of the blank nodes it reaches, and, with
  `follow_hash_iris` (the default), those of the same-document hash IRIs it reaches (`<#part>`,
  `<root#part>`): they are parts of the root, not records of their own. A blank node reached
  from two roots is in both records. Statements no root reaches are in no record.

A record's payload is its statements as N-Triples (`application/n-triples`), which every RDF
mapping (`format: sparql`) reads; its id is the graph, the root IRI or the document's name.
The base IRI for relative IRIs is `base_iri` when set, else the document's URL or file.

Two ways through a document, giving the same statements and findings: a document of one graph
that Oxigraph parses strictly goes from its parser to its N-Triples writer with no statement in
Python (the usual case, and most of the cost of a harvest), and so does RDF/XML whose only faults
are IRIs to repair or empty `xml:lang`s, once repaired in its text (`rdfread.repair_rdfxml`, the
findings then located in the N-Triples); anything else (other repairs, named graphs or subject
trees to split) is read statement by statement (`rdfread.parse_rdf`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote_from_bytes, urldefrag

import pyoxigraph as ox

from culturedata.errors import ConfigError
from culturedata.harvest.contexts import Contexts, contexts_folder
from culturedata.harvest.inputs import FILE_OPTIONS, Document, documents
from culturedata.harvest.options import read_options, require_choice
from culturedata.harvest.rdfread import NAMES, Parsed, Repair, parse_rdf, rdf_format, repair_rdfxml
from culturedata.messages import both
from culturedata.records import Finding, Severity, SourceRecord, content_hash

if TYPE_CHECKING:
    from culturedata.config import Source
    from culturedata.harvest import HarvestOptions

OPTIONS: dict[str, tuple[Any, Any]] = {
    "format": (str, ""),  # turtle, ntriples, nquads, trig, n3, rdfxml, jsonld; "" = from each file
    "records": (str, "auto"),  # auto, graph, document, subject
    "root_class": ((str, list), []),  # subject records: the classes of their roots
    "follow_hash_iris": (bool, True),
    "base_iri": (str, ""),
    "contexts": (str, ""),  # a folder of more JSON-LD contexts (see contexts/README.md)
    **FILE_OPTIONS,
}
BOUNDARIES = ("auto", "graph", "document", "subject")
NTRIPLES = "application/n-triples"
Statement = ox.Triple | ox.Quad  # a quad of the default graph, which the N-Triples writer takes as is
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "schema": "http://schema.org/", "edm": "http://www.europeana.eu/schemas/edm/",
    "ore": "http://www.openarchives.org/ore/terms/", "crm": "http://www.cidoc-crm.org/cidoc-crm/",
    "skos": "http://www.w3.org/2004/02/skos/core#", "foaf": "http://xmlns.com/foaf/0.1/",
    "dcterms": "http://purl.org/dc/terms/", "la": "https://linked.art/ns/terms/",
}


def harvest_rdf(source: Source, options: HarvestOptions) -> Iterator[SourceRecord]:
    opts = read_options(source, OPTIONS)
    reader = RdfReader.from_options(source, opts)
    for document in documents(source, opts, options):
        yield from reader.records(document)


class RdfReader:
    """How a source's documents become records; also used by `culturedata validate --rdf`."""

    def __init__(self, source_id: str, contexts: Contexts, fmt: ox.RdfFormat | None = None, records: str = "auto",
                 root_classes: tuple[str, ...] = (), follow_hash_iris: bool = True, base_iri: str = "") -> None:
        self.source_id = source_id
        self.contexts = contexts
        self.format = fmt
        self.boundary = records
        self.root_classes = tuple(ox.NamedNode(c) for c in root_classes)
        self.follow_hash_iris = follow_hash_iris
        self.base_iri = base_iri

    @classmethod
    def from_options(cls, source: Source, opts: dict[str, Any]) -> RdfReader:
        require_choice(source, "records", opts["records"], BOUNDARIES)
        if opts["format"]:
            require_choice(source, "format", opts["format"], tuple(NAMES))
        folder = opts["contexts"]
        root = source.root or Path.cwd()
        folders = [contexts_folder(root, folder, "options.contexts", source.where)] if folder else []
        classes = opts["root_class"] if isinstance(opts["root_class"], list) else [opts["root_class"]]
        return cls(source.id, Contexts(folders), NAMES.get(opts["format"]), opts["records"],
                   tuple(_expand(source, str(c)) for c in classes), opts["follow_hash_iris"], opts["base_iri"])

    def parse(self, document: Document, data: bytes | None = None, strict_first: bool = True) -> tuple[Parsed, str]:
        """The document's statements, and the base IRI they were read with."""
        data = document.read() if data is None else data
        fmt = self.format_of(document, data)
        base = self.base_iri or base_of(document)
        return parse_rdf(data, fmt, base, self.contexts, document.name, strict_first), base

    def format_of(self, document: Document, data: bytes) -> ox.RdfFormat:
        fmt = self.format or rdf_format(document.name, data[:8192])
        if fmt is None:  # a .xml or .json without RDF: read as RDF/XML or JSON-LD, for its error
            fmt = ox.RdfFormat.JSON_LD if document.name.lower().endswith(".json") else ox.RdfFormat.RDF_XML
        return fmt

    def records(self, document: Document) -> Iterator[SourceRecord]:
        data = document.read()
        refused = False
        if self.boundary in ("auto", "graph", "document"):
            whole, refused = self.whole(document, data)
            if whole is not None:
                yield from whole
                return
        parsed, base = self.parse(document, data, strict_first=not refused)
        if self.boundary != "subject":
            try:  # one graph, the usual case: its statements go to the writer as they are
                payload = ox.serialize(parsed.quads, format=ox.RdfFormat.N_TRIPLES) or b""
            except ValueError:  # named graphs, to split
                pass
            else:
                yield self.document_record(document, payload, parsed.repairs)
                return
        for local_id, location, triples, repairs in self.split(document, parsed, base):
            yield self.record(document, local_id, location, triples, repairs)

    def whole(self, document: Document, data: bytes) -> tuple[list[SourceRecord] | None, bool]:
        """The fast way, for a document of one graph that parses strictly: Oxigraph's parser
        feeds its own N-Triples writer, and Python touches no statement. RDF/XML whose only
        faults are IRIs to repair in `rdf:about` / `rdf:resource` or empty `xml:lang`s is
        repaired in its text and goes the same way (`rdfread.repair_rdfxml`). None when the document needs the careful way (`parse_rdf`'s
        repairs, or named graphs to split), with whether the strict parser refused it (then
        `parse_rdf` need not try it again)."""
        fmt = self.format_of(document, data)
        if fmt in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS):
            return None, False
        base = self.base_iri or base_of(document)
        if fmt == ox.RdfFormat.JSON_LD:
            data = self.contexts.inline(data, base, document.name)
        repairs: list[Repair] = []
        try:
            payload = _ntriples(data, fmt, base)
        except SyntaxError:
            repaired = repair_rdfxml(data, base) if fmt == ox.RdfFormat.RDF_XML else None
            if repaired is None:
                return None, True
            try:
                payload = _ntriples(repaired.data, fmt, base)
            except SyntaxError:
                return None, True
            repairs = _located(payload, repaired.iris, repaired.plain)
        except ValueError:  # JSON-LD naming a graph, which N-Triples cannot hold
            return None, False
        return [self.document_record(document, payload, repairs)], False

    def document_record(self, document: Document, payload: bytes, repairs: list[Repair]) -> SourceRecord:
        """A whole document as one record, named after it."""
        findings = tuple(repair_finding(r, self.source_id, document.name, document.name) for r in repairs)
        return SourceRecord(self.source_id, document.name, payload, NTRIPLES, content_hash(payload), None, False,
                            document.name, document.name, findings)

    def split(self, document: Document, parsed: Parsed, base: str
              ) -> Iterator[tuple[str, str, list[Statement], list[Repair]]]:
        # The default graph's statements stay quads (its writer takes them as they are); a
        # named graph's become triples of their own. Most documents have no named graph.
        default = ox.DefaultGraph
        graphs: dict[str, list[Statement]] = {"": list(parsed.quads)}
        if any(type(quad.graph_name) is not default for quad in parsed.quads):
            graphs = {}
            for quad in parsed.quads:
                graph = quad.graph_name
                if type(graph) is default:
                    graphs.setdefault("", []).append(quad)
                else:
                    assert isinstance(graph, ox.NamedNode | ox.BlankNode)
                    graphs.setdefault(graph.value, []).append(quad.triple)
        graphs = {name: statements for name, statements in graphs.items() if statements}
        boundary = self.boundary
        if boundary == "subject":
            for name, triples in graphs.items():
                yield from self.trees(document, triples, base, parsed.repairs, name)
            return
        if boundary == "document" or (set(graphs) <= {""}):
            triples = [t for ts in graphs.values() for t in ts]
            yield document.name, document.name, triples, parsed.repairs
            return
        for name, triples in graphs.items():
            local_id = name or document.name
            location = f"{document.name}, graph <{name}>" if name else document.name
            yield local_id, location, triples, _about(parsed.repairs, {t.subject for t in triples}, not name)

    def trees(self, document: Document, triples: list[Statement], base: str, repairs: list[Repair], graph: str
              ) -> Iterator[tuple[str, str, list[Statement], list[Repair]]]:
        by_subject: dict[ox.NamedNode | ox.BlankNode | ox.Triple, list[Statement]] = {}
        for triple in triples:
            by_subject.setdefault(triple.subject, []).append(triple)
        if self.root_classes:
            wanted = set(self.root_classes)
            roots = [s for s, ts in by_subject.items()
                     if any(t.predicate == RDF_TYPE and t.object in wanted for t in ts)]
        else:
            named = {s.value for s in by_subject if isinstance(s, ox.NamedNode)}
            roots = [s for s in by_subject if isinstance(s, ox.NamedNode) and not self.part_of_any(s.value, named, base)]
        where = f", graph <{graph}>" if graph else ""
        for root in roots:
            assert isinstance(root, ox.NamedNode | ox.BlankNode)
            tree = self.tree(root, by_subject, base)
            location = f"{document.name}{where}, <{root.value}>"
            subjects = {t.subject for t in tree}
            yield root.value, location, tree, _about(repairs, subjects, False)

    def tree(self, root: ox.NamedNode | ox.BlankNode, by_subject: dict[Any, list[Statement]], base: str
             ) -> list[Statement]:
        out: list[Statement] = []
        seen: set[Any] = {root}
        todo: list[Any] = [root]
        while todo:
            for triple in by_subject.get(todo.pop(), ()):
                out.append(triple)
                target = triple.object
                if target in seen:
                    continue
                if isinstance(target, ox.BlankNode) or (
                        isinstance(target, ox.NamedNode) and self.part(target.value, root.value, base)):
                    seen.add(target)
                    todo.append(target)
        return out

    def part(self, iri: str, root: str, base: str) -> bool:
        """A same-document hash IRI: `<#x>` of the document, or `<root#x>`, when they are followed."""
        if not self.follow_hash_iris or "#" not in iri:
            return False
        document, fragment = _defrag(iri)
        return bool(fragment) and document in (_defrag(base)[0], _defrag(root)[0] if root else None)

    def part_of_any(self, iri: str, subjects: set[str], base: str) -> bool:
        """A hash IRI of the document, or of another subject: a part, not a root of its own."""
        if not self.follow_hash_iris or "#" not in iri:
            return False
        document, fragment = _defrag(iri)
        return bool(fragment) and (document == _defrag(base)[0] or document in subjects)

    def record(self, document: Document, local_id: str, location: str, triples: list[Statement],
               repairs: list[Repair]) -> SourceRecord:
        # Triples and default-graph quads, which the writer takes mixed (its stubs say one kind)
        statements = cast("list[ox.Triple]", triples)
        data = ox.serialize(statements, format=ox.RdfFormat.N_TRIPLES) if triples else b""
        payload = data or b""
        findings = tuple(repair_finding(r, self.source_id, local_id, location) for r in repairs)
        return SourceRecord(self.source_id, local_id, payload, NTRIPLES, content_hash(payload), None, False,
                            document.name, location, findings)


def repair_finding(repair: Repair, source_id: str, local_id: str, location: str | None) -> Finding:
    """What a reader did to a statement, said to the museum: a warning, the record is kept."""
    if repair.fixed is not None:
        code, rule = "harvest.rdf.repaired", "iri-repaired"
        message = both(code, value=repair.value, fixed=repair.fixed)
    else:
        code, rule = "harvest.rdf.dropped", "statement-dropped"
        message = both(code, value=repair.value, detail=repair.detail or "-")
    return Finding(stage="harvest", severity=Severity.WARNING, rule=rule, message=message, source_id=source_id,
                   local_id=local_id, focus=repair.subject, value=repair.value, location=location)


def _ntriples(data: bytes, fmt: ox.RdfFormat, base: str) -> bytes:
    return ox.serialize(ox.parse(data, format=fmt, base_iri=base), format=ox.RdfFormat.N_TRIPLES) or b""


def _located(payload: bytes, iris: list[tuple[str, str]], plain: list[str]) -> list[Repair]:
    """What was repaired in a document's text, said once per subject of a statement it is in
    (as `parse_rdf` says it), found in the N-Triples the repaired text gave: IRIs, and
    literals whose empty language was dropped."""
    found: list[tuple[int, str, str]] = []  # where, as written, as repaired
    for value, iri in iris:
        found += _places(payload, f"<{iri}>".encode(), value, iri)
    for text in plain:
        shown = f'"{text[:60]}"'
        found += _places(payload, b" " + str(ox.Literal(text)).encode() + b" .\n", f"{shown}@", shown)
    found.sort()
    out: list[Repair] = []
    seen: set[tuple[str, str | None]] = set()
    for at, value, fixed in found:
        start = payload.rfind(b"\n", 0, at) + 1
        subject = payload[start:payload.find(b" ", start)] if at < len(payload) else b""
        about = subject[1:-1].decode() if subject.startswith(b"<") else None
        if (value, about) not in seen:
            seen.add((value, about))
            out.append(Repair(value, fixed, about))
    return out


def _places(payload: bytes, token: bytes, value: str, fixed: str) -> list[tuple[int, str, str]]:
    """Where `token` is in the payload; the end when nowhere (an IRI resolved against an
    `xml:base` rather than the document's: the repair is said all the same)."""
    places: list[tuple[int, str, str]] = []
    at = payload.find(token)
    while at >= 0:
        places.append((at, value, fixed))
        at = payload.find(token, at + len(token))
    return places or [(len(payload), value, fixed)]


def base_of(document: Document) -> str:
    """Where relative IRIs of a document resolve: its URL, or its file (a zip member inside it)."""
    name = document.name
    if name.startswith(("http://", "https://")) and document.member is None:
        return name
    # What Path.absolute().as_uri() gives (no symbolic link followed, no system call), without
    # building two Path objects per document.
    uri = _file_uri(document.path) if not name.startswith(("http://", "https://")) else name.split("!")[0]
    return f"{uri}!/{document.member}" if document.member is not None else uri


@lru_cache(maxsize=4096)
def _defrag(iri: str) -> tuple[str, str]:
    """urldefrag, once per IRI: a subject tree asks it of every hash IRI it meets, and of its base."""
    document, fragment = urldefrag(iri)
    return document, fragment


def _file_uri(path: Path) -> str:
    text = os.fspath(path)
    if not text.startswith("/"):
        return path.absolute().as_uri()
    return "file://" + quote_from_bytes(os.fsencode(text))


def _about(repairs: list[Repair], subjects: set[Any], default_graph: bool) -> list[Repair]:
    """The repairs of one record: those about its subjects (and, for the default graph's
    record, those whose subject is unknown)."""
    names = {s.value for s in subjects if isinstance(s, ox.NamedNode)}
    return [r for r in repairs if r.subject in names or (default_graph and r.subject not in names and (
        r.subject is None))]


def _expand(source: Source, name: str) -> str:
    if name.startswith(("http://", "https://", "urn:")):
        return name
    prefix, sep, local = name.partition(":")
    if not sep or prefix not in PREFIXES:
        raise ConfigError("harvest.rdf.root_class", where=source.where, value=name,
                          known=", ".join(sorted(PREFIXES)))
    return PREFIXES[prefix] + local
