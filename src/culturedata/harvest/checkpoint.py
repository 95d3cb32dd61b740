"""What a harvest remembers between runs: one small JSON file per source in a state folder.

    {
      "watermark": "2024-06-10T18:30:00+00:00",   start of the last complete run (server clock)
      "run": {...},                                 the unfinished run: resumption token, page…
      "http": {"<url>": {"etag": …, "last_modified": …}}   validators for conditional GET
    }

Every change is written to a temporary file then moved over the old one (`os.replace`),
so a crash leaves either the old state or the new one, never half of each. Without a state
folder (`HarvestOptions.state_dir=None`) the state lives in memory for one run only.
"""

from __future__ import annotations

import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from culturedata.errors import InputError


class Checkpoint:
    """The state of one source. Read once when created; every setter writes through."""

    def __init__(self, directory: Path | None, source_id: str) -> None:
        self.path = directory / f"{source_id}.json" if directory is not None else None
        self._data: dict[str, Any] = self._read()

    def _read(self) -> dict[str, Any]:
        if self.path is None or not self.path.exists():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError("harvest.bad_state", path=self.path, detail=exc) from exc
        return data if isinstance(data, dict) else {}

    def _write(self) -> None:
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=self.path.name, suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(self._data, handle, indent=2, ensure_ascii=False, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

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
