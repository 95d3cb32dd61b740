"""Every snapshot carries the shipped vocabularies and the profile's ontology in their own graphs,
so that the concepts records point at have their labels in the store, and VoID lists them."""

from __future__ import annotations

from pathlib import Path

import httpx
import pyoxigraph as ox

from culturedata import iris
from culturedata.reference import references, write_references
from culturedata.store import EmbeddedTarget
from sparqlclient import ask

BASE = "http://127.0.0.1:8000/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
REGIONS = "https://w3id.org/culturedata/vocab/regions/"


def test_each_reference_graph_is_written_once_until_its_file_changes() -> None:
    store = ox.Store()
    target = EmbeddedTarget(store, iris.system_graph(BASE))
    names = {r.name for r in references()}
    assert {"ontology", "regions", "municipalities", "census-divisions"} <= names
    assert set(write_references(target, BASE)) == names
    assert write_references(target, BASE) == []  # unchanged files: nothing written again
    regions = ox.NamedNode(iris.reference_graph(BASE, "regions"))
    assert len(list(store.quads_for_pattern(None, None, None, regions))) > 17 * 4


def test_a_query_reads_the_region_labels_of_the_records(cli, demo_project: Path, project_server: str) -> None:  # type: ignore[no-untyped-def]
    """`?region skos:prefLabel ?name` returned nothing: the vocabularies were not in the store."""
    assert cli("run").code == 1  # the demo has records to fix on purpose
    rows = ask(project_server, f"SELECT ?name WHERE {{ <{REGIONS}15> <{SKOS}prefLabel> ?name }}")
    assert {row["name"]["value"] for row in rows} == {"Laurentides"}
    used = ask(project_server, f"""SELECT DISTINCT ?name WHERE {{
        ?org <http://schema.org/containedInPlace> ?region . ?region <{SKOS}prefLabel> ?name
        FILTER(LANG(?name) = "fr") }}""")
    assert used, "the organisations' regions have their names"
    void = httpx.get(f"{project_server}/.well-known/void", headers={"Accept": "application/n-triples"}, trust_env=False)
    subsets = {t.object.value for t in ox.parse(void.content, format=ox.RdfFormat.N_TRIPLES)
               if t.predicate.value == "http://rdfs.org/ns/void#subset"}
    assert subsets == {iris.reference_graph(BASE, r.name) for r in references()}
