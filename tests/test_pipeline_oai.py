"""The nightly job over a real OAI-PMH server (the `oaipmh` package's): incremental runs,
deletions sent by the server, and records not sent by an incremental harvest kept."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "harvest"))
from harvest_peers import demo_repository, sample, serve_oai  # noqa: E402

from culturedata.iris import record_graph  # noqa: E402

BASE = "http://127.0.0.1:8000/"
SYSTEM = ox.NamedNode(BASE + "graph/system")
RUN = "https://w3id.org/culturedata/ns/run#"
CONFIG = """[publish]
base_iri = "{base}"
[[sources]]
id = "brumes-oai"
name = "Musée maritime de l'Anse-aux-Brumes (OAI-PMH)"
kind = "oai-pmh"
url = "{url}"
mapping = "lido"
options = {{ metadata_prefix = "lido", backoff = 0.01, retries = 2, connect_timeout = 2, read_timeout = 5 }}
"""


def report(project: Path) -> dict:
    path = sorted((project / "var/store/reports").glob("run-*.json"))[-1]
    return json.loads(path.read_text(encoding="utf-8"))["sources"][0]


def published(project: Path) -> dict[str, str]:
    """Status of every record graph the system graph knows."""
    store = ox.Store.read_only(str(project / "var/store/current"))
    found = store.quads_for_pattern(None, ox.NamedNode(RUN + "status"), None, SYSTEM)
    return {q.subject.value: q.object.value.removeprefix(RUN) for q in found}


@pytest.mark.slow
def test_oai_deletions_remove_records_and_incremental_runs_keep_the_rest(cli, tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    sample("musee-anse-aux-brumes", "datestamps.csv")
    repository = demo_repository()
    monkeypatch.chdir(tmp_path)
    with serve_oai(repository, batch_size=5) as url:
        (tmp_path / "culturedata.toml").write_text(CONFIG.format(base=BASE, url=url), encoding="utf-8")
        assert cli("run").code in (0, 1)
        first = report(tmp_path)
        assert first["full"] is True and first["harvested"] == 22 and first["deleted"] == 0
        states = published(tmp_path)
        live = sorted(g for g, s in states.items() if s == "Published")
        assert len(live) == first["published"] > 0
        gone, edited = live[0], live[1]
        key = {record_graph(BASE, "brumes-oai", i.identifier): i.identifier for i in repository.items}
        time.sleep(1.1)  # OAI-PMH datestamps have a granularity of one second
        repository.touch(key[gone], deleted=True)
        repository.touch(key[edited], title="Sextant de marine (révisé)")
        assert cli("run").code in (0, 1)
        second = report(tmp_path)
    assert second["full"] is False
    assert second["harvested"] == 2  # only what changed since the watermark
    assert (second["deleted"], second["changed"]) == (1, 1)
    after = published(tmp_path)
    assert after[gone] == "Deleted"
    # Records the incremental harvest did not send are not deletions.
    assert sum(1 for s in after.values() if s == "Published") == len(live) - 1
    store = ox.Store.read_only(str(tmp_path / "var/store/current"))
    assert not store.contains_named_graph(ox.NamedNode(gone))
    titles = {q.object.value for q in store.quads_for_pattern(None, None, None, ox.NamedNode(edited))}
    assert "Sextant de marine (révisé)" in titles


def test_a_record_nested_too_deep_is_quarantined_and_its_page_and_source_publish(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lxml import etree

    sample("musee-anse-aux-brumes", "datestamps.csv")
    repository = demo_repository()
    listed = repository._select("lido", None, None, None)
    victim = next(item for item in listed[5:] if not item.deleted)
    node = victim.element = etree.fromstring(etree.tostring(victim.element))
    for _ in range(300):  # past libxml2's 256 levels: no parser here reads the page as it is
        node = etree.SubElement(node, "{http://www.lido-schema.org}nest")
    monkeypatch.chdir(tmp_path)
    with serve_oai(repository, batch_size=5) as url:
        (tmp_path / "culturedata.toml").write_text(CONFIG.format(base=BASE, url=url), encoding="utf-8")
        outcome = cli("run")
    assert outcome.code == 1, outcome.err
    source = report(tmp_path)
    assert source["failed"] is False and source["harvested"] == 22
    refused = [q for q in source["quarantine"] if q["rule"] == "too-deep"]
    assert [q["record"] for q in refused] == [victim.identifier] and "256" in refused[0]["message"]
    states = published(tmp_path)
    assert states[record_graph(BASE, "brumes-oai", victim.identifier)] == "Quarantined"
    assert sum(1 for s in states.values() if s == "Published") == source["published"] > 10
