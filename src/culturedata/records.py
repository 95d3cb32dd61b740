"""The values that flow through the pipeline: harvest → map → validate → store.

    SourceRecord   what a harvester yields: one record of one source, raw
    MappedRecord   what the mapper makes of it: the triples of one named graph (as pyoxigraph
                   terms, or as N-Triples text parsed only when someone asks for the terms)
    Finding        one problem with one record, at any stage, in fr and en
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pyoxigraph import RdfFormat, Triple, parse, serialize

if TYPE_CHECKING:
    from lxml import etree


class Severity(StrEnum):
    """SHACL's severities, plus the order in which they matter."""

    VIOLATION = "violation"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"violation": 3, "warning": 2, "info": 1}[self.value]


ID_SEPARATOR = "|"


def composite_id(parts: list[str]) -> str:
    """The local id of a record identified by several values (`id_field = ["PageUrl", "EventDate"]`):
    the values in order, each with `%` and `|` percent-encoded, joined by `|`. Unambiguous
    (split on `|`, then decode) and readable, since URLs and dates rarely hold either."""
    return ID_SEPARATOR.join(part.replace("%", "%25").replace("|", "%7C") for part in parts)


def content_hash(data: bytes) -> str:
    """The fingerprint that lets a later run skip a record that did not change."""
    return hashlib.sha256(data).hexdigest()


@dataclass(slots=True)
class SourceRecord:
    """One record as the source gave it; read-only by convention.

    `payload` is what the mapper reads: raw bytes (XML, JSON-LD), a dict (a CSV row, a
    JSON object). `location` says where in the provider's file the record sits ("line 12",
    an XPath) so that a finding can send a museum to the row to fix.

    `tree` is the payload already parsed, when the harvester had to parse it anyway (an XML
    dump's record, `harvest/xmlsplit.py`): a standalone element, its own document, parsed
    from `payload` with the settings the mapper would use, so that mapping it is mapping the
    payload (tests/harvest/test_xmlsplit.py) without a second parse. It is left out of
    comparisons, `repr` and pickles (another process parses the payload again, as it would
    without it); the bytes stay the record's content (its hash, the archive, the quarantine).

    Not `frozen`: a frozen dataclass sets each field through `object.__setattr__`, which
    makes building one five times slower (1 µs instead of 0.2), and harvesters build one
    per record.
    """

    source_id: str
    local_id: str
    payload: bytes | dict[str, Any]
    media_type: str
    content_hash: str
    datestamp: datetime | None = None
    deleted: bool = False
    origin: str | None = None
    location: str | None = None
    # Problems the harvester found (a record past a limit, see harvest/limits.py): a record
    # with a violation here is reported and quarantined instead of mapped.
    findings: tuple[Finding, ...] = ()
    tree: etree._Element | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.source_id}:{self.local_id}"

    def __repr__(self) -> str:
        flag = " [deleted]" if self.deleted else ""
        return f"<SourceRecord {self.key}{flag}>"

    def __getstate__(self) -> tuple[Any, ...]:
        # An lxml element cannot be pickled: a record crossing to another process goes as bytes.
        return tuple(None if name == "tree" else getattr(self, name) for name in self.__slots__)

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        for name, value in zip(self.__slots__, state, strict=True):
            setattr(self, name, value)


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem with a record. `rule` is a stable id (a shape IRI, or a code like 'unmappable')."""

    stage: str
    severity: Severity
    rule: str
    message: dict[str, str]
    source_id: str
    local_id: str
    focus: str | None = None
    path: str | None = None
    value: str | None = None
    location: str | None = None
    component: str | None = None  # the SHACL constraint component, for sh:ValidationReport
    # How many records checked together describe `focus` when several do (a shared venue, its
    # address, a person): each of them is reported for it (validate/shared.py). 0: this record only.
    shared_by: int = 0
    # Where in the provider's export the value is: the source column(s) it was read from (several
    # joined by "/"), a JSON pointer or an element path; None when no part of the export gives it.
    column: str | None = None

    def text(self, lang: str) -> str:
        return self.message.get(lang) or next(iter(self.message.values()), self.rule)


# The rules of culturedata's own stages whose severity a source may tune (`[sources.severities]`,
# docs/configuration.md). Not tunable: the rules of a record that has nothing to publish
# (`unmappable`, `duplicate-id`, the harvest limits), and the profile's shapes, whose severity
# is the profile's own (`sh:severity`): lowering one per source would publish what the profile refuses.
TUNABLE_RULES = (
    "identity-collision", "lookup-ambiguous", "lookup-miss", "missing-field", "naive-datetime", "unknown-context",
    "unreadable-value",
)
IGNORE = "ignore"  # a tuned severity that drops the finding
TUNED_SEVERITIES = (*(s.value for s in Severity), IGNORE)


def tuned(findings: tuple[Finding, ...], severities: dict[str, str]) -> tuple[Finding, ...]:
    """`findings` with the severities a source set for their rules; `ignore` drops a finding.
    Only findings of culturedata's own stages (not `validate`) are tuned."""
    if not severities or not findings:
        return findings
    out = []
    for finding in findings:
        wanted = severities.get(finding.rule) if finding.stage != "validate" else None
        if wanted == IGNORE:
            continue
        out.append(finding if wanted is None or wanted == finding.severity else replace(finding, severity=Severity(wanted)))
    return tuple(out)


class NTriples(str):
    """A record's graph written as N-Triples: one triple a line, no duplicate lines.

    The mapping engine writes its output this way because building pyoxigraph terms one by
    one in Python costs more than the rest of the mapping; the store and the validators load
    the text with Oxigraph's own parser instead."""

    __slots__ = ()


def blank_nodes_apart(text: str, prefix: str, labels: dict[str, str] | None = None) -> str:
    """The N-Triples `text` with its blank nodes' labels prefixed by `prefix`.

    A blank node's label means something only inside the document that holds it: two records
    read apart (two JSON-LD pages, two records of an RDF dump) may both say `_:b0` for two
    different nodes. Wherever several records are parsed as one document (a validation batch,
    a batch of the store's writes), each record's labels are prefixed first, so that no two
    records share a node. `labels`, when given, receives each new label and the record's own.
    Subjects and predicates hold no space, so a line is "subject predicate object ."."""
    if "_:" not in text:
        return text
    lines = []
    for line in text.splitlines(keepends=True):
        subject, predicate, rest = line.split(" ", 2)
        if subject.startswith("_:"):
            subject = _prefixed(subject, prefix, labels)
        if rest.startswith("_:"):
            node, tail = rest.split(" ", 1)
            rest = f"{_prefixed(node, prefix, labels)} {tail}"
        lines.append(f"{subject} {predicate} {rest}")
    return "".join(lines)


def _prefixed(node: str, prefix: str, labels: dict[str, str] | None) -> str:
    new = prefix + node[2:]
    if labels is not None:
        labels[new] = node[2:]
    return "_:" + new


_new, _set = object.__new__, object.__setattr__


class _Triples:
    """The `triples` field of a MappedRecord: given as terms or as `NTriples` text, read as
    terms (the text parsed once, on first read). A plain attribute to every caller."""

    def __get__(self, record: Any, owner: type | None = None) -> tuple[Triple, ...]:
        if record is None:
            raise AttributeError("triples")  # no default: dataclasses treat the field as required
        state: dict[str, Any] = record.__dict__
        triples: tuple[Triple, ...] | None = state.get("_triples")
        if triples is None:
            text: NTriples | None = state["_text"]
            triples = tuple(q.triple for q in parse(text, format=RdfFormat.N_TRIPLES)) if text else ()
            state["_triples"] = triples
        return triples

    def __set__(self, record: Any, value: tuple[Triple, ...] | NTriples) -> None:
        state: dict[str, Any] = record.__dict__
        if isinstance(value, NTriples):
            state["_text"], state["_triples"] = value, None
        else:
            state["_text"], state["_triples"] = None, tuple(value)


@dataclass(frozen=True)
class MappedRecord:
    """The triples one source record became, to be stored as one named graph.

    `triples` may be given as a tuple of pyoxigraph triples or as `NTriples` text (what the
    mapping engine gives); either way it reads as a tuple of triples. Code on the hot path
    reads `ntriples` and `has_triples` instead, which never build terms."""

    source_id: str
    local_id: str
    graph: str
    triples: _Triples = _Triples()  # read as tuple[Triple, ...]; set from terms or NTriples
    # mypy takes the descriptor for a default; dataclasses do not (its class access raises
    # AttributeError), so `content_hash` is a required field as it should be.
    content_hash: str  # type: ignore[misc]
    origin: str | None = None
    location: str | None = None
    datestamp: datetime | None = None
    deleted: bool = False
    findings: tuple[Finding, ...] = field(default=())

    @property
    def key(self) -> str:
        return f"{self.source_id}:{self.local_id}"

    @classmethod
    def of_text(cls, source_id: str, local_id: str, graph: str, text: NTriples, content_hash: str,
                origin: str | None, location: str | None, datestamp: datetime | None, deleted: bool,
                findings: tuple[Finding, ...]) -> MappedRecord:
        """The record `MappedRecord(...)` makes from `NTriples`, the same attributes in the same
        order (so equal, hashed and pickled alike), without the frozen `__init__`'s
        `object.__setattr__` per field: 1.7 µs against 0.5, and the mapper makes one a record."""
        record = _new(cls)
        _set(record, "__dict__", {
            "source_id": source_id, "local_id": local_id, "graph": graph, "_text": text, "_triples": None,
            "content_hash": content_hash, "origin": origin, "location": location, "datestamp": datestamp,
            "deleted": deleted, "findings": findings,
        })
        return record

    @property
    def ntriples(self) -> NTriples:
        """The graph as N-Triples text (written from the terms when the record was given terms)."""
        state: dict[str, Any] = self.__dict__
        text: NTriples | None = state["_text"]
        if text is None:
            triples: tuple[Triple, ...] = state["_triples"]
            # Without an output, serialize returns the bytes; its stub also allows None.
            data = (serialize(triples, format=RdfFormat.N_TRIPLES) or b"") if triples else b""
            text = NTriples(data.decode("utf-8"))
            state["_text"] = text
        return text

    @property
    def has_triples(self) -> bool:
        text = self.__dict__["_text"]
        return bool(text) if text is not None else bool(self.__dict__["_triples"])

    @property
    def triple_count(self) -> int:
        text = self.__dict__["_text"]
        return text.count("\n") if text is not None else len(self.__dict__["_triples"])

    def __repr__(self) -> str:
        return f"<MappedRecord {self.key} {self.triple_count} triples>"
