"""Paths of the validation test fixtures, and the arguments that point the command at them."""

from __future__ import annotations

from pathlib import Path

from shareddata import SHARED_DATA

FIXTURES = Path(__file__).parent / "fixtures"
SHAPES = FIXTURES / "shapes"
VOCAB = FIXTURES / "vocab"
MAPPING = FIXTURES / "objects.yaml"
GOOD = FIXTURES / "exports" / "good.csv"
BAD = FIXTURES / "exports" / "bad.csv"
ROOT = Path(__file__).resolve().parents[2]
SHARED = SHARED_DATA
CDS = "https://w3id.org/culturedata/shapes/"


def fixture_args(*extra: str | Path) -> list[str | Path]:
    return ["--mapping", MAPPING, "--shapes", SHAPES, "--vocabularies", VOCAB, *extra]
