"""What a run leaves in the system graph besides its records' states: each source's harvest
state and each run's figures, a PROV-O activity.

The pipeline decides what happened; this module says how it is written, so that the server's
dashboard, `culturedata status` and the next run read the same triples whoever wrote them.
"""

from __future__ import annotations

import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import pyoxigraph as ox

from culturedata import iris
from culturedata.store.loader import PROV, RUN, XSD, Batch, integer, iri, source_facts, when
from culturedata.store.target import Target

Value = ox.NamedNode | ox.Literal


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a record was quarantined, as stored when it was checked (the English text)."""

    rule: str | None
    message: str | None


def quarantine_reason(target: Target, graph: str) -> Reason:
    facts = target.subject_facts(graph)
    return Reason(facts.get(RUN + "rule"), facts.get(RUN + "reason"))


@dataclass(frozen=True, slots=True)
class SourceState:
    """A source's harvest state (subject `iris.source_state`): when its last published harvest
    started (`watermark`), whether it was full, how many records came, how the last run went."""

    subject: str
    watermark: datetime | None = None
    mode: str | None = None  # "full" or "incremental"
    harvested: int | None = None
    outcome: str = "ok"  # or "failed", "refused"

    @classmethod
    def read(cls, target: Target, subject: str) -> SourceState:
        facts = target.subject_facts(subject)
        watermark, harvested = facts.get(RUN + "watermark"), facts.get(RUN + "lastHarvested")
        return cls(
            subject,
            watermark=datetime.fromisoformat(watermark) if watermark else None,
            mode=facts.get(RUN + "harvestMode"),
            harvested=int(harvested) if harvested is not None else None,
            outcome=facts.get(RUN + "lastOutcome", "ok"),
        )

    def published(self, system_graph: str, harvest_started: datetime, full: bool, harvested: int) -> Batch:
        """The state after a run that published the source's changes."""
        values: dict[str, Value] = {
            "watermark": when(harvest_started),
            "harvestMode": ox.Literal("full" if full else "incremental"),
            "lastHarvested": integer(harvested),
            "lastOutcome": ox.Literal("ok"),
        }
        return Batch(forget=[self.subject], quads=source_facts(system_graph, self.subject, values))

    def kept(self, system_graph: str, outcome: str) -> Batch:
        """A failed or refused source keeps its harvest state; only the outcome changes."""
        values: dict[str, Value] = {"lastOutcome": ox.Literal(outcome)}
        if self.watermark is not None:
            values["watermark"] = when(self.watermark)
        if self.mode is not None:
            values["harvestMode"] = ox.Literal(self.mode)
        if self.harvested is not None:
            values["lastHarvested"] = integer(self.harvested)
        return Batch(forget=[self.subject], quads=source_facts(system_graph, self.subject, values))


@dataclass(frozen=True, slots=True)
class SourceFigures:
    """One source's line of a run: its counts (name → number, written in this order), how
    it ended, how long it took."""

    source: str
    counts: dict[str, int] = field(default_factory=dict)
    outcome: str = "ok"
    seconds: float = 0.0


def run_facts(
    system_graph: str, run_iri: str, started: datetime, ended: datetime, version: str,
    sources: Iterable[SourceFigures],
) -> Batch:
    """The run as RDF: the run is a prov:Activity, each source's figures hang off it."""
    batch = Batch()
    batch.quads += source_facts(system_graph, run_iri, {
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#type": iri(PROV + "Activity"),
        PROV + "startedAtTime": when(started),
        PROV + "endedAtTime": when(ended),
        "softwareVersion": ox.Literal(f"culturedata {version}"),
        "host": ox.Literal(socket.gethostname()),
    })
    for figures in sources:
        node = iris.run_source(run_iri, figures.source)
        values: dict[str, Value] = {name: integer(count) for name, count in figures.counts.items()}
        values["sourceId"] = ox.Literal(figures.source)
        values["outcome"] = ox.Literal(figures.outcome)
        values["seconds"] = ox.Literal(str(figures.seconds), datatype=iri(XSD + "decimal"))
        batch.quads += source_facts(system_graph, node, values)
        batch.quads += source_facts(system_graph, run_iri, {"sourceReport": iri(node)})
    return batch
