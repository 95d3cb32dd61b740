"""Problems with a whole file (its encoding, its columns), said once rather than on every row.

The reports are made of records, so a file's problem travels as a record of its own: named
after the file, with no payload, carrying findings of the `file` stage. Reports list `file`
findings first; a violation among them quarantines that record alone (the rows are read and
reported as usual), and keeps `culturedata validate` from calling the export conforming.
"""

from __future__ import annotations

from typing import Any

from culturedata.messages import both
from culturedata.records import Finding, Severity, SourceRecord, content_hash

STAGE = "file"


def file_name(origin: str) -> str:
    """What a person calls the file: its last path segment (and the member, in a zip archive)."""
    outer, _, member = origin.partition("!")
    name = outer.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1] or outer
    return f"{name}!{member}" if member else name


def file_finding(source_id: str, origin: str, code: str, rule: str, severity: Severity, path: str | None = None,
                 **params: Any) -> Finding:
    """A finding about the file `origin`; its message gets the file's name as `{file}`."""
    name = file_name(origin)
    return Finding(stage=STAGE, severity=severity, rule=rule, message=both(code, file=name, **params),
                   source_id=source_id, local_id=name, path=path)


def file_record(source_id: str, origin: str, media_type: str, findings: tuple[Finding, ...]) -> SourceRecord:
    """The record that carries `findings` about the file `origin` into the reports."""
    name = file_name(origin)
    marker = "|".join((origin, *(f"{f.rule}:{f.path}" for f in findings))).encode("utf-8", "surrogatepass")
    return SourceRecord(source_id=source_id, local_id=name, payload={}, media_type=media_type,
                        content_hash=content_hash(marker), origin=origin, findings=findings)


def is_file_record(record: SourceRecord) -> bool:
    return bool(record.findings) and all(f.stage == STAGE for f in record.findings) and not record.payload
