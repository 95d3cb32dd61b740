"""The candidate pairs worth a link or the steward's look, scored: in this process, or, when
asked, in worker processes.

Blocks are independent (candidates.py): each worker takes a share of them, balanced by the
pairs they hold, and sends back only the pairs that scored from the floor up, as indexes and
scores. A pair two workers both meet (its names share keys that went to different workers) is
scored twice and kept once. The union-find and the steward's decisions stay in the caller.

The stage scores in one process: at a million entities two workers were measured slower on
this 2-core machine (docs/benchmarks.md, pooling, round 4: 223 s wall and 153 CPU s against
150 s and 129 s), sending them the entities and merging what they find costing more than the
second core gave.
"""

from __future__ import annotations

import multiprocessing
import pickle
from collections.abc import Sequence
from typing import NamedTuple

from culturedata.authorities import authority_of
from culturedata.pooling.candidates import blocks, candidate_pairs
from culturedata.pooling.entities import Entity
from culturedata.pooling.scoring import CONFLICT_CAP, conflicting, score


class PairScore(NamedTuple):
    left: int  # indexes in the entities scored
    right: int
    value: float
    dates: str
    alone: bool  # the name alone (scoring.Score.alone)


def scored_pairs(entities: Sequence[Entity], floor: float, workers: int = 1) -> tuple[list[PairScore], int]:
    """The candidate pairs scoring `floor` or more, each once, and how many candidate pairs were met."""
    groups = list(blocks(entities).values())
    if workers <= 1:
        return _score(entities, groups, floor)
    context = multiprocessing.get_context("spawn")  # never fork a process that may run threads
    # Pickled once here, not once per worker: sending the bytes twice is a copy, pickling twice is not.
    sent = pickle.dumps(list(entities), protocol=pickle.HIGHEST_PROTOCOL)
    with context.Pool(workers, initializer=_receive, initargs=(sent,)) as pool:
        parts = pool.starmap(_score_share, [(share, floor) for share in _shares(groups, workers)])
    found: dict[tuple[int, int], PairScore] = {}
    for pairs, _ in parts:
        for pair in pairs:
            found.setdefault((pair.left, pair.right), pair)
    return sorted(found.values()), sum(met for _, met in parts)


def _shares(groups: list[list[int]], workers: int) -> list[list[list[int]]]:
    """The blocks dealt out, biggest first, each to the share with the fewest pairs so far."""
    shares: list[list[list[int]]] = [[] for _ in range(workers)]
    load = [0] * workers
    for group in sorted(groups, key=len, reverse=True):
        least = load.index(min(load))
        shares[least].append(group)
        load[least] += len(group) * (len(group) - 1) // 2
    return shares


_ENTITIES: list[Entity] = []  # a worker's copy, received once


def _receive(sent: bytes) -> None:
    global _ENTITIES
    _ENTITIES = pickle.loads(sent)


def _score_share(groups: list[list[int]], floor: float) -> tuple[list[PairScore], int]:
    return _score(_ENTITIES, groups, floor)


def _score(entities: Sequence[Entity], groups: list[list[int]], floor: float) -> tuple[list[PairScore], int]:
    found: list[PairScore] = []
    met = 0
    # A pair whose dates or towns conflict scores at most CONFLICT_CAP: under the floor, its names need no reading.
    skip_conflicts = floor > CONFLICT_CAP
    for i, j in candidate_pairs(entities, groups):
        met += 1
        left, right = entities[i], entities[j]
        if skip_conflicts and conflicting(left, right):
            continue
        if (left.authorities and right.authorities and not left.authorities & right.authorities
                and _comparable(left, right)):
            continue  # both carry an id of one authority, and the ids differ: two things
        result = score(left, right)
        if result.value >= floor:
            found.append(PairScore(i, j, result.value, result.dates, result.alone))
    return found, met


def _comparable(left: Entity, right: Entity) -> frozenset[str]:
    """`left`'s ids from an authority `right` also has an id of: ids that could have agreed."""
    theirs = {authority_of(iri) for iri in right.authorities}
    return frozenset(iri for iri in left.authorities if authority_of(iri) in theirs)
