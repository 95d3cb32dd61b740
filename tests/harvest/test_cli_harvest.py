"""`culturedata harvest` as a steward runs it: a real process, a real OAI-PMH server, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from harvest_peers import demo_repository, sample, serve_oai, serve_wsgi

from culturedata.harvest.archive import read_archive

CONFIG = """
[store]
path = "var/store"

[[sources]]
id = "anse"
name = "Anse-aux-Brumes"
kind = "oai-pmh"
url = "{url}"
mapping = "lido"
options = {{ metadata_prefix = "lido", backoff = 0.01, retries = 1 {extra} }}
"""


def culturedata(tmp_path, url: str, *args: str, extra: str = "") -> subprocess.CompletedProcess:
    config = tmp_path / "culturedata.toml"
    config.write_text(CONFIG.format(url=url, extra=extra), encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "culturedata", "--config", str(config), "harvest", "anse", *args],
        capture_output=True, text=True, timeout=120, env={"CULTUREDATA_LANG": "en", "PATH": ""},
    )


@pytest.fixture
def repository():
    sample("musee-anse-aux-brumes", "datestamps.csv")
    return demo_repository()


def test_harvest_writes_records_and_a_manifest_then_runs_incrementally(tmp_path, repository):
    with serve_oai(repository, batch_size=5) as url:
        done = culturedata(tmp_path, url, "--out", str(tmp_path / "run1"))
        again = culturedata(tmp_path, url, "--out", str(tmp_path / "run2"))
        full = culturedata(tmp_path, url, "--full")
    assert done.returncode == 0, done.stderr
    assert "22 records" in done.stderr and "Traceback" not in done.stderr
    manifest = json.loads((tmp_path / "run1" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] and manifest["records"] == 22 and manifest["deleted"] == 2
    records = list(read_archive(tmp_path / "run1"))
    assert {r.local_id for r in records} == {i.identifier for i in repository.items}
    assert (tmp_path / "var" / "state" / "harvest" / "anse.json").is_file()
    assert again.returncode == 0 and "0 records" in again.stderr
    assert full.returncode == 0 and "22 records" in full.stderr


def test_an_unreachable_source_exits_3_with_one_sentence(tmp_path):
    with serve_wsgi(lambda env, start: []) as base:
        pass
    done = culturedata(tmp_path, base + "/oai", "--out", str(tmp_path / "run"))
    assert done.returncode == 3
    assert "Traceback" not in done.stderr and "Cannot reach" in done.stderr
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["complete"] is False and manifest["error"]["code"] == "harvest.unreachable"


def test_a_misspelt_option_exits_2(tmp_path):
    done = culturedata(tmp_path, "http://127.0.0.1:9/oai", extra=', metadataprefix = "lido"')
    assert done.returncode == 2 and "options.metadataprefix" in done.stderr
