"""What pooling writes for a cluster: its type, and the links both ways between it and its members."""

from __future__ import annotations

import pyoxigraph as ox

from culturedata.pooling import ORGANISATION, PERSON, Entity
from culturedata.pooling.publication import pooling_quads

BASE = "http://127.0.0.1:8000/"
SCHEMA = "http://schema.org/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
CLUSTER = f"{BASE}id/_pooled/abc"


def published(entities: list[Entity]) -> set[tuple[str, str, str]]:
    quads = pooling_quads(BASE, {CLUSTER: sorted(e.iri for e in entities)}, {e.iri: e for e in entities})
    assert {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)} == {f"{BASE}graph/_pooling"}
    return {(q.subject.value, q.predicate.value, q.object.value) for q in quads
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode | ox.Literal)}


def test_a_cluster_is_typed_as_its_members_agree_and_its_members_name_it() -> None:
    left = Entity(f"{BASE}id/a/personne/x", PERSON, ("Hélène Bouchard",))
    right = Entity(f"{BASE}id/b/agent/y", PERSON, ("Bouchard, Hélène",))
    triples = published([left, right])
    assert (CLUSTER, RDF_TYPE, f"{SCHEMA}Person") in triples
    for member, other in ((left.iri, right.iri), (right.iri, left.iri)):
        assert (CLUSTER, f"{SCHEMA}sameAs", member) in triples
        assert (member, f"{SCHEMA}sameAs", CLUSTER) in triples  # its page finds the cluster by subject
        assert (member, f"{SCHEMA}sameAs", other) in triples


def test_a_person_and_an_organisation_the_steward_joined_make_a_thing_neither_type() -> None:
    studio_as_person = Entity(f"{BASE}id/a/personne/studio-lavoie", PERSON, ("Studio Lavoie",))
    studio = Entity(f"{BASE}id/b/agent/studio-lavoie", ORGANISATION, ("Studio Lavoie",))
    other = Entity(f"{BASE}id/c/agent/studio-lavoie", ORGANISATION, ("Studio Lavoie",))
    types = {o for s, p, o in published([studio_as_person, studio, other]) if s == CLUSTER and p == RDF_TYPE}
    assert types == {f"{SCHEMA}Thing"}  # not the majority's Organization, nor both
