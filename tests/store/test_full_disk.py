"""A disk that fills up during a run: a clear error, exit 5, and the served snapshot untouched.

The store lives on a small tmpfs that the test mounts (root only, as in CI); the rest of the
disk is filled with a file leaving a few hundred kilobytes, so the failure happens at a
different stage each time (opening the copy, loading, writing the report).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest


@pytest.fixture
def small_disk(demo_project: Path) -> Iterator[Path]:
    var = demo_project / "var"
    var.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=120m", "tmpfs", str(var)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield var
    finally:
        subprocess.run(["umount", "-l", str(var)], check=False)


def fill(var: Path, leave_kib: int) -> Path:
    filler = var / "filler"
    filler.unlink(missing_ok=True)
    stats = os.statvfs(var)
    free = stats.f_bavail * stats.f_frsize
    with filler.open("wb") as out:
        out.truncate(0)
        remaining = max(free - leave_kib * 1024, 0)
        block = b"\0" * (1 << 20)
        while remaining > 0:
            remaining -= out.write(block[: min(len(block), remaining)])
    return filler


def quads(current: Path) -> set[str]:
    return {str(q) for q in ox.Store.read_only(str(current.resolve()))}


@pytest.mark.slow
def test_a_full_disk_stops_the_run_cleanly_and_keeps_the_published_snapshot(
    cli, demo_project: Path, small_disk: Path
) -> None:
    assert cli("run").code == 1
    current = small_disk / "store" / "current"
    published = current.resolve()
    before = quads(current)
    lido = demo_project / "sample_inputs/musee-anse-aux-brumes/lido.xml"
    original = lido.read_bytes()
    for attempt, leave in enumerate((800, 300, 100, 0)):
        lido.write_bytes(original.replace(b"1905", b"19%02d" % (10 + attempt)))
        filler = fill(small_disk, leave)
        outcome = cli("run")
        assert outcome.code == 5, (leave, outcome.err)
        assert "Traceback" not in outcome.err and "Internal error" not in outcome.err
        assert "No space left on device" in outcome.err
        assert current.resolve() == published
        assert quads(current) == before
        assert not list((small_disk / "store" / "staging").glob("*")), leave
        assert not (small_disk / "store" / "run.lock").exists()
        filler.unlink()
    # With room again, the next run publishes the change.
    assert cli("run").code == 1
    assert current.resolve() != published
