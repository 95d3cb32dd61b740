"""One run at a time: a lock file saying who holds it, cleared safely when its holder died.

The file holds the pid, the host name and the start time, and, where /proc tells them (Linux),
the process's identity: the boot it runs in, its start time in clock ticks after boot, and its
command line. A lock is stale, and taken over, when its process is gone (a crashed or killed
run) or when the process now behind its pid is not the run that wrote it: another boot,
another start time or another command line (the pid was reused, often by an unrelated
process after a reboot). A lock written without that identity (by an older culturedata) is
stale when its process is not a culturedata command at all. A lock from another host is never
guessed about, since a shared store directory there may still be in use.
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

PROC = Path("/proc")


@dataclass(frozen=True)
class Process:
    """Who is behind a pid, as /proc tells it: what a reused pid cannot fake."""

    boot: str
    start: int  # clock ticks after boot (field 22 of /proc/<pid>/stat)
    command: list[str]

    @classmethod
    def of(cls, pid: int | str) -> Process | None:
        """`pid`'s identity; None without /proc, or for a process gone or hidden from us."""
        try:
            boot = (PROC / "sys/kernel/random/boot_id").read_text(encoding="ascii").strip()
            stat = (PROC / str(pid) / "stat").read_text(encoding="utf-8", errors="replace")
            command = (PROC / str(pid) / "cmdline").read_bytes()
        except OSError:
            return None
        try:  # the name in parentheses may hold spaces and parentheses: split after its last one
            start = int(stat.rsplit(")", 1)[1].split()[19])
        except (IndexError, ValueError):
            return None
        return cls(boot, start, [arg.decode("utf-8", "replace") for arg in command.split(b"\0") if arg])


@dataclass
class RunLock:
    path: Path
    taken_over: dict[str, object] | None = None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.release()

    def acquire(self) -> None:
        mine: dict[str, object] = {
            "pid": os.getpid(), "host": socket.gethostname(), "started": datetime.now(UTC).isoformat(),
        }
        me = Process.of("self")
        if me is not None:
            mine.update(boot=me.boot, start=me.start, command=me.command)
        # Written whole beside the lock, then linked into place: a lock is never seen half-written
        # while its writer lives, so an unreadable one is always a dead writer's.
        draft = self.path.with_name(f"{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            draft.write_text(json.dumps(mine), encoding="utf-8")
        except OSError as exc:  # a full disk: leave no half-written draft behind
            draft.unlink(missing_ok=True)
            raise StoreError("store.unwritable", path=self.path.parent, detail=exc.strerror or exc) from exc
        try:
            for _ in range(2):
                try:
                    os.link(draft, self.path)
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
                return
        finally:
            draft.unlink(missing_ok=True)
        raise StoreError("store.locked", path=self.path, pid="?", host="?", started="?")

    def release(self) -> None:
        holder = self.holder()
        if holder is not None and holder.get("pid") == os.getpid():
            self.path.unlink(missing_ok=True)

    def holder(self) -> dict[str, object] | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # unreadable or half-written: its writer died before finishing
        return data if isinstance(data, dict) else None


def is_stale(holder: dict[str, object]) -> bool:
    """Whether the run that wrote `holder` is over: its process gone, or its pid now another process's."""
    if holder.get("host") != socket.gethostname():
        return False
    pid = holder.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # alive, owned by someone else: /proc says whose
    if _is_zombie(pid):
        return True
    now = Process.of(pid)
    if now is None:
        return False  # no /proc to ask: a live pid is taken for the run
    if "start" in holder:
        recorded = (holder.get("boot"), holder.get("start"), holder.get("command"))
        return recorded != (now.boot, now.start, now.command)
    # Written by an older culturedata, which recorded no identity: at least it was culturedata.
    return not any("culturedata" in arg for arg in now.command)


def _is_zombie(pid: int) -> bool:
    try:
        return (PROC / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False
