"""The demo run links what the four demo sources share, through the real `culturedata run`:
Hélène Bouchard painted for both museums (names and life dates, no shared id), the Laurentides
chamber orchestra is a network member and plays at the theatre (name and web site)."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

BASE = "http://127.0.0.1:8000/"
POOLING = f"{BASE}graph/_pooling"
SYSTEM = ox.NamedNode(f"{BASE}graph/system")
RUN = "https://w3id.org/culturedata/ns/run#"
BOUCHARD = {f"{BASE}id/musee-fjord-bleu/personne/helene-bouchard", f"{BASE}id/musee-anse-aux-brumes/agent/bouchard-helene"}
ORCHESTRA = {f"{BASE}id/reseau-culture-laurentides/organisation/rcl-0010",
             f"{BASE}id/theatre-deux-rives/interprete/orchestre-de-chambre-des-basses-laurentides"}
# The pattern docs/pooling.md gives: each cluster, its members and their sources' names.
CLUSTERS = f"""PREFIX schema: <http://schema.org/>
SELECT ?cluster ?member WHERE {{
  GRAPH <{POOLING}> {{ ?cluster schema:sameAs ?member . FILTER(STRSTARTS(STR(?cluster), "{BASE}id/_pooled/")) }}
  ?member schema:name ?name .
}}"""


def clusters(project: Path) -> dict[str, set[str]]:
    store = ox.Store.read_only(str(project / "var/store/current"))
    found: dict[str, set[str]] = {}
    for row in store.query(CLUSTERS):  # type: ignore[union-attr]
        found.setdefault(row["cluster"].value, set()).add(row["member"].value)
    return found


def cluster_of(found: dict[str, set[str]], members: set[str]) -> str | None:
    return next((iri for iri, held in found.items() if members <= held), None)


def test_the_demo_links_what_the_sources_share_and_keeps_the_records_as_they_came(cli, demo_project: Path) -> None:
    assert cli("run").code == 1  # the demo's deliberate defects
    found = clusters(demo_project)
    bouchard, orchestra = cluster_of(found, BOUCHARD), cluster_of(found, ORCHESTRA)
    assert bouchard and orchestra and bouchard != orchestra
    store = ox.Store.read_only(str(demo_project / "var/store/current"))
    # The theatre's hall (a schema:Place, also typed PerformingArtsTheater) bears the company's name:
    # two things, so the hall is in no cluster, while the company's own pages are one company.
    halls = {q.subject.value for q in store.quads_for_pattern(
        None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), ox.NamedNode("http://schema.org/Place"), None)}
    assert any("/theatre-deux-rives/lieu/" in hall for hall in halls)
    assert not any(halls & held for held in found.values())
    same_as = ox.NamedNode("http://schema.org/sameAs")
    left, right = sorted(BOUCHARD)
    # Published between the sources' entities, in the pooling graph only: the record graphs are as mapped.
    linked = list(store.quads_for_pattern(ox.NamedNode(left), same_as, ox.NamedNode(right), None))
    assert [q.graph_name.value for q in linked if isinstance(q.graph_name, ox.NamedNode)] == [POOLING]
    # Each link's provenance: rule, score and run, in the system graph.
    report = json.loads(sorted((demo_project / "var/store/reports").glob("run-*.json"))[-1].read_text())
    facts = store.query(f"""SELECT ?rule ?score ?run WHERE {{ GRAPH <{SYSTEM.value}> {{
        ?link <{RUN}left> <{left}> ; <{RUN}right> <{right}> ; <{RUN}rule> ?rule ; <{RUN}score> ?score ;
              <http://www.w3.org/ns/prov#wasGeneratedBy> ?run }} }}""")
    [row] = list(facts)  # type: ignore[arg-type]
    assert row["rule"].value == "score" and float(row["score"].value) >= 0.92
    assert row["run"].value == f"{BASE}run/{report['snapshot']}"
    assert report["pooling"]["clusters"] == len(found) >= 2


def test_cluster_iris_and_the_links_provenance_hold_across_runs(cli, demo_project: Path) -> None:
    cli("run")
    first = clusters(demo_project)
    cli("run", "--full")
    assert clusters(demo_project) == first
    store = ox.Store.read_only(str(demo_project / "var/store/current"))
    links = list(store.quads_for_pattern(None, None, ox.NamedNode(RUN + "PoolingLink"), SYSTEM))
    report = json.loads(sorted((demo_project / "var/store/reports").glob("run-*.json"))[-1].read_text())
    assert len(links) == sum(report["pooling"]["links"].values())  # replaced, not piled up


def test_the_stewards_decisions_win_and_the_review_list_lists_the_undecided(cli, demo_project: Path) -> None:
    left, right = sorted(BOUCHARD)
    (demo_project / "pooling-decisions.toml").write_text(
        f'[[reject]]\nentities = ["{left}", "{right}"]\nnote = "two painters of one name"\n', encoding="utf-8")
    config = demo_project / "culturedata.toml"
    config.write_text(config.read_text(encoding="utf-8") + "\n[pooling]\nthreshold = 0.95\nreview_floor = 0.6\n",
                      encoding="utf-8")
    cli("run")
    found = clusters(demo_project)
    assert cluster_of(found, BOUCHARD) is None and cluster_of(found, ORCHESTRA)
    # Two theatres of the network with alike names ("Rive-Boisée Theatre", "Théâtre des Deux-Rives"): for
    # the steward above the floor (the theatre's own French and English names are one name, linked).
    review = cli("pooling", "review", "--json")
    assert review.code == 0
    pairs = json.loads(review.out)
    assert pairs and all(0.6 <= pair["score"] < 0.95 for pair in pairs)
    assert not any({pair["left"], pair["right"]} == BOUCHARD for pair in pairs)  # decided: not for review
    text = cli("--lang", "fr", "pooling", "review")
    assert "pooling-decisions.toml" in text.out and pairs[0]["left"] in text.out


def test_a_bad_decisions_file_stops_the_run_before_it_starts(cli, demo_project: Path) -> None:
    (demo_project / "pooling-decisions.toml").write_text("[[merge]]\n", encoding="utf-8")
    outcome = cli("run")
    assert outcome.code == 2 and "[[accept]]" in outcome.err
    assert not (demo_project / "var/store/current").exists()


def test_cluster_names_are_kept_only_once_their_snapshot_is_published(cli, demo_project: Path) -> None:
    """A run that fails after pooling (here: its report cannot be written) publishes nothing,
    so the cluster IRIs it chose must not be remembered as if they had been."""
    kept = demo_project / "var/store/pooling/clusters.json"
    reports = demo_project / "var/store/reports"
    reports.parent.mkdir(parents=True)
    reports.write_text("not a folder", encoding="utf-8")  # the run's report cannot be written
    failed = cli("run")
    assert failed.code != 0 and not (demo_project / "var/store/current").exists()
    assert not kept.exists()
    reports.unlink()
    assert cli("run").code == 1
    assert set(json.loads(kept.read_text(encoding="utf-8"))["clusters"]) == set(clusters(demo_project))
