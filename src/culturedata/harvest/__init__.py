"""Harvest: turn each configured source into a stream of `SourceRecord`s.

A harvester is a function `(source, options) -> Iterator[SourceRecord]`, chosen by the
source's `kind` in `KINDS` (kinds.py), the one list of kinds: their harvesters, options, file
suffixes, whether a harvest is whole, and the mapping formats that read their records.

The front door for every caller (the CLI, the nightly job):

    harvest(source, HarvestOptions(since=None, full=False, limit=None, state_dir=Path("var/state")))

- `state_dir`: where each source keeps its state between runs (`<state_dir>/<source id>.json`:
  the OAI-PMH checkpoint after every page, the watermark of the last complete run, HTTP
  validators for conditional GET). None keeps it in memory for this run only. The CLI uses
  `config.store_path.parent / "state"`.
- `run`: the id of the run this harvest belongs to. Its state writes then wait in
  `<state_dir>/pending/<run>/` until the caller promotes them (`PendingState`) once the records
  are safe (published, written out), so a run that dies never moves the state past records
  it did not deliver. Without a run the state is written through.
- `since`: harvest what changed since this instant, instead of the stored watermark.
- `full`: forget the watermark, the checkpoint and the validators; fetch everything.
- `limit`: stop after this many records, for trying a source out: such a run neither reads
  nor writes the state, so it can never make a later run skip records. A run the caller
  leaves early does not advance the watermark (without a `run`, its checkpoint is kept, to resume;
  with one, the pending state is simply never promoted).

A file's own problems (CSV: not in its declared encoding; tables: a header that lacks the
columns the mapping reads, `with_column_findings`) come once, as a record named after the file
whose findings are of the `file` stage (filefindings.py); `is_file_record` tells it from rows.

Errors: `SourceUnavailable` (exit 3) when a source cannot be reached after the retries,
`OAIProtocolError` / `ResumptionLoop` when a server breaks the protocol, `InputError` for a
broken file, `ConfigError` for bad `options`. A single broken record is never an exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from culturedata.config import Source
from culturedata.errors import ConfigError
from culturedata.harvest.archive import read_archive, write_archive
from culturedata.harvest.checkpoint import PendingState
from culturedata.harvest.columns import with_column_findings
from culturedata.harvest.contexts import Contexts, contexts_folder
from culturedata.harvest.filefindings import file_finding, file_record, is_file_record
from culturedata.harvest.inputs import Document
from culturedata.harvest.kinds import KINDS, KINDS_BY_SUFFIX, Harvester, Kind, kind_of_file
from culturedata.harvest.rdfdump import RdfReader, repair_finding
from culturedata.harvest.rdfread import RDF_NS, Parsed, Repair, format_of_media_type, parse_rdf, rdf_format
from culturedata.records import SourceRecord

__all__ = [
    "KINDS", "KINDS_BY_SUFFIX", "RDF_NS", "Contexts", "Document", "HarvestOptions", "Harvester", "Kind", "Parsed",
    "PendingState", "RdfReader", "Repair", "contexts_folder", "file_finding", "file_record", "format_of_media_type", "harvest",
    "is_file_record", "kind_of_file", "parse_rdf", "rdf_format", "read_archive", "repair_finding",
    "with_column_findings", "write_archive",
]


@dataclass(frozen=True, slots=True)
class HarvestOptions:
    """What a run asks of a harvester beyond the source's own configuration."""

    since: datetime | None = None
    full: bool = False
    limit: int | None = None
    state_dir: Path | None = None
    run: str | None = None


def harvest(source: Source, options: HarvestOptions | None = None) -> Iterator[SourceRecord]:
    """The records of `source`, at most `options.limit` of them."""
    kind = KINDS.get(source.kind)
    if kind is None:
        raise ConfigError(
            "harvest.unknown_kind", where=source.where, kind=source.kind, known=", ".join(sorted(KINDS))
        )
    options = options or HarvestOptions()
    if options.limit is not None:
        options = replace(options, state_dir=None)
    for count, record in enumerate(kind.harvester(source, options), start=1):
        yield record
        if options.limit is not None and count >= options.limit:
            return
