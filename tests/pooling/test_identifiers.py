"""Cluster IRIs stay put across runs while members come and go."""

from __future__ import annotations

from pathlib import Path

from culturedata.pooling.identifiers import assign, read_assignments, write_assignments

BASE = "http://example.org/"
WD = "http://www.wikidata.org/entity/Q296"


def test_a_new_cluster_is_named_after_its_smallest_authority_id_else_a_member() -> None:
    named, _ = assign(BASE, [["a", "b"], ["c", "d"]], {"a": frozenset({WD})}, {})
    assert set(named) == {f"{BASE}id/_pooled/wikidata-q296", f"{BASE}id/_pooled/" + _digest("c")}


def test_a_cluster_keeps_its_iri_when_members_come_and_go(tmp_path: Path) -> None:
    path = tmp_path / "clusters.json"
    first, kept = assign(BASE, [["a", "b"]], {}, read_assignments(path))
    write_assignments(path, kept)
    [iri] = first
    second, kept = assign(BASE, [["b", "c", "d"]], {"d": frozenset({WD})}, read_assignments(path))
    assert list(second) == [iri]  # b stayed: the cluster is the same one, though d brings an id
    write_assignments(path, kept)
    third, kept = assign(BASE, [["x", "y"]], {}, read_assignments(path))
    assert iri not in third and kept[iri] == []  # gone, but remembered: never given to another


def test_a_split_cluster_gives_its_iri_to_the_bigger_part() -> None:
    before = {f"{BASE}id/_pooled/k": ["a", "b", "c"]}
    named, _ = assign(BASE, [["a", "b"], ["c", "z"]], {}, before)
    assert named[f"{BASE}id/_pooled/k"] == ["a", "b"]
    assert len(named) == 2


def _digest(member: str) -> str:
    import hashlib
    return hashlib.sha1(member.encode()).hexdigest()[:12]
