"""The quarantine policy, and the files that keep quarantined records beside their reports.

Per source (`quarantine = "violation" | "warning" | "never"` in culturedata.toml):

    violation   a record with a violation is kept out of the snapshot (the default)
    warning     a record with a violation or a warning is kept out
    never       every record is published; its findings are still kept (a record that could
                not be mapped, or that reuses an id, has nothing to publish and is still kept out)

Each run rewrites, per source, `quarantine/<source>.jsonl` (the records kept out, with the
triples they became and every finding) and `warnings/<source>.jsonl` (the published records
that have findings); entries of records an incremental run did not check again are kept. Files are written beside the store and swapped in only when the source
finished, so a failed source leaves yesterday's files as they were.
"""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path
from typing import IO

import pyoxigraph as ox

from culturedata.records import MappedRecord, Severity
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
    """Writes the two JSON Lines files of one source for one run; `commit` makes them current."""

    def __init__(self, root: Path, source_id: str, run_id: str | None = None) -> None:
        self.run_id = run_id
        self.targets = {
            "quarantine": root / "quarantine" / f"{source_id}.jsonl",
            "warnings": root / "warnings" / f"{source_id}.jsonl",
        }
        self._files: dict[str, IO[str]] = {}
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
        self._file("quarantine" if quarantined else "warnings").write(json.dumps(entry, ensure_ascii=False) + "\n")

    def _file(self, kind: str) -> IO[str]:
        if kind not in self._files:
            target = self.targets[kind]
            target.parent.mkdir(parents=True, exist_ok=True)
            self._files[kind] = open(_partial(target), "w", encoding="utf-8")  # noqa: SIM115 closed in commit
        return self._files[kind]

    def commit(self, gone: set[str] | frozenset[str] = frozenset()) -> None:
        """Swap the new files in. An incremental run does not check unchanged records again, so
        yesterday's entries of records neither checked this run nor `gone` (deleted) are kept."""
        for kind, target in self.targets.items():
            carried = [line for line in _lines(target) if _record_of(line) not in self._checked | gone]
            if carried:
                self._file(kind).writelines(carried)
            handle = self._files.pop(kind, None)
            if handle is None:
                target.unlink(missing_ok=True)
                continue
            handle.close()
            os.replace(_partial(target), target)

    def discard(self) -> None:
        for kind, handle in list(self._files.items()):
            handle.close()
            _partial(self.targets[kind]).unlink(missing_ok=True)
        self._files.clear()


def _lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines(keepends=True)
    except FileNotFoundError:
        return []


def _record_of(line: str) -> str | None:
    try:
        record: str | None = json.loads(line).get("record")  # written by this module: a key or null
        return record
    except ValueError:
        return None  # a damaged line is not carried over


def _partial(target: Path) -> Path:
    return target.with_name(target.name + ".partial")


def _ntriples(record: MappedRecord) -> str:
    if not record.triples:
        return ""
    data = ox.serialize(record.triples, format=ox.RdfFormat.N_TRIPLES)
    assert data is not None  # no output file given: pyoxigraph returns the bytes
    return data.decode("utf-8")
