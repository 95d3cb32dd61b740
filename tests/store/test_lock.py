"""The run lock: one run at a time, a dead holder's lock is taken over."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from culturedata.errors import StoreError
from culturedata.store import RunLock


def test_a_second_lock_is_refused_while_the_first_is_held(tmp_path: Path) -> None:
    path = tmp_path / "run.lock"
    with RunLock(path):
        holder = json.loads(path.read_text())
        assert holder["pid"] == os.getpid() and holder["host"] == socket.gethostname()
        with pytest.raises(StoreError, match="Another run holds the lock"):
            RunLock(path).acquire()
    assert not path.exists()


def test_the_lock_of_a_dead_process_is_stale(tmp_path: Path) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(finished.stdout)
    path = tmp_path / "run.lock"
    path.write_text(json.dumps({"pid": dead, "host": socket.gethostname(), "started": "then"}))
    lock = RunLock(path)
    lock.acquire()
    assert lock.taken_over == {"pid": dead, "host": socket.gethostname(), "started": "then"}
    lock.release()


def test_a_lock_from_another_host_is_never_guessed_about(tmp_path: Path) -> None:
    path = tmp_path / "run.lock"
    path.write_text(json.dumps({"pid": 1, "host": "elsewhere.example", "started": "then"}))
    with pytest.raises(StoreError):
        RunLock(path).acquire()


def test_a_half_written_lock_is_stale(tmp_path: Path) -> None:
    path = tmp_path / "run.lock"
    path.write_text('{"pid": ')
    with RunLock(path):
        assert json.loads(path.read_text())["pid"] == os.getpid()


# A lock is stale when its pid now belongs to another process than the run that wrote it.


@pytest.fixture
def unrelated() -> Iterator[subprocess.Popen[bytes]]:
    """A live process that is no culturedata run: what a reused pid often points at."""
    process = subprocess.Popen(["sleep", "120"])
    yield process
    process.kill()
    process.wait()


def started_ticks(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])


def boot_id() -> str:
    return Path("/proc/sys/kernel/random/boot_id").read_text().strip()


def write_lock(path: Path, pid: int, **identity: object) -> dict:
    holder = {"pid": pid, "host": socket.gethostname(), "started": "2026-01-01T02:00:00+00:00", **identity}
    path.write_text(json.dumps(holder))
    return holder


linux = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process identities come from Linux's /proc")


@linux
def test_the_lock_records_who_holds_it(tmp_path: Path) -> None:
    with RunLock(tmp_path / "run.lock"):
        holder = json.loads((tmp_path / "run.lock").read_text())
    assert holder["boot"] == boot_id() and holder["start"] == started_ticks(os.getpid())
    assert holder["command"] == Path("/proc/self/cmdline").read_bytes().decode().rstrip("\0").split("\0")
    assert list(tmp_path.iterdir()) == []  # nor a draft left behind


@linux
def test_a_pid_reused_by_another_process_is_stale(tmp_path: Path, unrelated: subprocess.Popen[bytes]) -> None:
    path = tmp_path / "run.lock"
    # The run that wrote the lock started earlier than the process now behind its pid.
    run = {"boot": boot_id(), "start": started_ticks(unrelated.pid) - 1, "command": ["/usr/bin/culturedata", "run"]}
    holder = write_lock(path, unrelated.pid, **run)
    lock = RunLock(path)
    lock.acquire()
    assert lock.taken_over == holder
    lock.release()


@linux
def test_a_pid_reused_after_a_reboot_is_stale(tmp_path: Path) -> None:
    path = tmp_path / "run.lock"
    # Our own pid, start time and command line, but in another boot: no process survives a reboot.
    mine = {"start": started_ticks(os.getpid()), "command": ["/usr/bin/culturedata", "run"], "boot": "another-boot"}
    write_lock(path, os.getpid(), **mine)
    with RunLock(path) as lock:
        assert lock.taken_over is not None and lock.taken_over["boot"] == "another-boot"


@linux
def test_an_old_lock_is_stale_when_its_pid_is_no_culturedata_command(
    tmp_path: Path, unrelated: subprocess.Popen[bytes]
) -> None:
    path = tmp_path / "run.lock"
    write_lock(path, unrelated.pid)  # as culturedata wrote locks before it recorded identities
    with RunLock(path) as lock:
        assert lock.taken_over is not None and lock.taken_over["pid"] == unrelated.pid
    runner = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)", "culturedata", "run"])
    try:
        write_lock(path, runner.pid)
        with pytest.raises(StoreError, match="Another run holds the lock"):
            RunLock(path).acquire()
    finally:
        runner.kill()
        runner.wait()


HOLD = """
import sys, time
from collections.abc import Iterator
from pathlib import Path
from culturedata.store import RunLock
RunLock(Path(sys.argv[1])).acquire()
print("held", flush=True)
time.sleep(120)
"""


def test_a_run_in_another_process_keeps_its_lock_until_it_dies(tmp_path: Path) -> None:
    path = tmp_path / "run.lock"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        with pytest.raises(StoreError, match="Another run holds the lock"):
            RunLock(path).acquire()
    finally:
        holder.kill()  # SIGKILL: the lock stays behind, as after a crash
        holder.wait()
    with RunLock(path) as lock:
        assert lock.taken_over is not None and lock.taken_over["pid"] == holder.pid


@linux
def test_a_stale_lock_on_a_reused_pid_does_not_block_a_run(  # type: ignore[no-untyped-def]
    cli, demo_project: Path, unrelated: subprocess.Popen[bytes]
) -> None:
    path = demo_project / "var/store/run.lock"
    path.parent.mkdir(parents=True)
    run = {"boot": boot_id(), "start": started_ticks(unrelated.pid) - 1, "command": ["/usr/bin/culturedata", "run"]}
    write_lock(path, unrelated.pid, **run)
    outcome = cli("run")
    assert outcome.code == 1, outcome.err  # the demo's known data problems; not 5, "locked"
    assert not path.exists()
    assert (demo_project / "var/store/current").is_symlink()
