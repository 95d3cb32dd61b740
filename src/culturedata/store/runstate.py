"""What a run leaves in the system graph besides its records' states: each source's harvest
state and each run's figures, a PROV-O activity; and what a source's live records say of its
quality (`source_quality`).

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
from culturedata.store import loader
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


# A source's live records, and the rules they keep (`loader.FINDING_FACTS`), in the system graph.
_LIVE = f"""PREFIX run: <{RUN}>
SELECT (COUNT(?g) AS ?live) (SUM(?broken) AS ?violating) WHERE {{
  GRAPH <{{system}}> {{
    ?g run:source {{source}} ; run:status ?status . FILTER(?status IN ({", ".join("run:" + s for s in loader.LIVE)}))
  }}
  BIND(IF(EXISTS {{ GRAPH <{{system}}> {{ ?g run:violation ?rule }} }}, 1, 0) AS ?broken)
}}"""
_RULES = f"""PREFIX run: <{RUN}>
SELECT ?rule (COUNT(DISTINCT ?g) AS ?records) WHERE {{
  GRAPH <{{system}}> {{
    ?g run:source {{source}} ; run:status ?status ; ?severity ?rule .
    FILTER(?status IN ({", ".join("run:" + s for s in loader.LIVE)}))
    FILTER(?severity IN ({", ".join("run:" + name for name in loader.FINDING_FACTS)}))
  }}
}} GROUP BY ?rule"""


@dataclass(frozen=True, slots=True)
class SourceQuality:
    """A source's live records (published, quarantined or held) as the store holds them, the
    ones a run did not touch included: how many there are, how many have a violation, and per
    rule how many have a finding (any severity) of that rule."""

    live: int = 0
    violating: int = 0
    rules: dict[str, int] = field(default_factory=dict)

    @property
    def quality(self) -> float:
        """The share of live records without a violation (1 for a source with none)."""
        return (self.live - self.violating) / self.live if self.live else 1.0


def source_quality(target: Target, source: str) -> SourceQuality:
    """Counted from the rules each record keeps in the system graph (`Loader`), by the store:
    the answer is a few rows per rule, whatever the number of records."""

    def query(template: str) -> list[dict[str, str]]:
        return target.select(template.replace("{system}", target.system_graph).replace("{source}", str(ox.Literal(source))))

    [totals] = query(_LIVE)
    rules = {row["rule"]: int(row["records"]) for row in query(_RULES)}
    ordered = dict(sorted(rules.items(), key=lambda item: (-item[1], item[0])))
    return SourceQuality(int(totals.get("live", 0)), int(totals.get("violating", 0)), ordered)


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
