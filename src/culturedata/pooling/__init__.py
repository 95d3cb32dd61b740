"""Pooling: one thing across sources. The persons and organisations that several sources
describe are linked, by shared authority ids (`culturedata/authorities.py`), then by names, dates and
places (`names.py`, `candidates.py`, `scoring.py`), under the steward's decisions
(`decisions.py`), into clusters with stable IRIs (`clusters.py`, `identifiers.py`), written
beside the records' graphs (`publication.py`). Runs after load, before publish (`stage.py`);
then the snapshot's search index is written inside it (`searchindex.py`)."""

from culturedata.authorities import canonical
from culturedata.pooling.clusters import Link, Matching, Review, match
from culturedata.pooling.decisions import FILE_NAME, Decisions, read_decisions
from culturedata.pooling.entities import KINDS, ORGANISATION, PERSON, Entity
from culturedata.pooling.scoring import CONFLICT_CAP, Score, score
from culturedata.pooling.searchindex import (
    FACET_KINDS,
    MAX_QUERY,
    Facet,
    Hit,
    Results,
    SearchIndex,
    as_entity,
    build_index,
    ensure_index,
    local_name,
    query_entity,
    words,
)
from culturedata.pooling.stage import PoolingReport, assignments_path, decisions_path, pool, remember_clusters

__all__ = [
    "CONFLICT_CAP", "FACET_KINDS", "FILE_NAME", "KINDS", "MAX_QUERY", "ORGANISATION", "PERSON", "Decisions", "Entity", "Facet", "Hit",
    "Link", "Matching", "PoolingReport", "Results", "Review", "Score", "SearchIndex", "assignments_path",
    "as_entity", "build_index", "canonical", "ensure_index", "local_name", "query_entity", "decisions_path", "match", "pool", "read_decisions", "remember_clusters", "score", "words",
]
