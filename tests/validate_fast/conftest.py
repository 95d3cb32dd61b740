"""Shared helpers for comparing the fast engine with pySHACL."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

from culturedata.config import load_config
from culturedata.errors import CultureDataError, ShapesError
from culturedata.harvest import HarvestOptions, harvest
from culturedata.mapping import MappingContext, load_mapping, map_records
from culturedata.records import MappedRecord
from culturedata.validate import PyshaclValidator, load_shapes
from culturedata.validate.fast import FastValidator
from culturedata.validate.report import RecordReport
from shareddata import SHARED_DATA

REPO = Path(__file__).resolve().parents[2]
SHARED = SHARED_DATA


def finding_set(reports: Sequence[RecordReport]) -> Counter:
    return Counter(
        (r.source_id, r.local_id, f.severity, f.rule, tuple(sorted(f.message.items())), f.focus, f.path, f.value)
        for r in reports for f in r.findings
    )


@pytest.fixture(scope="session")
def shipped_shapes():
    try:
        return load_shapes()
    except ShapesError as exc:
        pytest.skip(f"no shipped shapes yet: {exc}")


@pytest.fixture(scope="session")
def validators(shipped_shapes):
    return PyshaclValidator(shipped_shapes), FastValidator(shipped_shapes)


def demo_records() -> list[MappedRecord]:
    config = load_config(REPO / "culturedata.toml")
    records: list[MappedRecord] = []
    for source in config.sources:
        try:
            mapping = load_mapping(source.mapping)
            context = MappingContext.for_source(config.base_iri, source.id, source.language)
            records += [r for r in map_records(mapping, harvest(source, HarvestOptions()), context) if r.triples]
        except CultureDataError:
            # A demo source whose mapping or harvester is still being written elsewhere: the
            # comparison runs on the sources that do map.
            continue
    return records
