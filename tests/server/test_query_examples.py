"""The query page's examples answer something useful on a store the pipeline published
(the demo project after `culturedata run`), not only on hand-made quads."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from culturedata.server.pages import AUDIENCES, EXAMPLES

Rows = list[dict[str, dict[str, str]]]
SKOS = "http://www.w3.org/2004/02/skos/core#"


def ask(server: str, query: str) -> Rows:
    response = httpx.post(f"{server}/sparql", data={"query": query}, timeout=60, trust_env=False,
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    rows: Rows = response.json()["results"]["bindings"]
    return rows


def test_every_example_is_offered_to_a_reader() -> None:
    offered = [key for keys in AUDIENCES.values() for key in keys]
    assert sorted(offered) == sorted(EXAMPLES)


def test_the_examples_on_the_demo_project(cli, demo_project: Path, project_server: str) -> None:  # type: ignore[no-untyped-def]
    assert cli("run").code == 1  # the demo has records to fix on purpose
    answers = {key: ask(project_server, query) for key, query in EXAMPLES.items()}
    # Stewards: every source's quality, the run report's figure, and why some records are quarantined.
    quality = {r["source"]["value"]: round(float(r["quality"]["value"]), 4) for r in answers["quality_per_source"]}
    [report] = (demo_project / "var/store/reports").glob("run-*.json")
    reported = {s["source"]: s["quality"] for s in json.loads(report.read_text(encoding="utf-8"))["sources"]}
    assert quality == reported and quality["musee-fjord-bleu"] < 1
    assert answers["quarantine_rules"] and all(r["rule"]["value"] for r in answers["quarantine_rules"])
    # Museums: my objects, with a name to show for each link.
    mine = answers["my_objects"]
    assert mine and all(r["object"]["value"].split("/id/", 1)[1].startswith("musee-fjord-bleu/") for r in mine)
    assert all("objectLabel" in r for r in mine)
    # Developers: joins over the regions and types vocabularies, their French names included,
    # counting the records' entities only (not the vocabularies' municipalities).
    kinds = answers["types_per_region"]
    assert kinds and all(r["regionLabel"]["xml:lang"] == "fr" for r in kinds)
    assert any(r.get("kindLabel", {}).get("xml:lang") == "fr" for r in kinds)
    assert not {r["kind"]["value"] for r in kinds} & {SKOS + "Concept", "http://schema.org/AdministrativeArea"}
    regions = {r["regionLabel"]["value"]: int(r["objects"]["value"]) for r in answers["objects_per_region"]}
    assert regions.get("Saguenay–Lac-Saint-Jean", 0) > 0
