"""The pooling stage of a run: read the snapshot being built, match, write the links.

Runs once all sources are loaded and before the snapshot is published, on the staged copy;
a run whose store is remote skips it (the pipeline says so in the report).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from culturedata import iris
from culturedata.config import Config
from culturedata.pooling.clusters import match
from culturedata.pooling.decisions import read_decisions
from culturedata.pooling.identifiers import Assignments, assign, read_assignments, write_assignments
from culturedata.pooling.publication import pooling_quads, previous_links, provenance_quads
from culturedata.pooling.reading import read_entities
from culturedata.store import Batch


@dataclass
class PoolingReport:
    entities: int = 0
    compared: int = 0
    clusters: int = 0
    linked: int = 0  # entities in a cluster
    links: dict[str, int] = field(default_factory=dict)  # rule → links
    decisions: int = 0
    seconds: float = 0.0
    review: list[dict[str, str | float]] = field(default_factory=list)
    # The clusters' IRIs as this run gave them: written by `remember_clusters` once the snapshot
    # is published, so that a run that fails later gives no cluster a name it never published.
    assignments: Assignments = field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, object]:
        figures = asdict(self)
        del figures["assignments"]
        return figures


def remember_clusters(config: Config, report: PoolingReport) -> None:
    """After publication: the cluster IRIs the published snapshot uses, kept for the next runs."""
    write_assignments(assignments_path(config), report.assignments)


def decisions_path(config: Config) -> Path:
    return config.root / config.settings.pooling.decisions


def assignments_path(config: Config) -> Path:
    """Beside the snapshots, not in one: a rollback must not give a cluster a new IRI."""
    return config.store_path / "pooling" / "clusters.json"


def pool(config: Config, store: ox.Store, apply: Callable[[Batch], None], system_graph: str,
         run_iri: str) -> PoolingReport:
    """Link the snapshot's entities; `apply` writes a batch as the run's target does."""
    started = time.monotonic()
    settings = config.settings.pooling
    base = config.base_iri
    decisions = read_decisions(decisions_path(config))
    entities = read_entities(store, base)
    matching = match(entities, settings.threshold, settings.review_floor, decisions)
    by_iri = {entity.iri: entity for entity in entities}
    authorities = {entity.iri: entity.authorities for entity in entities}
    path = assignments_path(config)
    clusters, kept = assign(base, matching.clusters, authorities, read_assignments(path))
    cluster_of = {member: cluster for cluster, members in clusters.items() for member in members}
    batch = Batch(drop=[iris.pooling_graph(base)], forget=previous_links(store, system_graph))
    batch.quads.extend(pooling_quads(base, clusters, by_iri))
    batch.quads.extend(provenance_quads(base, system_graph, run_iri, matching.links, cluster_of))
    apply(batch)
    return PoolingReport(
        entities=len(entities), compared=matching.compared, clusters=len(clusters), linked=len(cluster_of),
        links=dict(Counter(link.rule for link in matching.links).most_common()), decisions=len(decisions),
        seconds=round(time.monotonic() - started, 3),
        review=[{"left": r.left, "right": r.right, "score": r.score, "left_name": r.names[0],
                 "right_name": r.names[1], "dates": r.dates} for r in matching.review],
        assignments=kept,
    )
