"""What the store keeps besides the data: per record its state and provenance, per source its
harvest state, per run a PROV-O activity. All of it lives in the system graph, as quads built
here; writing them is a `Target`'s job (an embedded snapshot or a remote SPARQL store).

The record graphs themselves hold only what the mapper produced, so the same run gives the
same record quads in every store.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pyoxigraph as ox

from culturedata.records import Finding, MappedRecord, blank_nodes_apart

if TYPE_CHECKING:
    from culturedata.store.target import Target

PROV = "http://www.w3.org/ns/prov#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
Object = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple  # what a quad's object may be
# The pipeline's own bookkeeping terms (content hash, status), kept out of the profile.
RUN = "https://w3id.org/culturedata/ns/run#"

PUBLISHED, QUARANTINED, DELETED, TAKEN_DOWN = "Published", "Quarantined", "Deleted", "TakenDown"
# A record whose new version is quarantined while its previous, valid version stays published.
HELD = "Held"
STATUSES = (PUBLISHED, QUARANTINED, HELD, DELETED, TAKEN_DOWN)
LIVE = (PUBLISHED, QUARANTINED, HELD)  # the records a source still has
VISIBLE = (PUBLISHED, HELD)  # the records whose data is in the snapshot


def iri(term: str) -> ox.NamedNode:
    return ox.NamedNode(term)


def when(moment: datetime) -> ox.Literal:
    return ox.Literal(moment.isoformat(), datatype=iri(XSD + "dateTime"))


def integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=iri(XSD + "integer"))


def origin_node(origin: str) -> ox.NamedNode:
    """prov:wasDerivedFrom wants an entity: a URL as is, a local file as a file: IRI."""
    if urlsplit(origin).scheme in ("http", "https", "file", "urn"):
        return iri(origin)
    return iri(Path(origin).resolve().as_uri())


@dataclass(frozen=True, slots=True)
class RecordState:
    """What the system graph says about one record graph."""

    graph: str
    key: str
    source: str
    content_hash: str | None
    status: str

    @property
    def live(self) -> bool:
        """The source still has the record (published, quarantined or held)."""
        return self.status in LIVE

    @property
    def published(self) -> bool:
        return self.status == PUBLISHED

    @property
    def quarantined(self) -> bool:
        """Kept out of the snapshot, whether or not its previous version stays published."""
        return self.status in (QUARANTINED, HELD)

    @property
    def held(self) -> bool:
        """Quarantined while its previous version stays published."""
        return self.status == HELD

    @property
    def taken_down(self) -> bool:
        return self.status == TAKEN_DOWN


# What the system graph keeps of a checked record; a new value makes the next run check every
# record once again, so that records left unchanged since an older release get the facts too
# (their rules: quality and open findings are counted from them).
RECORD_FACTS = "rules"


def stored_hash(content_hash: str | None, fingerprint: str) -> str | None:
    """The hash kept for a record: its content and the definitions it went through (mapping,
    shapes, software, what is kept of it), so a new mapping re-maps records whose content did
    not change."""
    if not content_hash or not fingerprint:
        return content_hash
    return hashlib.sha256(f"{content_hash}|{fingerprint}|{RECORD_FACTS}".encode()).hexdigest()


def state_literal(status: str, content_hash: str | None, key: str) -> ox.Literal:
    """The record's state in one literal, "Status hash key", so a run reads every record's
    state with one pattern; the same facts are also stated one by one for people and SPARQL."""
    return ox.Literal(f"{status} {content_hash or '-'} {key}")


def parse_state(graph: str, text: str) -> RecordState:
    status, content_hash, key = text.split(" ", 2)
    source = key.split(":", 1)[0]
    return RecordState(graph, key, source, None if content_hash == "-" else content_hash, status)


@dataclass(slots=True)
class Batch:
    """Changes applied together: graphs emptied, system facts forgotten (all of a subject's,
    or single (subject, predicate) facts retracted), then quads added.

    Record graphs come as N-Quads text (`text`, `lines` quads in all), made from the mapper's
    N-Triples without building a term in Python; the target loads it with Oxigraph's parser,
    with the rest of the batch's additions (spool.py)."""

    drop: list[str] = field(default_factory=list)
    forget: list[str] = field(default_factory=list)
    retract: list[tuple[str, str]] = field(default_factory=list)
    quads: list[ox.Quad] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    lines: int = 0
    # The same records' N-Triples, for the default graph (merged.py); those with blank nodes apart
    # (`tied`), to be loaded in the same document as their graph (spool.py).
    triples: list[str] = field(default_factory=list)
    tied: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.drop) + len(self.forget) + len(self.retract) + len(self.quads) + self.lines

    def add_graph(self, graph: ox.NamedNode, ntriples: str) -> None:
        """A record's N-Triples, one triple a line, as quads in `graph`: each line's final
        " ." becomes " <graph> ." (a literal cannot hold a raw line break, so " .\n" only
        ends lines).

        Blank nodes: the batch is loaded as one document, where `_:b0` of two records would be
        one node, so each graph's labels get a prefix of its own first. Oxigraph gives a loaded
        document's blank nodes fresh names, so the default graph's copies of such a graph
        (`tied`) must be loaded in the same document as the graph, where the same label is the
        same node."""
        labels: dict[str, str] = {}
        ntriples = blank_nodes_apart(ntriples, _graph_prefix(graph), labels)
        self.text.append(ntriples.replace(" .\n", f" {graph} .\n"))
        (self.tied if labels else self.triples).append(ntriples)
        self.lines += ntriples.count("\n")

    def text_quads(self) -> list[ox.Quad]:
        return list(ox.parse("".join(self.text), format=ox.RdfFormat.N_QUADS)) if self.text else []


def _graph_prefix(graph: ox.NamedNode) -> str:
    """A blank-node label prefix of the graph's own, the same at every load of it."""
    return "g" + hashlib.blake2b(graph.value.encode("utf-8"), digest_size=8).hexdigest() + "-"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Who produced a source's record graphs, and under which terms."""

    system_graph: str
    run: str
    source: str
    licence: str | None = None
    publisher: str | None = None


def record_facts(
    prov: Provenance,
    graph: str,
    *,
    key: str,
    status: str,
    at: datetime,
    content_hash: str | None = None,
    origin: str | None = None,
    datestamp: datetime | None = None,
    extra: Iterable[tuple[str, ox.NamedNode | ox.Literal]] = (),
) -> list[ox.Quad]:
    """The system graph's facts about one record graph (its state and its provenance)."""
    subject, system = iri(graph), iri(prov.system_graph)
    facts: list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (RDF_TYPE, iri(PROV + "Entity")),
        (iri(DCTERMS + "identifier"), ox.Literal(key)),
        (iri(RUN + "source"), ox.Literal(prov.source)),
        (iri(RUN + "status"), iri(RUN + status)),
        (iri(RUN + "state"), state_literal(status, content_hash, key)),
    ]
    if status in LIVE:
        facts += [(iri(PROV + "generatedAtTime"), when(at)), (iri(PROV + "wasGeneratedBy"), iri(prov.run))]
        if prov.licence:
            facts.append((iri(DCTERMS + "license"), iri(prov.licence)))
        if prov.publisher:
            facts.append((iri(DCTERMS + "publisher"), iri(prov.publisher)))
    else:
        facts += [(iri(PROV + "invalidatedAtTime"), when(at)), (iri(PROV + "wasInvalidatedBy"), iri(prov.run))]
    if content_hash:
        facts.append((iri(RUN + "contentHash"), ox.Literal(content_hash)))
    if origin:
        facts.append((iri(PROV + "wasDerivedFrom"), origin_node(origin)))
    if datestamp:
        facts.append((iri(RUN + "datestamp"), when(datestamp)))
    facts += [(iri(p), o) for p, o in extra]
    return [ox.Quad(subject, p, o, system) for p, o in facts]


def source_facts(system_graph: str, subject: str, values: dict[str, ox.NamedNode | ox.Literal]) -> list[ox.Quad]:
    """Per-source or per-run facts: one subject, our own terms, PROV where PROV has one."""
    system, node = iri(system_graph), iri(subject)
    return [ox.Quad(node, iri(p if ":" in p else RUN + p), o, system) for p, o in values.items()]


_IDENTIFIER, _STATE = iri(DCTERMS + "identifier"), iri(RUN + "state")
# Per live record, the rules of its findings, one predicate per severity (`run:violation`,
# `run:warning`, `run:info`): the source's quality and open findings are counted from them
# (runstate.py) without checking unchanged records again.
FINDING_FACTS = ("violation", "warning", "info")
# What `hold` restates; the provenance of the version still published is left as it was.
_STATE_FACTS = ("status", "state", "contentHash", "rule", "reason", "heldAtTime", *FINDING_FACTS)


def finding_facts(findings: Sequence[Finding]) -> list[tuple[str, ox.Literal]]:
    """Each rule once per severity: a record counts once under a rule however often it breaks it."""
    rules = {(finding.severity.value, finding.rule) for finding in findings}
    return [(RUN + severity, ox.Literal(rule)) for severity, rule in sorted(rules)]


def _reasons(rule: str, message: dict[str, str]) -> list[tuple[str, ox.Literal]]:
    return [(RUN + "rule", ox.Literal(rule))] + [
        (RUN + "reason", ox.Literal(text, language=lang)) for lang, text in message.items()
    ]
_HASH, _DERIVED, _DATESTAMP = iri(RUN + "contentHash"), iri(PROV + "wasDerivedFrom"), iri(RUN + "datestamp")


@dataclass
class Loader:
    """Writes one source's records to a target, in batches: each record replaces exactly its
    own graph, and its state goes to the system graph. `known` is what the system graph said
    about this source's graphs before the run, so a new record costs no delete."""

    target: Target
    prov: Provenance
    at: datetime
    known: dict[str, RecordState] = field(default_factory=dict)
    fingerprint: str = ""
    # A batch is written at flush_every * 10 quads and N-Triples lines. In a run, the target holds
    # batches back (spool.py) and their size costs nothing but memory; where a batch is loaded at
    # once (it removes something, or the target does not defer), each one past the bulk threshold is
    # new SST files that RocksDB then merges into the rest: fewer, larger ones write less and cost
    # less CPU (20k records, docs/benchmarks.md: 5,000 -> 20,000 took the load from 0.70x to 0.98x
    # of bulk_load per CPU-second and the bytes written per record from 79.5 to 47.6 kB, before the
    # spool), for a batch of up to 200,000 lines held in memory.
    flush_every: int = 20_000
    loaded: int = 0
    removed: int = 0
    outcome: dict[str, str] = field(default_factory=dict)  # graph -> status after this run
    batch: Batch = field(default_factory=Batch)
    _common: list[tuple[ox.NamedNode, Object]] | None = field(default=None, repr=False)
    _system: ox.NamedNode | None = field(default=None, repr=False)
    _origins: dict[str, ox.NamedNode] = field(default_factory=dict, repr=False)

    def add(self, record: MappedRecord, findings: Sequence[Finding] = ()) -> None:
        """Publish the record; `findings` (warnings, or violations a `never` policy lets through)
        stay beside its state."""
        if record.deleted or not record.has_triples:
            self.remove(record.graph)
            return
        self._clear(record.graph, PUBLISHED)
        graph = iri(record.graph)
        self.batch.add_graph(graph, record.ntriples)
        self.batch.quads.extend(self._published_facts(graph, record))
        if findings:
            system = iri(self.prov.system_graph)
            self.batch.quads.extend(ox.Quad(graph, iri(p), o, system) for p, o in finding_facts(findings))
        self.loaded += 1
        self._maybe_flush()

    def quarantine(
        self, record: MappedRecord, rule: str, message: dict[str, str], keep_previous: bool = False,
        findings: Sequence[Finding] = (),
    ) -> bool:
        """Kept out of the snapshot, with the reason (and the rules of all its `findings`) beside
        its hash so an unchanged record stays quarantined, and counted, without being checked
        again. With `keep_previous`, a record whose last version is published keeps that
        version published (`hold`): then True."""
        before = self.known.get(record.graph)
        if keep_previous and before is not None and before.status in VISIBLE:
            self.hold(record, rule, message, findings)
            return True
        self._clear(record.graph, QUARANTINED)
        self.batch.quads.extend(record_facts(
            self.prov, record.graph, key=record.key, status=QUARANTINED, at=self.at,
            content_hash=stored_hash(record.content_hash, self.fingerprint), origin=record.origin,
            datestamp=record.datestamp, extra=[*_reasons(rule, message), *finding_facts(findings)],
        ))
        self._maybe_flush()
        return False

    def hold(self, record: MappedRecord, rule: str, message: dict[str, str], findings: Sequence[Finding] = ()) -> None:
        """The new version is quarantined, the previous one stays published with its own
        provenance: bad input must not take away what was already published. Only the
        record's state changes, and the hash is the new version's, so that an unchanged bad
        record is not checked again and a corrected one is."""
        graph = record.graph
        self.outcome[graph] = HELD
        self.batch.retract.extend((graph, RUN + name) for name in _STATE_FACTS)
        content_hash = stored_hash(record.content_hash, self.fingerprint)
        facts: list[tuple[str, ox.NamedNode | ox.Literal]] = [
            (RUN + "status", iri(RUN + HELD)),
            (RUN + "state", state_literal(HELD, content_hash, record.key)),
            (RUN + "heldAtTime", when(self.at)),
            *_reasons(rule, message),
            *finding_facts(findings),
        ]
        if content_hash:
            facts.append((RUN + "contentHash", ox.Literal(content_hash)))
        subject, system = iri(graph), iri(self.prov.system_graph)
        self.batch.quads.extend(ox.Quad(subject, iri(p), o, system) for p, o in facts)
        self._maybe_flush()

    def remove(self, graph: str, key: str | None = None, status: str = DELETED, reason: str | None = None) -> None:
        """Empty the record's graph and leave a tombstone saying why it went."""
        was_live = graph in self.known and self.known[graph].status in LIVE
        self._clear(graph, status)
        key = key or (self.known[graph].key if graph in self.known else None)
        if key is not None:
            extra = [(RUN + "reason", ox.Literal(reason))] if reason else []
            self.batch.quads.extend(record_facts(self.prov, graph, key=key, status=status, at=self.at, extra=extra))
        self.removed += was_live
        self._maybe_flush()

    def take_down(self, graph: str, key: str, reason: str) -> None:
        """Withdrawn on request (the takedown list), with the reason in its tombstone."""
        self.remove(graph, key, TAKEN_DOWN, reason)

    def unchanged(self, before: RecordState | None, content_hash: str | None) -> bool:
        """Whether the record's content, and the definitions it would go through, are those
        its stored state was made from."""
        return before is not None and before.content_hash == stored_hash(content_hash, self.fingerprint)

    def _published_facts(self, graph: ox.NamedNode, record: MappedRecord) -> list[ox.Quad]:
        """`record_facts` for a published record, with the terms every record shares built
        once: this runs for every record of a full load."""
        if self._common is None:
            sample = record_facts(self.prov, "urn:x", key="", status=PUBLISHED, at=self.at)
            per_record = {RUN + "state", DCTERMS + "identifier"}
            self._common = [(q.predicate, q.object) for q in sample if q.predicate.value not in per_record]
            self._system = iri(self.prov.system_graph)
        system = self._system
        quads = [ox.Quad(graph, p, o, system) for p, o in self._common]
        quads.append(ox.Quad(graph, _IDENTIFIER, ox.Literal(record.key), system))
        content_hash = stored_hash(record.content_hash, self.fingerprint)
        quads.append(ox.Quad(graph, _STATE, state_literal(PUBLISHED, content_hash, record.key), system))
        if content_hash:
            quads.append(ox.Quad(graph, _HASH, ox.Literal(content_hash), system))
        if record.origin:
            node = self._origins.get(record.origin)
            if node is None:
                node = self._origins[record.origin] = origin_node(record.origin)
            quads.append(ox.Quad(graph, _DERIVED, node, system))
        if record.datestamp:
            quads.append(ox.Quad(graph, _DATESTAMP, when(record.datestamp), system))
        return quads

    def flush(self) -> None:
        if len(self.batch):
            self.target.apply(self.batch)
            self.batch = Batch()

    def published(self) -> int:
        """The source's published records once this loader's changes are in."""
        return self._count(PUBLISHED)

    def held(self) -> int:
        """Quarantined records whose previous version stays published."""
        return self._count(HELD)

    def _count(self, status: str) -> int:
        kept = sum(1 for g, s in self.known.items() if s.status == status and g not in self.outcome)
        return kept + sum(1 for s in self.outcome.values() if s == status)

    def _clear(self, graph: str, status: str) -> None:
        if graph in self.known or graph in self.outcome:
            self.batch.drop.append(graph)
            self.batch.forget.append(graph)
        self.outcome[graph] = status

    def _maybe_flush(self) -> None:
        if len(self.batch.quads) + self.batch.lines >= self.flush_every * 10:
            self.flush()
