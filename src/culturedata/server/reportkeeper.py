"""The validation page's reports, kept a short while for their downloads.

A person who checked a large export then asks for its report as CSV, JSON or HTML; posting
the file again would check it again. So the page keeps the *report* (never the file) under an
unguessable token for `TTL` seconds, within a byte budget: the oldest go first when a new one
does not fit, and a report larger than the whole budget is not kept (its page says so).

They are kept in a folder, pickled and compressed, one file per token: `culturedata serve
--processes N` answers the download from whichever process accepts it, so the report cannot
live in the memory of the one that checked it. Compressed, a report is small (its findings
repeat the same messages: 100,000 rows with half a million findings take about 8 MB) and its
bytes are counted exactly. Only our own processes write that folder, which nobody else can
read (mode 0700), so unpickling it is safe. The token is random, not signed: it names nothing,
and nothing can be learnt from it. A file is written under a temporary name and renamed, so
a reader never sees half of one.
"""

from __future__ import annotations

import os
import pickle
import secrets
import shutil
import tempfile
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the server starts without the validation wing; the first upload loads it
    from culturedata.validate import ExportReport

TTL = 15 * 60
BUDGET = 64_000_000
_SUFFIX = ".report"


@dataclass(frozen=True)
class Kept:
    packed: bytes
    filename: str

    def report(self) -> ExportReport:
        report: ExportReport = pickle.loads(zlib.decompress(self.packed))  # noqa: S301 (our own folder)
        return report


class ReportKeeper:
    """Reports under tokens in `folder` (a private temporary one of its own when not given,
    removed by `close`)."""

    def __init__(self, folder: Path | None = None, budget: int = BUDGET, ttl: float = TTL) -> None:
        self.budget, self.ttl = budget, ttl
        self._owned = folder is None
        self.folder = Path(tempfile.mkdtemp(prefix="culturedata-reports-")) if folder is None else folder

    def keep(self, report: ExportReport, filename: str) -> str | None:
        """A token for this report, or None when it is larger than the whole budget.
        Seconds of CPU for a large report: call it off the event loop."""
        name = filename.encode("utf-8")
        packed = len(name).to_bytes(2, "big") + name[:65535] + zlib.compress(
            pickle.dumps(report, protocol=pickle.HIGHEST_PROTOCOL), 1)
        if len(packed) > self.budget:
            return None
        self._make_room(len(packed))
        token = secrets.token_urlsafe(24)
        fd, temporary = tempfile.mkstemp(dir=self.folder, prefix=".")
        with os.fdopen(fd, "wb") as out:
            out.write(packed)
        os.replace(temporary, self.folder / f"{token}{_SUFFIX}")
        return token

    def get(self, token: str) -> Kept | None:
        if not token or not all(char.isalnum() or char in "-_" for char in token):
            return None  # a token is ours, never a path
        path = self.folder / f"{token}{_SUFFIX}"
        try:
            if path.stat().st_mtime + self.ttl <= time.time():
                path.unlink(missing_ok=True)
                return None
            data = path.read_bytes()
        except OSError:
            return None
        length = int.from_bytes(data[:2], "big")
        return Kept(data[2 + length:], data[2:2 + length].decode("utf-8", "replace"))

    @property
    def used(self) -> int:
        return sum(size for _, size, _ in self._files())

    def close(self) -> None:
        if self._owned:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _make_room(self, size: int) -> None:
        """Expired reports out, then the oldest until `size` more bytes fit the budget.
        Processes may do this at once: a file another one removed first is simply gone."""
        now, files = time.time(), sorted(self._files(), key=lambda item: item[2])
        used = sum(size for _, size, _ in files)
        for path, length, written in files:
            if written + self.ttl > now and used + size <= self.budget:
                continue
            path.unlink(missing_ok=True)
            used -= length

    def _files(self) -> list[tuple[Path, int, float]]:
        found = []
        for path in self.folder.glob(f"*{_SUFFIX}"):
            try:
                stat = path.stat()
            except OSError:
                continue
            found.append((path, stat.st_size, stat.st_mtime))
        return found
