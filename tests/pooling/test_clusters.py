"""Shared ids, scores and the steward's decisions, as clusters."""

from __future__ import annotations

from pathlib import Path

import pytest

from culturedata.errors import UsageError
from culturedata.pooling import ORGANISATION, PERSON, Decisions, Entity, match, read_decisions, score

WD = "http://www.wikidata.org/entity/Q"


def person(iri: str, name: str, born: int | None = None, died: int | None = None, *ids: str) -> Entity:
    return Entity(iri, PERSON, (name,), born, died, authorities=frozenset(ids))


def test_a_shared_id_links_whatever_the_names_say() -> None:
    result = match([person("a", "Riopelle", None, None, WD + "1"), person("b", "J.-P. R.", None, None, WD + "1")],
                   0.92, 0.75)
    assert result.clusters == [["a", "b"]]
    assert result.links[0].rule == "authority:wikidata"


def test_names_and_dates_link_without_ids_and_conflicting_dates_do_not() -> None:
    same = [person("a", "Riopelle, Jean-Paul", 1923, 2002), person("b", "Jean-Paul Riopelle", 1923, 2002)]
    assert match(same, 0.92, 0.75).clusters == [["a", "b"]]
    homonyms = [person("a", "John Smith", 1850, 1900), person("b", "Smith, John", 1950)]
    assert match(homonyms, 0.92, 0.75).clusters == []
    assert score(*homonyms).dates == "conflict"


def test_a_name_alone_goes_to_review_not_to_a_link() -> None:
    result = match([person("a", "Hélène Bouchard"), person("b", "Bouchard, Helene")], 0.92, 0.75)
    assert result.clusters == []
    assert [(r.left, r.right) for r in result.review] == [("a", "b")]


def test_two_different_ids_of_one_authority_keep_two_alike_names_apart() -> None:
    result = match([person("a", "Jean Dallaire", 1916, 1965, WD + "1"), person("b", "Jean Dallaire", 1916, 1965, WD + "2")],
                   0.92, 0.75)
    assert result.clusters == []


def test_persons_are_never_compared_with_organisations() -> None:
    entities = [person("a", "Lavoie"), Entity("b", ORGANISATION, ("Lavoie",))]
    assert match(entities, 0.0, 0.0).clusters == []


def test_the_steward_wins_over_ids_and_scores() -> None:
    same = [person("a", "Jean-Paul Riopelle", 1923, 2002), person("b", "Riopelle, Jean-Paul", 1923, 2002),
            person("c", "Françoise Sullivan", 1923, None, WD + "9"), person("d", "F. Sullivan", None, None, WD + "9")]
    decisions = Decisions(accept=frozenset({("a", "c")}), reject=frozenset({("a", "b")}), split=frozenset({"d"}))
    result = match(same, 0.92, 0.75, decisions)
    assert result.clusters == [["a", "c"]]
    assert {link.rule for link in result.links} == {"steward"}


def test_a_rejection_holds_against_a_chain_of_evidence() -> None:
    chain = [person("a", "Paul Borduas", 1905, 1960), person("b", "Borduas, Paul", 1905, 1960, WD + "5"),
             person("c", "P. Borduas", None, None, WD + "5")]
    result = match(chain, 0.92, 0.75, Decisions(reject=frozenset({("a", "c")})))
    assert all(not {"a", "c"} <= set(cluster) for cluster in result.clusters)


def test_the_decisions_file(tmp_path: Path) -> None:
    path = tmp_path / "pooling-decisions.toml"
    assert len(read_decisions(path)) == 0  # no file: no decisions
    path.write_text('[[accept]]\nentities = ["b", "a"]\nnote = "checked"\n[[split]]\nentity = "c"\n', encoding="utf-8")
    decisions = read_decisions(path)
    assert decisions.accept == {("a", "b")} and decisions.split == {"c"}
    path.write_text('[[merge]]\nentities = ["a", "b"]\n', encoding="utf-8")
    with pytest.raises(UsageError) as raised:
        read_decisions(path)
    assert raised.value.code == "pooling.decisions.unknown"
    path.write_text('[[reject]]\nentities = ["a"]\n', encoding="utf-8")
    with pytest.raises(UsageError):
        read_decisions(path)


def test_an_organisation_named_alone_is_linked_unless_its_name_fits_two_that_are_not_one() -> None:
    venue = Entity("v", ORGANISATION, ("Bibliothèque Philippe-Panneton",))
    twins = [Entity(f"o{n}", ORGANISATION, ("Bibliothèque Philippe-Panneton",), places=frozenset({"laval"}))
             for n in (1, 2)]
    assert match([venue, *twins], 0.92, 0.75).clusters == [["o1", "o2", "v"]]
    namesake = Entity("q", ORGANISATION, ("Bibliothèque Gabrielle-Roy",), places=frozenset({"quebec"}))
    laval = Entity("l", ORGANISATION, ("Bibliotheque Gabrielle-Roy",), places=frozenset({"laval"}))
    calendar = Entity("c", ORGANISATION, ("Bibliothèque Gabrielle-Roy",))
    result = match([namesake, laval, calendar], 0.92, 0.75)
    assert result.clusters == []  # which of the two the calendar means is the steward's to say
    assert {frozenset((r.left, r.right)) for r in result.review} == {frozenset("cl"), frozenset("cq")}
