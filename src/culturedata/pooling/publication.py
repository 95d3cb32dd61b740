"""What pooling writes into the snapshot: the pooling graph and each link's provenance.

The pooling graph (`{base}graph/_pooling`) holds, for each cluster, its IRI typed as its
members are (`KIND_TYPES`; `schema:Thing` when the steward joined a person and an
organisation: a cluster claims no type its own members deny), named as most of them are,
`schema:sameAs` each member and each published authority id; each member `schema:sameAs`
its cluster (so that its page finds the cluster by subject); and `schema:sameAs` between the
members themselves, both ways (so an entity's page lists the other sources' entities). Each link that joined the cluster has its own subject
in the system graph (`{base}pooling/link/{digest}`): which rule, which score, which run.
Every run replaces the pooling graph and the links' provenance whole: nothing in the records'
graphs is touched.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence

import pyoxigraph as ox

from culturedata import iris
from culturedata.authorities import published
from culturedata.pooling.clusters import Link
from culturedata.pooling.entities import ORGANISATION, PERSON, Entity

SCHEMA = "http://schema.org/"
RUN = "https://w3id.org/culturedata/ns/run#"  # the pipeline's bookkeeping terms (store/loader.py)
PROV = "http://www.w3.org/ns/prov#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
LINK_TYPE = ox.NamedNode(RUN + "PoolingLink")
SAME_AS = ox.NamedNode(SCHEMA + "sameAs")
ALL_PAIRS_UP_TO = 30  # a bigger cluster's members are linked by the links that joined them only
KIND_TYPES = {PERSON: ox.NamedNode(SCHEMA + "Person"), ORGANISATION: ox.NamedNode(SCHEMA + "Organization")}
MIXED = ox.NamedNode(SCHEMA + "Thing")  # what a person and an organisation both are


def link_subject(base: str, link: Link) -> str:
    return iris.pooling_link(base, hashlib.sha1(f"{link.left} {link.right}".encode()).hexdigest()[:16])


def previous_links(store: ox.Store, system_graph: str) -> list[str]:
    """The link subjects the last run left in the system graph, to be forgotten."""
    return sorted({q.subject.value for q in store.quads_for_pattern(None, RDF_TYPE, LINK_TYPE,
                                                                     ox.NamedNode(system_graph))
                   if isinstance(q.subject, ox.NamedNode)})


def pooling_quads(base: str, clusters: dict[str, list[str]], entities: dict[str, Entity]) -> list[ox.Quad]:
    graph = ox.NamedNode(iris.pooling_graph(base))
    quads = []
    for cluster_iri, members in sorted(clusters.items()):
        cluster = ox.NamedNode(cluster_iri)
        described = [entities[m] for m in members if m in entities]
        quads.append(ox.Quad(cluster, RDF_TYPE, cluster_type(described), graph))
        names = Counter(name for e in described for name in e.names[:1])
        if names:
            quads.append(ox.Quad(cluster, ox.NamedNode(SCHEMA + "name"), ox.Literal(names.most_common(1)[0][0]),
                                 graph))
        ids = sorted({iri for e in described for iri in e.authorities if published(iri)})
        for target in (*members, *ids):
            quads.append(ox.Quad(cluster, SAME_AS, ox.NamedNode(target), graph))
        quads.extend(ox.Quad(ox.NamedNode(member), SAME_AS, cluster, graph) for member in members)
        if len(members) <= ALL_PAIRS_UP_TO:
            for member in members:
                quads.extend(ox.Quad(ox.NamedNode(member), SAME_AS, ox.NamedNode(other), graph)
                             for other in members if other != member)
    return quads


def cluster_type(members: Sequence[Entity]) -> ox.NamedNode:
    """schema:Person or schema:Organization when the members agree (shared ids and scores only
    ever join one kind); a steward's accept may join a record typed as a person with one typed
    as an organisation (a studio a CSV export calls a creator): then neither, as no majority
    makes the other sources wrong."""
    kinds = {member.kind for member in members}
    return KIND_TYPES[kinds.pop()] if len(kinds) == 1 else MIXED


def provenance_quads(base: str, system_graph: str, run_iri: str, links: Sequence[Link],
                     cluster_of: dict[str, str]) -> list[ox.Quad]:
    graph = ox.NamedNode(system_graph)
    quads = []
    for link in links:
        subject = ox.NamedNode(link_subject(base, link))
        facts: list[tuple[str, ox.NamedNode | ox.Literal]] = [
            (RUN + "left", ox.NamedNode(link.left)),
            (RUN + "right", ox.NamedNode(link.right)),
            (RUN + "rule", ox.Literal(link.rule)),
            (RUN + "score", ox.Literal(f"{link.score:.4f}", datatype=ox.NamedNode(XSD + "decimal"))),
            (PROV + "wasGeneratedBy", ox.NamedNode(run_iri)),
        ]
        if link.evidence:
            facts.append((RUN + "evidence", ox.Literal(link.evidence)))
        if link.left in cluster_of:
            facts.append((RUN + "cluster", ox.NamedNode(cluster_of[link.left])))
        quads.append(ox.Quad(subject, RDF_TYPE, LINK_TYPE, graph))
        quads.extend(ox.Quad(subject, ox.NamedNode(p), o, graph) for p, o in facts)
    return quads
