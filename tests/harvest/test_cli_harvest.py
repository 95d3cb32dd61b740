"""`culturedata harvest` as a steward runs it: a real process, a real OAI-PMH server, exit codes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pytest
from harvest_peers import demo_repository, oai_app, sample, serve_oai, serve_wsgi, synthetic_repository

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


def test_a_killed_harvest_never_leaves_an_archive_that_claims_to_be_whole(tmp_path):
    """Killed half-way (twice: once over a complete archive), then run again: the archive says
    `"complete": true` only when it holds every record, and then it does."""
    repository = synthetic_repository(60, payload_bytes=20)
    identifiers = {item.identifier for item in repository.items}
    pages = []
    app = oai_app(repository, batch_size=5)

    def slow(environ, start_response):  # a page every 50 ms, so that the harvest can be caught half-way
        if "ListRecords" in environ.get("QUERY_STRING", ""):
            pages.append(environ["QUERY_STRING"])
            time.sleep(0.05)
        return app(environ, start_response)

    out = tmp_path / "run"
    with serve_wsgi(slow) as base:
        config = tmp_path / "culturedata.toml"
        config.write_text(CONFIG.format(url=base + "/oai", extra=""), encoding="utf-8")
        command = [sys.executable, "-m", "culturedata", "--config", str(config), "harvest", "anse", "--out", str(out)]
        for attempt, args in enumerate(([], ["--full"])):
            before = len(pages)
            process = subprocess.Popen([*command, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                       env={"CULTUREDATA_LANG": "en", "PATH": "", "NO_PROXY": "127.0.0.1"})
            deadline = time.monotonic() + 60
            while len(pages) < before + 4 and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            process.send_signal(signal.SIGKILL)
            process.wait()
            killed = out / "manifest.json"
            assert not killed.exists() or json.loads(killed.read_text(encoding="utf-8"))["complete"] is False, attempt
            done = culturedata(tmp_path, base + "/oai", "--out", str(out), *args)
            assert done.returncode == 0, done.stderr
            manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
            assert manifest["complete"] is True and manifest["records"] == 60, attempt
            assert {r.local_id for r in read_archive(out)} == identifiers, attempt
