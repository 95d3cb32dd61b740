"""The quarantine policy, and the files that keep quarantined records beside their reports.

Per source (`quarantine = "violation" | "warning" | "never"` in culturedata.toml):

    violation   a record with a violation is kept out of the snapshot (the default)
    warning     a record with a violation or a warning is kept out
    never       every record is published; its findings are still kept (a record that could
                not be mapped, or that reuses an id, has nothing to publish and is still kept out)

Per source, `quarantine/<source>.jsonl` holds the records kept out (with the triples they became
and every finding) and `warnings/<source>.jsonl` the published records that have findings. Each is
an append-only log (recordlog.py): a run appends the entries of the records it checked and ends
those of records it checked again without a finding or that were deleted; entries of records an
incremental run did not check stay live. A run's entries become current only when its source
finished (`commit`), so a failed or killed source leaves yesterday's entries as they were. Read
them with `logged` (or the jq line in docs/validation.md).
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import pyoxigraph as ox

from culturedata.records import MappedRecord, Severity
from culturedata.validate.recordlog import RecordLog, read_entries
from culturedata.validate.report import RecordReport, finding_dict


class Policy(StrEnum):
    VIOLATION = "violation"
    WARNING = "warning"
    NEVER = "never"

    def quarantines(self, report: RecordReport) -> bool:
        # A record that could not be mapped, or reuses an id, has nothing to publish, whatever the policy.
        if any(f.stage != "validate" and f.severity is Severity.VIOLATION for f in report.findings):
            return True
        threshold = {Policy.VIOLATION: Severity.VIOLATION, Policy.WARNING: Severity.WARNING}.get(self)
        return report.fails(threshold)


POLICIES = tuple(p.value for p in Policy)


class QuarantineLog:
    """One run's entries in the two logs of one source; `commit` makes them current."""

    def __init__(self, root: Path, source_id: str, run_id: str | None = None) -> None:
        self.run_id = run_id
        self.targets = log_paths(root, source_id)
        self._logs = {kind: RecordLog(path) for kind, path in self.targets.items()}
        self._checked: set[str] = set()

    def add(self, record: MappedRecord, report: RecordReport, quarantined: bool) -> None:
        self._checked.add(record.local_id)
        if not quarantined and not report.findings:
            return
        entry: dict[str, object] = {
            "source": record.source_id, "record": record.local_id, "location": record.location,
            "origin": record.origin, "graph": record.graph, "run": self.run_id, "quarantined": quarantined,
            "findings": [finding_dict(f) for f in report.findings],
        }
        if quarantined:
            entry["triples"] = _ntriples(record)
        self._logs["quarantine" if quarantined else "warnings"].append(record.local_id, entry)

    def commit(self, gone: set[str] | frozenset[str] = frozenset()) -> None:
        """Append this run's entries. An incremental run does not check unchanged records again,
        so their entries stay; those of records checked again (a record has at most one entry
        in each log) or `gone` (deleted) end."""
        ended = self._checked | gone
        for log in self._logs.values():
            log.commit(ended)

    def discard(self) -> None:
        for log in self._logs.values():
            log.discard()


def log_paths(root: Path, source_id: str) -> dict[str, Path]:
    """The quarantine and warnings logs of a source (`root` is the store's folder)."""
    return {
        "quarantine": root / "quarantine" / f"{source_id}.jsonl",
        "warnings": root / "warnings" / f"{source_id}.jsonl",
    }


def logged(root: Path, source_id: str, kind: str) -> list[dict[str, object]]:
    """The live entries of a source's `kind` log ("quarantine" or "warnings"), oldest first."""
    return list(read_entries(log_paths(root, source_id)[kind]))


def _ntriples(record: MappedRecord) -> str:
    if not record.triples:
        return ""
    data = ox.serialize(record.triples, format=ox.RdfFormat.N_TRIPLES)
    assert data is not None  # no output file given: pyoxigraph returns the bytes
    return data.decode("utf-8")
