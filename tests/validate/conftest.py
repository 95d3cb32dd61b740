"""Shared pieces of the validation tests: the fixture shapes, exports and mapping, and a way
to run the real `culturedata` command in-process and read its exit code and output."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from culturedata.cli import main
from culturedata.messages import set_lang


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Run `culturedata ARGS` as a user would, from a folder without culturedata.toml."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CULTUREDATA_CONFIG", raising=False)

    def run(*args: str | Path) -> Result:
        capsys.readouterr()
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        finally:
            set_lang(None)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
