"""Run reports beside the snapshots: `reports/run-<id>.json`, one per published run.

`culturedata status`, the dashboard and the next run's differences read the newest
`run-*.json` as the latest run, so a report takes that name only once its run is published.
Until then it waits as `.run-<id>.pending.json` (written whole, then renamed): a run whose
publication fails discards it, and a run killed before or after publishing leaves it for the
next run to settle, under the run lock: named if its snapshot is the one served, deleted if not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from culturedata.errors import StoreError

PENDING = ".run-{id}.pending.json"
PUBLISHED = "run-{id}.json"


@dataclass(frozen=True, slots=True)
class RunReports:
    folder: Path

    def stage(self, run_id: str, text: str) -> None:
        """Write a run's report, not yet read as a run's: it becomes one with `publish`."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.folder / f".run-{run_id}.json.tmp"
            temporary.write_text(text, encoding="utf-8")
            temporary.replace(self._pending(run_id))
        except OSError as exc:
            raise StoreError("store.unwritable", path=self.folder, detail=exc.strerror or exc) from exc

    def publish(self, run_id: str) -> Path:
        """The run is published: its report is now the latest run's."""
        final = self.folder / PUBLISHED.format(id=run_id)
        try:
            self._pending(run_id).replace(final)
        except OSError as exc:
            raise StoreError("store.unwritable", path=self.folder, detail=exc.strerror or exc) from exc
        return final

    def discard(self, run_id: str) -> None:
        """The run published nothing: no report says it did."""
        self._pending(run_id).unlink(missing_ok=True)

    def settle(self, served: Callable[[str], bool]) -> None:
        """Name or delete the reports that killed runs left pending; `served(id)` says whether
        the snapshot `id` is the one served (its run died after publishing)."""
        if not self.folder.is_dir():
            return
        try:
            for pending in self.folder.glob(PENDING.format(id="*")):
                run_id = pending.name.removeprefix(".run-").removesuffix(".pending.json")
                if served(run_id):
                    pending.replace(self.folder / PUBLISHED.format(id=run_id))
                else:
                    pending.unlink(missing_ok=True)
        except OSError as exc:
            raise StoreError("store.unwritable", path=self.folder, detail=exc.strerror or exc) from exc

    def _pending(self, run_id: str) -> Path:
        return self.folder / PENDING.format(id=run_id)
