"""The run lock: one run at a time, a dead holder's lock is taken over."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
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
