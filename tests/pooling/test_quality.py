"""Pooling's quality on labelled pairs from real museum data (labelled-pairs.csv, self-contained:
built from ../shared/data by build_labelled_pairs.py, which says how each pair's truth is known).
The matcher sees names and years only, never the ids that labelled the pair."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from culturedata.config import PoolingSection
from culturedata.pooling import PERSON, Entity, match

PAIRS = Path(__file__).with_name("labelled-pairs.csv")


@dataclass(frozen=True)
class Pair:
    same: bool
    left: Entity
    right: Entity


def _year(text: str) -> int | None:
    return int(text) if text.strip() else None


def read_pairs() -> list[Pair]:
    lines = [line for line in PAIRS.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    pairs = []
    for row in csv.DictReader(lines):
        left, right = (Entity(row[f"{side}_id"], PERSON, (row[f"{side}_name"],), _year(row[f"{side}_born"]),
                              _year(row[f"{side}_died"])) for side in ("left", "right"))
        pairs.append(Pair(row["same"] == "1", left, right))
    return pairs


def quality(pairs: list[Pair], threshold: float) -> tuple[float, float]:
    """Precision and recall on the labelled pairs, the matcher run over all their entities at once
    (so blocking is measured too)."""
    entities = list({e.iri: e for pair in pairs for e in (pair.left, pair.right)}.values())
    result = match(entities, threshold, threshold)
    cluster = {member: n for n, members in enumerate(result.clusters) for member in members}
    found = [p for p in pairs if p.left.iri in cluster and cluster[p.left.iri] == cluster.get(p.right.iri)]
    true_found = sum(p.same for p in found)
    precision = true_found / len(found) if found else 1.0
    recall = true_found / sum(p.same for p in pairs)
    return precision, recall


def test_the_set_is_big_enough_and_has_both_kinds() -> None:
    pairs = read_pairs()
    assert len(pairs) >= 300
    assert sum(p.same for p in pairs) >= 150 and sum(not p.same for p in pairs) >= 150


def test_precision_and_recall_at_the_default_threshold() -> None:
    precision, recall = quality(read_pairs(), PoolingSection().threshold)
    assert precision >= 0.98, precision
    assert recall >= 0.90, recall


def test_a_threshold_of_zero_links_the_hard_non_matches_so_the_measure_can_fail() -> None:
    precision, _ = quality(read_pairs(), 0.0)
    assert precision < 0.98
