"""The quarantine and warnings logs: appended run after run, never rewritten whole, and a run
killed at any moment leaves what the last committed run left."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from culturedata.validate import recordlog
from culturedata.validate.recordlog import RecordLog, index_path, read_entries, read_index


def _entry(record: str, note: str = "") -> dict[str, object]:
    return {"record": record, "note": note}


def _run(log: Path, entries: dict[str, str], ended: frozenset[str] = frozenset()) -> None:
    writer = RecordLog(log)
    for record, note in entries.items():
        writer.append(record, _entry(record, note))
    writer.commit(set(entries) | set(ended))


def _live(log: Path) -> dict[str, object]:
    return {str(e["record"]): e["note"] for e in read_entries(log)}


def test_a_run_appends_and_ends_entries_without_rewriting_the_log(tmp_path: Path) -> None:
    log = tmp_path / "warnings" / "s.jsonl"
    _run(log, {"a": "1", "b": "1", "c": "1"})
    first = log.read_bytes()
    _run(log, {"b": "2"}, ended=frozenset({"c"}))  # b checked again with a finding, c fixed or deleted
    assert log.read_bytes().startswith(first)  # appended after what was there
    assert _live(log) == {"a": "1", "b": "2"}
    tail = [json.loads(line) for line in log.read_bytes()[len(first):].splitlines()]
    assert {"record": "c", "gone": True} in tail


def test_a_run_with_nothing_to_say_touches_nothing(tmp_path: Path) -> None:
    log = tmp_path / "s.jsonl"
    _run(log, {"a": "1"})
    before = (log.stat().st_mtime_ns, index_path(log).stat().st_mtime_ns)
    RecordLog(log).commit(set())  # an unchanged rerun
    RecordLog(log).commit({"zz"})  # a record the log never had
    assert (log.stat().st_mtime_ns, index_path(log).stat().st_mtime_ns) == before


def test_the_last_entry_ending_removes_the_files(tmp_path: Path) -> None:
    log = tmp_path / "s.jsonl"
    _run(log, {"a": "1"})
    _run(log, {}, ended=frozenset({"a"}))
    assert not log.exists() and not index_path(log).exists()
    assert list(read_entries(log)) == []


def test_a_discarded_run_leaves_the_committed_log(tmp_path: Path) -> None:
    log = tmp_path / "s.jsonl"
    _run(log, {"a": "1"})
    committed = log.read_bytes()
    writer = RecordLog(log)
    writer.append("a", _entry("a", "2"))
    writer.append("b", _entry("b", "2"))
    writer.discard()
    assert log.read_bytes() == committed and _live(log) == {"a": "1"}


KILLED = """
import os, signal, sys
from pathlib import Path
from culturedata.validate.recordlog import RecordLog
writer = RecordLog(Path(sys.argv[1]))
writer.append("a", {"record": "a", "note": "killed"})
writer.append("z", {"record": "z", "note": "killed"})
writer._handle.write(b'{"record": "half')  # a line cut short
writer._handle.flush()
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_run_killed_while_appending_is_not_read_and_is_cut_off(tmp_path: Path) -> None:
    log = tmp_path / "s.jsonl"
    _run(log, {"a": "1", "b": "1"})
    committed = log.read_bytes()
    killed = subprocess.run([sys.executable, "-c", KILLED, str(log)], check=False)
    assert killed.returncode == -signal.SIGKILL
    assert len(log.read_bytes()) > len(committed)  # the killed run's bytes are there...
    assert _live(log) == {"a": "1", "b": "1"}  # ...and nobody reads them
    _run(log, {"c": "2"})
    assert _live(log) == {"a": "1", "b": "1", "c": "2"}
    assert b"killed" not in log.read_bytes() and b"half" not in log.read_bytes()


def test_a_log_without_its_index_is_read_once(tmp_path: Path) -> None:
    """A log written before logs had an index (one line per record), or whose index was lost."""
    log = tmp_path / "s.jsonl"
    log.write_text("".join(json.dumps(_entry(r, "old")) + "\n" for r in "abc"), encoding="utf-8")
    assert _live(log) == {"a": "old", "b": "old", "c": "old"}
    _run(log, {"b": "new"}, ended=frozenset({"c"}))
    assert _live(log) == {"a": "old", "b": "new"}
    index_path(log).unlink()
    assert _live(log) == {"a": "old", "b": "new"}  # the tombstone and the newer line say so


def test_compaction_keeps_the_live_entries_and_a_stale_index_is_not_believed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(recordlog, "COMPACT_MIN", 0)
    log = tmp_path / "s.jsonl"
    _run(log, {"a": "1", "b": "1", "c": "1"})
    stale, born = index_path(log).read_bytes(), read_index(log).generation
    for night in range(2, 12):
        _run(log, {"b": str(night)})
        assert _live(log) == {"a": "1", "b": str(night), "c": "1"}
    index = read_index(log)
    assert index.generation != born  # compacted at least once
    assert index.size == log.stat().st_size <= recordlog.COMPACT_AFTER * index.live_bytes() + 200
    # Killed between the compacted log's rename and its index's: the old index names the old generation.
    index_path(log).write_bytes(stale)
    assert _live(log) == {"a": "1", "b": "11", "c": "1"}


def test_the_pipeline_logs_read_as_before(tmp_path: Path) -> None:
    """`logged` is what readers use: one entry per record, the newest."""
    from culturedata.validate import logged

    store = tmp_path / "store"
    _run(store / "quarantine" / "src.jsonl", {"r1": "x"})
    assert [e["record"] for e in logged(store, "src", "quarantine")] == ["r1"]
    assert logged(store, "src", "warnings") == []
    assert sorted(os.listdir(store / "quarantine")) == ["src.jsonl", "src.jsonl.idx"]
