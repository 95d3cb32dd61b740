"""What a harvest remembers between runs: one small JSON file per source in a state folder.

    {
      "watermark": "2024-06-10T18:30:00+00:00",   start of the last complete run (server clock)
      "run": {...},                                 the unfinished run: resumption token, page…
      "http": {"<url>": {"etag": …, "last_modified": …}}   validators for conditional GET
    }

A state that moves on before the records it accounts for are safe makes the next run skip
them: a run killed after the watermark moved, but before its snapshot was published, would
lose its records for good. So a harvest that belongs to a run (`HarvestOptions.run`) writes
its state aside, in `<state folder>/pending/<run>/<source id>.json`, and the caller promotes
it (`PendingState.promote`) once the records are published; a dead run's pending state is
thrown away when the next run begins. Inside a run the pending state is read back (an
OAI-PMH resumption token still resumes within the run); a position left in the durable file
(by an older version, or by a harvest without a run) is ignored by a run, since nothing
says its records were published. A harvest without a run writes through, as before.

Every change is written to a temporary file then moved over the old one (`os.replace`),
so a crash leaves either the old state or the new one, never half of each. Without a state
folder (`HarvestOptions.state_dir=None`) the state lives in memory for one run only.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from culturedata.errors import InputError

if TYPE_CHECKING:
    from culturedata.harvest import HarvestOptions

PENDING = "pending"


class Checkpoint:
    """The state of one source. Read once when created; every setter writes through (to the
    run's pending file when there is a run)."""

    def __init__(self, directory: Path | None, source_id: str, run: str | None = None) -> None:
        self.path = directory / f"{source_id}.json" if directory is not None else None
        self.pending = directory / PENDING / run / f"{source_id}.json" if directory and run else None
        self._data: dict[str, Any] = self._read()

    @classmethod
    def of(cls, options: HarvestOptions, source_id: str) -> Checkpoint:
        """The state a harvest with these options reads and writes."""
        return cls(options.state_dir, source_id, options.run)

    def _read(self) -> dict[str, Any]:
        if self.pending is not None and self.pending.exists():
            return _load(self.pending)
        data = _load(self.path) if self.path is not None else {}
        if self.pending is not None:
            data.pop("run", None)  # a position whose records nothing says were published
        return data

    def _write(self) -> None:
        path = self.pending or self.path
        if path is not None:
            _save(path, self._data)

    @property
    def watermark(self) -> datetime | None:
        value = self._data.get("watermark")
        return datetime.fromisoformat(value) if value else None

    @property
    def run(self) -> dict[str, Any] | None:
        """The unfinished run's position, or None when the last run completed."""
        return self._data.get("run")

    def save_run(self, run: dict[str, Any]) -> None:
        self._data["run"] = run
        self._write()

    def complete(self, watermark: datetime | None) -> None:
        """Forget the run's position and remember where the next incremental run starts."""
        self._data.pop("run", None)
        if watermark is not None:
            self._data["watermark"] = watermark.isoformat()
        self._write()

    def reset(self) -> None:
        """A full harvest: forget the position and the watermark (validators are kept)."""
        self._data.pop("run", None)
        self._data.pop("watermark", None)
        self._write()

    def validators(self, url: str) -> dict[str, str]:
        return dict(self._data.get("http", {}).get(url, {}))

    def save_validators(self, url: str, validators: dict[str, str]) -> None:
        self._data.setdefault("http", {})[url] = validators
        self._write()


@dataclass(frozen=True, slots=True)
class PendingState:
    """The state writes of one run (`directory/pending/<run>/`), held back until its records
    are safe. One run at a time uses a state folder (the run lock sees to it)."""

    directory: Path
    run: str

    @property
    def folder(self) -> Path:
        return self.directory / PENDING / self.run

    def begin(self, source_ids: Iterable[str] | None = None) -> None:
        """Forget what dead runs left pending (for these sources, or all): their records never
        reached a published snapshot. `culturedata harvest` names its source, since another
        one may be harvesting another source into the same folder."""
        if source_ids is None:
            shutil.rmtree(self.directory / PENDING, ignore_errors=True)
            return
        for source_id in source_ids:
            for stale in self.directory.glob(f"{PENDING}/*/{source_id}.json"):
                stale.unlink(missing_ok=True)
                with contextlib.suppress(OSError):  # another source's harvest still uses it
                    stale.parent.rmdir()

    def promote(self, source_ids: Iterable[str]) -> None:
        """Make these sources' pending state the state the next run starts from; the rest of
        the run's pending state (failed or refused sources) is dropped."""
        moved = False
        for source_id in source_ids:
            pending = self.folder / f"{source_id}.json"
            if pending.exists():
                os.replace(pending, self.directory / f"{source_id}.json")
                moved = True
        if moved:
            _sync_folder(self.directory)
        self.discard()

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _load(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError("harvest.bad_state", path=path, detail=exc) from exc
    return data if isinstance(data, dict) else {}


def _save(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2, ensure_ascii=False, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _sync_folder(folder: Path) -> None:
    """The renames themselves survive a power cut only once the folder is flushed."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
