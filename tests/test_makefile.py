"""The README's two commands, as make would run them (`make -n` prints the recipe without running it)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from shareddata import ROOT

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")


def recipe(*arguments: str) -> list[str]:
    # -B: print every step even when the virtual environment is already installed.
    done = subprocess.run(["make", "-n", "-B", *arguments], cwd=ROOT, capture_output=True, text=True, check=True)
    return done.stdout.splitlines()


def test_run_on_another_port_mints_iris_for_that_port() -> None:
    lines = [line for line in recipe("run", "PORT=8123") if "culturedata run" in line or "culturedata serve" in line]
    assert len(lines) == 2, lines
    for line in lines:
        assert "CULTUREDATA_PUBLISH_BASE_IRI=http://127.0.0.1:8123/" in line, line
    assert "--port 8123" in lines[1]


def test_plain_run_keeps_the_configured_base_iri() -> None:
    lines = [line for line in recipe("run") if "culturedata run" in line or "culturedata serve" in line]
    assert lines and not any("CULTUREDATA_PUBLISH_BASE_IRI" in line for line in lines), lines


def test_first_install_is_not_silent() -> None:
    installs = [line for line in recipe("install") if "pip install" in line]
    assert installs and not any("--quiet" in line or " -q" in line for line in installs), installs


def test_ci_collects_without_the_shared_data() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    # what `make check` runs, the README's test command by its name
    assert "make collect-without-data" in ci and "make lint" in ci and "make test" in ci
    assert any("CULTUREDATA_TEST_DATA=" in line for line in recipe("collect-without-data"))
