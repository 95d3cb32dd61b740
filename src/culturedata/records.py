"""The values that flow through the pipeline: harvest → map → validate → store.

    SourceRecord   what a harvester yields: one record of one source, raw
    MappedRecord   what the mapper makes of it: the triples of one named graph
    Finding        one problem with one record, at any stage, in fr and en
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from pyoxigraph import Triple


class Severity(StrEnum):
    """SHACL's severities, plus the order in which they matter."""

    VIOLATION = "violation"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"violation": 3, "warning": 2, "info": 1}[self.value]


def content_hash(data: bytes) -> str:
    """The fingerprint that lets a later run skip a record that did not change."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """One record as the source gave it.

    `payload` is what the mapper reads: raw bytes (XML, JSON-LD), a dict (a CSV row, a
    JSON object). `location` says where in the provider's file the record sits ("line 12",
    an XPath) so that a finding can send a museum to the row to fix.
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

    @property
    def key(self) -> str:
        return f"{self.source_id}:{self.local_id}"

    def __repr__(self) -> str:
        flag = " [deleted]" if self.deleted else ""
        return f"<SourceRecord {self.key}{flag}>"


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

    def text(self, lang: str) -> str:
        return self.message.get(lang) or next(iter(self.message.values()), self.rule)


@dataclass(frozen=True, slots=True)
class MappedRecord:
    """The triples one source record became, to be stored as one named graph."""

    source_id: str
    local_id: str
    graph: str
    triples: tuple[Triple, ...]
    content_hash: str
    origin: str | None = None
    location: str | None = None
    datestamp: datetime | None = None
    deleted: bool = False
    findings: tuple[Finding, ...] = field(default=())

    @property
    def key(self) -> str:
        return f"{self.source_id}:{self.local_id}"

    def __repr__(self) -> str:
        return f"<MappedRecord {self.key} {len(self.triples)} triples>"
