"""One run at a time: a lock file saying who holds it, cleared safely when its holder died.

The file holds the pid, the host name and the start time. A lock whose pid no longer runs on
this host is stale (a crashed or killed run) and is taken over; a lock from another host is
never guessed about, since a shared store directory there may still be in use.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from culturedata.errors import StoreError


@dataclass
class RunLock:
    path: Path
    taken_over: dict | None = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.release()

    def acquire(self) -> None:
        mine = {"pid": os.getpid(), "host": socket.gethostname(), "started": datetime.now(UTC).isoformat()}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError("store.unwritable", path=self.path.parent, detail=exc) from exc
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = self.holder()
                if holder is not None and not is_stale(holder):
                    raise StoreError(
                        "store.locked", path=self.path, pid=holder.get("pid"), host=holder.get("host"),
                        started=holder.get("started"),
                    ) from None
                self.taken_over = holder or {}
                self.path.unlink(missing_ok=True)
                continue
            except OSError as exc:
                raise StoreError("store.unwritable", path=self.path.parent, detail=exc) from exc
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump(mine, out)
            except OSError as exc:  # a full disk: leave no half-written lock behind
                self.path.unlink(missing_ok=True)
                raise StoreError("store.unwritable", path=self.path.parent, detail=exc.strerror or exc) from exc
            return
        raise StoreError("store.locked", path=self.path, pid="?", host="?", started="?")

    def release(self) -> None:
        holder = self.holder()
        if holder is not None and holder.get("pid") == os.getpid():
            self.path.unlink(missing_ok=True)

    def holder(self) -> dict | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # unreadable or half-written: its writer died before finishing
        return data if isinstance(data, dict) else None


def is_stale(holder: dict) -> bool:
    if holder.get("host") != socket.gethostname():
        return False
    pid = holder.get("pid")
    if not isinstance(pid, int):
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, owned by someone else
    return _is_zombie(pid)


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z")
    except (OSError, IndexError):
        return False
