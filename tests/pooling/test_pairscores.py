"""Scoring the candidate pairs across worker processes finds what one process finds."""

from __future__ import annotations

import sys
from pathlib import Path

from culturedata.pooling.pairscores import scored_pairs

sys.path.insert(0, str(Path(__file__).parent))
from test_quality import read_pairs  # noqa: E402  (the labelled set's persons and organisations)


def test_two_worker_processes_score_the_same_pairs_as_one() -> None:
    entities = list({e.iri: e for pair in read_pairs() for e in (pair.left, pair.right)}.values())
    alone, met = scored_pairs(entities, 0.75, workers=1)
    shared, met_shared = scored_pairs(entities, 0.75, workers=2)
    assert alone and sorted(alone) == shared
    assert met_shared >= met  # a pair whose keys went to both workers is met twice, kept once
