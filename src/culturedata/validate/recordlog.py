"""An append-only JSON Lines log of entries about records, which runs extend and never rewrite whole.

    <name>.jsonl       a header line, then entries and tombstones, appended run after run
    <name>.jsonl.idx   the log's committed size, and where each record's live entry is (offset, length)

A run appends its entries after the committed end, then a tombstone (`{"record": id, "gone": true}`)
for each record whose entry stopped being live without a new one, flushes the log to disk and
replaces the index by a rename: that rename is the commit. The newest entry of a record supersedes
its older ones. Readers go through the index (`read_entries`), so they see committed entries only.

Kill-safety: a run killed before its rename leaves bytes past the committed size, which the next
writer cuts off (and a discarded run at once); a log is created together with its index, so it is
never without one. When the log grows past COMPACT_AFTER times its live entries' size it is copied,
live entries only and streaming, to a new file with a new generation in its header line, then
renamed over the log: an index left from before that rename names the old generation and is rebuilt
from the log by reading it once (as is the index of a log written before logs had one).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

COMPACT_AFTER = 3  # the log's size over its live entries' size
COMPACT_MIN = 1 << 20  # bytes: a small log is not worth a rewrite
HEADER_KEY = "culturedata-log"
INDEX_VERSION = 1


@dataclass
class Index:
    generation: str | None
    size: int  # committed bytes of the log, its header included
    live: dict[str, tuple[int, int]] = field(default_factory=dict)  # record -> (offset, length)
    rebuilt: bool = False  # made by reading the log: not on disk yet

    def live_bytes(self) -> int:
        return sum(length for _, length in self.live.values())


def index_path(log: Path) -> Path:
    return log.with_name(log.name + ".idx")


def read_index(log: Path) -> Index:
    """The committed state of `log`: its index when it belongs to this log, else the log read once."""
    if not log.exists():
        return Index(None, 0)
    generation = _generation(log)
    try:
        data = json.loads(index_path(log).read_text(encoding="utf-8"))
        if data["version"] == INDEX_VERSION and data["generation"] == generation and \
                data["size"] <= log.stat().st_size:
            live = {str(record): (int(at[0]), int(at[1])) for record, at in data["live"].items()}
            return Index(generation, int(data["size"]), live)
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        pass  # missing, damaged or another generation's: the log itself says what is live
    return _rebuilt(log, generation)


def read_entries(log: Path) -> Iterator[dict[str, object]]:
    """The live entries of `log`, oldest first."""
    index = read_index(log)
    if not index.live:
        return
    with open(log, "rb") as handle:
        for offset, length in sorted(index.live.values()):
            handle.seek(offset)
            entry = json.loads(handle.read(length))
            if isinstance(entry, dict):
                yield entry


class RecordLog:
    """One run's writes to one log: `append`, then `commit` (or `discard`)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._index: Index | None = None
        self._handle: IO[bytes] | None = None
        self._added: dict[str, tuple[int, int]] = {}
        self._end = 0

    def append(self, record: str, entry: dict[str, object]) -> None:
        handle = self._open()
        line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
        handle.write(line)
        self._added[record] = (self._end, len(line))
        self._end += len(line)

    def commit(self, ended: Set[str]) -> None:
        """Make this run's entries current; the live entries of `ended` records this run wrote
        nothing for stop being live. Nothing is read or written when there is nothing to do."""
        if self._handle is None and not (ended and self.path.exists()):
            return
        index = self._loaded()
        dropped = [record for record in ended & index.live.keys() if record not in self._added]
        if not self._added and not dropped:
            self.discard()
            return
        handle = self._open()
        for record in dropped:
            line = (json.dumps({"record": record, "gone": True}, ensure_ascii=False) + "\n").encode("utf-8")
            handle.write(line)
            self._end += len(line)
        handle.flush()
        os.fsync(handle.fileno())
        handle.close()
        self._handle = None
        live = {record: at for record, at in index.live.items() if record not in ended}
        live.update(self._added)
        self._index = Index(index.generation, self._end, live)
        self._added = {}
        if not live:
            # Nothing kept: no file, as readers expect. Without its log, an index means nothing.
            self.path.unlink(missing_ok=True)
            index_path(self.path).unlink(missing_ok=True)
            self._index = None
            return
        _write_index(self.path, self._index)
        if self._end > COMPACT_MIN and self._end > COMPACT_AFTER * self._index.live_bytes():
            self._index = _compact(self.path, self._index)

    def discard(self) -> None:
        """Forget this run's entries: the log ends where its last commit left it."""
        if self._handle is not None and self._index is not None:
            self._handle.truncate(self._index.size)
            self._handle.close()
        self._handle = None
        self._added = {}

    def _loaded(self) -> Index:
        if self._index is None:
            self._index = read_index(self.path)
        return self._index

    def _open(self) -> IO[bytes]:
        if self._handle is not None:
            return self._handle
        index = self._loaded()
        if not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            index = self._index = _create(self.path)
        elif index.rebuilt:
            # Written before anything is appended: else a run killed after appending would
            # leave a log whose uncommitted tail the next rebuild takes for committed.
            _write_index(self.path, index)
            index.rebuilt = False
        handle = open(self.path, "r+b")  # noqa: SIM115 closed in commit or discard
        handle.truncate(index.size)  # what a killed run appended past its last commit
        handle.seek(index.size)
        self._handle, self._end = handle, index.size
        return handle


def _header(generation: str) -> bytes:
    return (json.dumps({HEADER_KEY: 1, "generation": generation}) + "\n").encode("utf-8")


def _generation(log: Path) -> str | None:
    """The generation named in the log's header line (None: a log written before logs had one)."""
    with open(log, "rb") as handle:
        first = handle.readline(4096)
    try:
        header = json.loads(first)
    except ValueError:
        return None
    found = header.get("generation") if isinstance(header, dict) and HEADER_KEY in header else None
    return found if isinstance(found, str) else None


def _rebuilt(log: Path, generation: str | None) -> Index:
    index = Index(generation, 0, rebuilt=True)
    with open(log, "rb") as handle:
        for line in handle:
            if not line.endswith(b"\n"):
                break  # cut short by a kill: never committed
            try:
                entry = json.loads(line)
            except ValueError:
                entry = None  # a damaged line names no record
            record = entry.get("record") if isinstance(entry, dict) else None
            if isinstance(record, str):
                if entry.get("gone"):
                    index.live.pop(record, None)
                else:
                    index.live[record] = (index.size, len(line))
            index.size += len(line)
    return index


def _create(log: Path) -> Index:
    """An empty log and its index, committed before any entry is appended."""
    generation = uuid.uuid4().hex
    header = _header(generation)
    with open(log, "wb") as handle:
        handle.write(header)
        handle.flush()
        os.fsync(handle.fileno())
    index = Index(generation, len(header))
    _write_index(log, index)
    return index


def _write_index(log: Path, index: Index) -> None:
    target = index_path(log)
    temporary = target.with_name(target.name + ".partial")
    data = {"version": INDEX_VERSION, "generation": index.generation, "size": index.size,
            "live": {record: list(at) for record, at in index.live.items()}}
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target)


def _compact(log: Path, index: Index) -> Index:
    """The live entries alone, copied in their order to a new generation of the log."""
    generation = uuid.uuid4().hex
    header = _header(generation)
    compacted = Index(generation, len(header))
    temporary = log.with_name(log.name + ".compact")
    with open(log, "rb") as old, open(temporary, "wb") as new:
        new.write(header)
        for record, (offset, length) in sorted(index.live.items(), key=lambda item: item[1][0]):
            old.seek(offset)
            new.write(old.read(length))
            compacted.live[record] = (compacted.size, length)
            compacted.size += length
        new.flush()
        os.fsync(new.fileno())
    os.replace(temporary, log)  # killed here, the old index names the old generation: rebuilt
    _write_index(log, compacted)
    return compacted
