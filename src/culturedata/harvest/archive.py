"""A harvest written to a folder, to be inspected or replayed: batches of records + a manifest.

    <out>/records-00001.jsonl   one JSON object per record (1000 a file), payload as text
    <out>/manifest.json         source, options, counts, the files, and whether the run completed

`write_archive` writes the manifest even when the harvest fails (with `"complete": false`
and the error's code), so what was fetched before the failure stays readable. The manifest
says `"complete": false` from the first record on and `true` only once every record is on
disk, so a harvest killed half-way never leaves an archive (or an older one's manifest in
the same folder) that claims to be whole; record files of an earlier archive in the folder
are removed first.
`read_archive` gives the `SourceRecord`s back, unchanged, with the findings of those a limit
refused (limits.py); a line that does not read back is an `InputError` naming its file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from culturedata.errors import CultureDataError, InputError
from culturedata.records import Finding, Severity, SourceRecord

BATCH = 1000


@dataclass(slots=True)
class ArchiveSummary:
    records: int = 0
    deleted: int = 0
    files: list[dict[str, Any]] = field(default_factory=list)


def write_archive(
    records: Iterable[SourceRecord], out: Path, about: dict[str, Any],
    progress: Callable[[int], None] | None = None,
) -> ArchiveSummary:
    out.mkdir(parents=True, exist_ok=True)
    summary = ArchiveSummary()
    manifest: dict[str, Any] = {**about, "started": now(), "complete": False}
    _write_manifest(out, {**manifest, "records": 0, "deleted": 0, "files": []})
    for stale in out.glob("records-*.jsonl"):
        stale.unlink()
    handle: IO[str] | None = None
    try:
        for record in records:
            if summary.records % BATCH == 0:
                if handle:
                    _close_synced(handle)
                name = f"records-{len(summary.files) + 1:05d}.jsonl"
                summary.files.append({"file": name, "first": summary.records + 1, "count": 0})
                handle = (out / name).open("w", encoding="utf-8")
            assert handle is not None
            handle.write(json.dumps(as_json(record), ensure_ascii=False) + "\n")
            summary.records += 1
            summary.deleted += record.deleted
            summary.files[-1]["count"] += 1
            if progress:
                progress(summary.records)
        if handle:
            _close_synced(handle)
            handle = None
        manifest["complete"] = True
    except CultureDataError as exc:
        manifest["error"] = {"code": exc.code, "message": str(exc)}
        raise
    finally:
        if handle:
            handle.close()
        manifest.update(finished=now(), records=summary.records, deleted=summary.deleted, files=summary.files)
        _write_manifest(out, manifest)
    return summary


def _close_synced(handle: IO[str]) -> None:
    """The last batch reaches the disk before the manifest says the archive is whole."""
    handle.flush()
    os.fsync(handle.fileno())
    handle.close()


def _write_manifest(out: Path, manifest: dict[str, Any]) -> None:
    # Beside it then renamed over it: a kill while writing leaves the old manifest, never half of one.
    temporary = out / ".manifest.json.tmp"
    temporary.write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, out / "manifest.json")


def read_archive(out: Path) -> Iterator[SourceRecord]:
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError("harvest.unreadable", path=out / "manifest.json", detail=exc) from exc
    for entry in manifest["files"]:
        path = out / entry["file"]
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, start=1):
                try:
                    data = json.loads(line)
                except (ValueError, RecursionError) as exc:  # RecursionError: nested too deep
                    raise InputError("harvest.unreadable", path=path, detail=f"line {number}: {exc}") from exc
                yield from_json(data)


def as_json(record: SourceRecord) -> dict[str, Any]:
    payload = record.payload
    return {
        "source": record.source_id,
        "id": record.local_id,
        "datestamp": record.datestamp.isoformat() if record.datestamp else None,
        "deleted": record.deleted,
        "media_type": record.media_type,
        "origin": record.origin,
        "location": record.location,
        "hash": record.content_hash,
        "payload": payload.decode("utf-8", errors="replace") if isinstance(payload, bytes) else payload,
        **({"findings": [asdict(f) for f in record.findings]} if record.findings else {}),
    }


def from_json(data: dict[str, Any]) -> SourceRecord:
    payload = data["payload"]
    return SourceRecord(
        source_id=data["source"],
        local_id=data["id"],
        payload=payload.encode("utf-8") if isinstance(payload, str) else payload,
        media_type=data["media_type"],
        content_hash=data["hash"],
        datestamp=datetime.fromisoformat(data["datestamp"]) if data["datestamp"] else None,
        deleted=data["deleted"],
        origin=data["origin"],
        location=data["location"],
        findings=tuple(Finding(**{**f, "severity": Severity(f["severity"])}) for f in data.get("findings", ())),
    )


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
