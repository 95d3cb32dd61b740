"""An entity page's section on the same thing in other records (pooling, docs/pooling.md).

A member's page names its cluster (`{base}id/_pooled/…`) and lists the cluster's other members:
each one's name, the institution whose source describes it and a link to its page. A cluster's
own page lists all its members the same way.

Read by subject only, so that a cluster of a thousand records costs a page what one of two does:
the member's own `schema:sameAs` names its cluster (pooling writes it), one lookup reads the
cluster's members, then two per member shown (its name, the graphs that hold it) and one per
source (its institution's name).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import pyoxigraph as ox

from culturedata import iris
from culturedata.server.labels import Labeller, schema
from culturedata.server.lookups import Lookups

SAME_AS = schema("sameAs")
SAME_AS_IRIS = frozenset(p.value for p in SAME_AS)  # both schema.org spellings
SHOWN = 30  # members listed (pooling links all pairs up to as many)
READ = 500  # members counted; the page says "500+" beyond
GRAPHS = 8  # graphs read per member to find the sources that describe it


@dataclass
class Institution:
    name: str  # of the organisation that provides the source
    href: str | None


@dataclass
class Member:
    iri: str
    href: str | None
    name: str
    institutions: list[Institution] = field(default_factory=list)  # whose sources describe it


@dataclass
class Pooled:
    cluster: str
    href: str | None
    name: str
    own: bool  # the page is the cluster's own page
    members: list[Member] = field(default_factory=list)  # the page's own entity left out
    count: int = 0  # the members but the page's entity, counted up to READ
    capped: bool = False


def pooled(node: ox.NamedNode, own: list[ox.Triple], lookups: Lookups, labeller: Labeller, base: str,
           href: Callable[[str], str | None]) -> Pooled | None:
    """The section, or None for an entity no cluster holds."""
    prefix = iris.pooled(base, "")
    if node.value.startswith(prefix):
        cluster = node
    else:
        clusters = sorted(t.object.value for t in own if t.predicate.value in SAME_AS_IRIS
                          and isinstance(t.object, ox.NamedNode) and t.object.value.startswith(prefix))
        if not clusters:
            return None
        cluster = ox.NamedNode(clusters[0])
    members = _members(cluster, lookups, base)
    others = len(members) - (node.value in members)
    if not others:
        return None
    section = Pooled(cluster.value, href(cluster.value), labeller.label(cluster.value) or cluster.value,
                     own=cluster == node, count=others, capped=len(members) >= READ)
    institutions: dict[str, Institution] = {}
    for iri in [m for m in members if m != node.value][:SHOWN]:
        member = Member(iri, href(iri), labeller.label(iri) or iri)
        for source in _sources(iri, lookups, base):
            if source not in institutions:
                organisation = iris.institution(base, source)
                institutions[source] = Institution(labeller.label(organisation) or source, href(organisation))
            member.institutions.append(institutions[source])
        section.members.append(member)
    section.members.sort(key=lambda m: ([i.name.casefold() for i in m.institutions], m.name.casefold(), m.iri))
    return section


class Shown(Protocol):
    iri: str | None


V = TypeVar("V", bound=Shown)  # entities.Value


def beside(properties: list[tuple[V, list[V]]], section: Pooled | None) -> list[tuple[V, list[V]]]:
    """The page's properties without the `schema:sameAs` values the section shows (its cluster and
    members, which pooling wrote): said once, where they are explained."""
    if section is None:
        return properties
    shown = {section.cluster, *(m.iri for m in section.members)}
    kept = []
    for prop, values in properties:
        if prop.iri in SAME_AS_IRIS:
            values = [v for v in values if v.iri not in shown]
        if values:
            kept.append((prop, values))
    return kept


def _members(cluster: ox.NamedNode, lookups: Lookups, base: str) -> list[str]:
    """The cluster's members: what it is `schema:sameAs` under the entity space (not its authority ids)."""
    space, prefix = iris.entity_space(base), iris.pooled(base, "")
    found: dict[str, None] = {}
    for predicate in SAME_AS:
        for quad in lookups.objects(cluster, predicate, limit=READ):
            target = quad.object
            if isinstance(target, ox.NamedNode) and target.value.startswith(space) and not target.value.startswith(prefix):
                found.setdefault(target.value)
    return sorted(found)[:READ]


def _sources(iri: str, lookups: Lookups, base: str) -> list[str]:
    """The sources whose record graphs describe an entity (not its IRI's path: a Wikidata-keyed
    IRI is shared by every museum that names that person), from the first few graphs that hold it."""
    found: dict[str, None] = {}
    for graph in lookups.graphs(ox.NamedNode(iri), limit=GRAPHS):
        if (source := iris.graph_source(base, graph)) is not None:
            found.setdefault(source)
    return list(found)
