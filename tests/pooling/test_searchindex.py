"""The search index a real demo run writes inside its snapshot (pooling/searchindex.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from culturedata.pooling import SearchIndex
from culturedata.pooling.searchindex import FILE_NAME, match_expression

BASE = "http://127.0.0.1:8000/"
BOUCHARD = {f"{BASE}id/musee-fjord-bleu/personne/helene-bouchard", f"{BASE}id/musee-anse-aux-brumes/agent/bouchard-helene"}


@pytest.fixture
def index(cli, demo_project: Path) -> SearchIndex:  # type: ignore[no-untyped-def]
    assert cli("run").code == 1  # the demo's deliberate defects
    found = SearchIndex.of((demo_project / "var/store/current").resolve())
    assert found is not None
    return found


def test_the_index_is_published_inside_its_snapshot_and_a_new_run_writes_its_own(cli, demo_project: Path,
                                                                                  index: SearchIndex) -> None:
    first = index.path
    assert first.parent == (demo_project / "var/store/current").resolve() and first.name == FILE_NAME
    cli("run")
    second = (demo_project / "var/store/current").resolve() / FILE_NAME
    assert second.is_file() and second != first
    assert not list((demo_project / "var/store/snapshots").glob(f"*/{FILE_NAME}.new"))


def test_names_are_found_without_accents_with_their_cluster_institution_and_type(index: SearchIndex) -> None:
    results = index.search("helene BOUCHARD")
    assert {h.iri for h in results.hits} == BOUCHARD and results.total == 2
    assert {h.cluster for h in results.hits} == {results.hits[0].cluster} and results.hits[0].cluster
    assert all(h.types == ("http://schema.org/Person",) and h.born == 1898 for h in results.hits)
    facets = {(f.kind, f.value): f for f in results.facets}
    assert facets[("type", "http://schema.org/Person")].count == 2
    assert facets[("type", "http://schema.org/Person")].label("fr") == "Person"
    assert facets[("institution", "musee-fjord-bleu")].label("fr") == "Musée du Fjord-Bleu"


def test_filters_narrow_by_type_region_and_institution(index: SearchIndex) -> None:
    every = index.search("orchestre")
    assert every.total >= 2
    narrowed = index.search("orchestre", {"institution": ["theatre-deux-rives"]})
    assert narrowed.total == 1 and narrowed.hits[0].institution == "theatre-deux-rives"
    assert index.search("orchestre", {"type": ["Nothing"]}).total == 0
    region = next(f.value for f in every.facets if f.kind == "region")
    assert all(h.region == region for h in index.search("orchestre", {"region": [region]}).hits)


@pytest.mark.parametrize("text", ['NEAR("a" "b")', '"', "*", "OR AND NOT", "a:b", "^x", "(((", "\x00", "é" * 5000, ""])
def test_a_visitors_text_is_never_fts_syntax(index: SearchIndex, text: str) -> None:
    expression = match_expression(text)
    assert expression is None or all(part.startswith('"') and part.endswith('"') for part in expression.split(" "))
    index.search(text)  # never raises
    index.search(text, prefix=True)


def test_a_prefix_finds_the_start_of_a_word_for_suggestions(index: SearchIndex) -> None:
    assert {h.iri for h in index.search("bouch", prefix=True).hits} >= BOUCHARD
    assert not index.search("bouch").hits
