"""The takedown list: records kept out of publication whatever their source sends.

It lives beside the snapshots (not inside one), so a rollback or a restore never forgets it;
a rollback applies it to the snapshot it goes back to (rollback.py), and every run applies
it to what it harvests. Written whole to a temporary file and renamed, never half-written.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from culturedata.errors import StoreError


@dataclass(frozen=True, slots=True)
class Takedown:
    key: str  # "source:local id"
    reason: str
    at: str


@dataclass(frozen=True)
class Takedowns:
    path: Path

    def load(self) -> dict[str, Takedown]:
        if not self.path.is_file():
            return {}
        try:
            entries = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise StoreError("store.takedown_unreadable", path=self.path, detail=exc) from exc
        return {e["key"]: Takedown(**e) for e in entries}

    def add(self, key: str, reason: str) -> Takedown:
        entries = self.load()
        entry = Takedown(key, reason, datetime.now(UTC).isoformat(timespec="seconds"))
        entries[key] = entry
        self._save(entries)
        return entry

    def remove(self, key: str) -> bool:
        entries = self.load()
        found = entries.pop(key, None) is not None
        self._save(entries)
        return found

    def _save(self, entries: dict[str, Takedown]) -> None:
        temporary = self.path.with_suffix(".tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(
                json.dumps([asdict(e) for e in entries.values()], ensure_ascii=False, indent=2), encoding="utf-8"
            )
            os.replace(temporary, self.path)
        except OSError as exc:
            raise StoreError("store.unwritable", path=self.path.parent, detail=exc) from exc
