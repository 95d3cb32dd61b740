"""The pipeline's quarantine policy, per source, through a real `culturedata run`: which
records are published, which are kept out with their findings, and the run report's figures."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from validation_inputs import BAD, CDS, GOOD, MAPPING, SHAPES, VOCAB

from culturedata.config import load_config
from culturedata.errors import ConfigError
from culturedata.records import Finding, Severity
from culturedata.validate import Policy, RecordReport, logged

SOURCES = {"strict": "violation", "picky": "warning", "lenient": "never"}


def _config(tmp_path: Path, export: Path, policies: dict[str, str] = SOURCES) -> Path:
    lines = [
        "[publish]", 'base_iri = "http://127.0.0.1:8000/"',
        "[store]", 'path = "var/store"',
        "[validate]", f'shapes = "{SHAPES}"', f'vocabularies = "{VOCAB}"',
    ]
    for source, policy in policies.items():
        lines += ["[[sources]]", f'id = "{source}"', f'name = "{source}"', 'kind = "csv"', f'path = "{export}"',
                  f'mapping = "{MAPPING}"', f'quarantine = "{policy}"']
    config = tmp_path / "culturedata.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


@pytest.fixture
def export() -> Path:
    return BAD


def _jsonl(path: Path) -> list[dict]:
    """The live entries of `<store>/<kind>/<source>.jsonl`, as readers get them."""
    return logged(path.parent.parent, path.stem, path.parent.name)


def test_each_source_follows_its_policy(cli, tmp_path: Path, export: Path):
    config = _config(tmp_path, export)
    result = cli("--config", config, "run")
    assert result.code == 1, result.err  # records were quarantined
    store = tmp_path / "var" / "store"
    [report_file] = (store / "reports").glob("run-*.json")
    sources = {s["source"]: s for s in json.loads(report_file.read_text(encoding="utf-8"))["sources"]}

    # 11 records: one unmappable, one a duplicate id; 4 violate a shape, 2 more have only warnings.
    assert (sources["strict"]["published"], sources["strict"]["quarantined"]) == (5, 6)
    assert (sources["picky"]["published"], sources["picky"]["quarantined"]) == (3, 8)
    assert (sources["lenient"]["published"], sources["lenient"]["quarantined"]) == (9, 2)
    assert sources["strict"]["warnings"] == 2
    # Quality is the share of live records without a violation, whatever the policy does with them:
    # 10 records (the duplicate row is no record of its own), 5 with a violation.
    assert {name: (s["live"], s["violating"], s["quality"]) for name, s in sources.items()} == {
        name: (10, 5, 0.5) for name in SOURCES}
    # Open findings per rule count records, warnings included (of published records too).
    assert sources["strict"]["open_rules"] == sources["lenient"]["open_rules"]
    assert sources["strict"]["open_rules"]["unmappable"] == 1
    assert sources["strict"]["most_violated"][0] == CDS + "HeritageObject-type"
    assert set(sources["strict"]["most_violated"]) == {
        CDS + "HeritageObject-type", CDS + "HeritageObject-name", CDS + "ImageObject-contentUrl", "unmappable"}
    # The duplicate id is rejected before mapping: listed in the run report, not in the quarantine file.
    assert any(q["rule"] == "duplicate-id" and q["record"] == "18" for q in sources["strict"]["quarantine"])

    kept = _jsonl(store / "quarantine" / "strict.jsonl")
    assert sorted(e["record"] for e in kept) == ["10", "12", "13", "17", "line-6"]
    untitled = next(e for e in kept if e["record"] == "10")
    assert untitled["location"] == "line 2" and untitled["quarantined"]
    assert "<http://127.0.0.1:8000/id/strict/objet/10>" in untitled["triples"]
    assert untitled["findings"][0]["rule"] == CDS + "HeritageObject-name"
    assert untitled["findings"][0]["message"]["fr"].startswith("Un objet doit avoir un titre")
    assert sorted(e["record"] for e in _jsonl(store / "warnings" / "strict.jsonl")) == ["11", "16"]
    assert sorted(e["record"] for e in _jsonl(store / "quarantine" / "lenient.jsonl")) == ["line-6"]
    assert sorted(e["record"] for e in _jsonl(store / "warnings" / "lenient.jsonl")) == [
        "10", "11", "12", "13", "16", "17"]

    snapshot = ox.Store.read_only(str((store / "current").resolve()))
    graphs = {g.value for g in snapshot.named_graphs()}
    base = "http://127.0.0.1:8000/graph/"
    assert base + "strict/15" in graphs and base + "strict/11" in graphs  # warnings are published
    assert base + "strict/10" not in graphs and base + "picky/11" not in graphs
    assert base + "lenient/10" in graphs


def test_a_clean_run_clears_yesterdays_quarantine(cli, tmp_path: Path, export: Path):
    config = _config(tmp_path, export, {"strict": "violation"})
    assert cli("--config", config, "run").code == 1
    kept = tmp_path / "var" / "store" / "quarantine" / "strict.jsonl"
    assert kept.exists()
    _config(tmp_path, GOOD, {"strict": "violation"})
    # Fewer records than yesterday: the drop guard must be told the loss is real.
    assert cli("--config", config, "run", "--allow-drop", "strict").code == 0
    assert not kept.exists()
    assert not list(kept.parent.glob("*.partial"))


def test_unknown_policy_is_a_config_error(tmp_path: Path, export: Path):
    config = _config(tmp_path, export, {"strict": "sometimes"})
    with pytest.raises(ConfigError) as caught:
        load_config(config)
    assert "quarantine" in str(caught.value) and "sometimes" in str(caught.value)


def _finding(severity: Severity, stage: str = "validate") -> Finding:
    return Finding(stage, severity, "rule", {"fr": "f", "en": "e"}, "s", "1")


@pytest.mark.parametrize(
    ("policy", "severity", "stage", "quarantined"),
    [
        ("violation", Severity.VIOLATION, "validate", True),
        ("violation", Severity.WARNING, "validate", False),
        ("warning", Severity.WARNING, "validate", True),
        ("warning", Severity.INFO, "validate", False),
        ("never", Severity.VIOLATION, "validate", False),
        ("never", Severity.VIOLATION, "map", True),
    ],
)
def test_policy(policy: str, severity: Severity, stage: str, quarantined: bool):
    report = RecordReport("s", "1", (_finding(severity, stage),))
    assert Policy(policy).quarantines(report) is quarantined


def test_unchanged_quarantined_records_stay_listed(cli, tmp_path: Path, export: Path):
    config = _config(tmp_path, export, {"strict": "violation"})
    kept = tmp_path / "var" / "store" / "quarantine" / "strict.jsonl"
    assert cli("--config", config, "run").code == 1
    first = sorted(e["record"] for e in _jsonl(kept))
    written = kept.read_bytes(), kept.stat().st_mtime_ns
    # Nothing changed: the second run does not check these records again, and keeps their entries
    # without reading or writing the log (issue 20: it was rewritten whole every night).
    assert cli("--config", config, "run").code == 1
    assert sorted(e["record"] for e in _jsonl(kept)) == first == ["10", "12", "13", "17", "line-6"]
    assert (kept.read_bytes(), kept.stat().st_mtime_ns) == written


def _published_title(store_dir: Path, graph: str) -> list[str]:
    """The titles the served snapshot holds in one record graph."""
    store = ox.Store.read_only(str(store_dir / "current"))
    try:
        rows = store.query(f"SELECT ?t WHERE {{ GRAPH <{graph}> {{ ?s <http://schema.org/name> ?t }} }}")
        return sorted(row["t"].value for row in rows)
    finally:
        del store


def _status(store_dir: Path, graph: str) -> str:
    store = ox.Store.read_only(str(store_dir / "current"))
    try:
        rows = list(store.query(
            f"SELECT ?s WHERE {{ GRAPH ?sys {{ <{graph}> <https://w3id.org/culturedata/ns/run#status> ?s }} }}"
        ))
        return rows[0]["s"].value.rsplit("#", 1)[1]
    finally:
        del store


@pytest.mark.parametrize("keep", [True, False])
def test_a_published_record_that_turns_bad(cli, tmp_path: Path, keep: bool):
    """Bad input must not take away what was published: the previous version stays until a
    corrected one arrives (unless the steward turns that off)."""
    export = tmp_path / "export.csv"
    good = GOOD.read_text(encoding="utf-8")
    export.write_text(good, encoding="utf-8")
    config = _config(tmp_path, export, {"strict": "violation"})
    if not keep:
        config.write_text(config.read_text(encoding="utf-8").replace(
            "[publish]\n", "[publish]\nkeep_previous = false\n"), encoding="utf-8")
    store_dir = tmp_path / "var" / "store"
    assert cli("--config", config, "run").code == 0
    graph = "http://127.0.0.1:8000/graph/strict/1"
    assert "Goélette à quai" in _published_title(store_dir, graph)

    # Record 1 loses both titles: a violation.
    export.write_text(good.replace("1;Goélette à quai;Schooner at the wharf;", "1;;;"), encoding="utf-8")
    result = cli("--config", config, "run")
    assert result.code == 1, result.err
    report = json.loads(sorted((store_dir / "reports").glob("run-*.json"))[-1].read_text(encoding="utf-8"))
    source = report["sources"][0]
    entry = next(q for q in source["quarantine"] if q["record"] == "1")
    assert source["quarantined"] == 1
    if keep:
        assert entry["previous_kept"] == "yes" and source["held"] == 1
        assert "Goélette à quai" in _published_title(store_dir, graph)
        assert _status(store_dir, graph) == "Held"
    else:
        assert "previous_kept" not in entry and source["held"] == 0
        assert _published_title(store_dir, graph) == []
        assert _status(store_dir, graph) == "Quarantined"

    # The same bad record again: unchanged, still listed, nothing else moves.
    assert cli("--config", config, "run").code == 1
    report = json.loads(sorted((store_dir / "reports").glob("run-*.json"))[-1].read_text(encoding="utf-8"))
    entry = next(q for q in report["sources"][0]["quarantine"] if q["record"] == "1")
    assert entry["unchanged"] == "yes" and (entry.get("previous_kept") == "yes") is keep
    assert bool(_published_title(store_dir, graph)) is keep

    # Corrected: the new version replaces the old one.
    export.write_text(good.replace("Goélette à quai", "Goélette au quai"), encoding="utf-8")
    assert cli("--config", config, "run").code == 0
    assert "Goélette au quai" in _published_title(store_dir, graph)
    assert "Goélette à quai" not in _published_title(store_dir, graph)
    assert _status(store_dir, graph) == "Published"
