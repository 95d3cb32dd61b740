"""Harvest: turn each configured source into a stream of `SourceRecord`s.

A harvester is a function `(source, options) -> Iterator[SourceRecord]`, chosen by the
source's `kind` in `HARVESTERS`; the order and names are visible here, not in strings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from culturedata.config import Source
from culturedata.errors import ConfigError
from culturedata.harvest.tabular import harvest_csv
from culturedata.harvest.xmldump import harvest_xml
from culturedata.records import SourceRecord

__all__ = ["HARVESTERS", "HarvestOptions", "harvest"]


@dataclass(frozen=True, slots=True)
class HarvestOptions:
    """What a run asks of a harvester beyond the source's own configuration."""

    since: datetime | None = None
    full: bool = False
    limit: int | None = None
    state_dir: Path | None = None  # where a harvester keeps its checkpoint and watermark per source


Harvester = Callable[[Source, HarvestOptions], Iterator[SourceRecord]]

HARVESTERS: dict[str, Harvester] = {
    "csv": harvest_csv,
    "xml": harvest_xml,
}


def harvest(source: Source, options: HarvestOptions | None = None) -> Iterator[SourceRecord]:
    """The records of `source`, at most `options.limit` of them."""
    harvester = HARVESTERS.get(source.kind)
    if harvester is None:
        raise ConfigError(
            "harvest.unknown_kind", where=source.where, kind=source.kind, known=", ".join(sorted(HARVESTERS))
        )
    options = options or HarvestOptions()
    for count, record in enumerate(harvester(source, options), start=1):
        yield record
        if options.limit is not None and count >= options.limit:
            return
