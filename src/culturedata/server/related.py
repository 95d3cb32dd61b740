"""The entities a page links to by what they share: the creator's other works, the venue's other
events, the institution's collection, and the reverse on the creator's, the venue's and the
institution's own pages.

Each list is one lookup by object with a bound predicate (`?work schema:creator <creator>`),
at most LIMIT entries, with the total counted up to COUNT_CAP: a museum of a million objects
costs its page the same as one of twenty.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from culturedata.server.labels import Labeller, schema
from culturedata.server.lookups import Lookups, Subject

LIMIT = 20
COUNT_CAP = 10_000
HELD_BY = [ox.NamedNode("https://w3id.org/culturedata/ns/qcp#heldBy"), *schema("holdingArchive")]
# (predicate, heading on the page of a thing that has it, heading on the page of what it points at)
LINKS = [
    (schema("creator"), "server.entity.related.works_by", "server.entity.related.works"),
    (schema("location"), "server.entity.related.events_at", "server.entity.related.events"),
    (HELD_BY, "server.entity.related.collection_of", "server.entity.related.collection"),
]


@dataclass
class Link:
    iri: str
    text: str


@dataclass
class Related:
    heading: str  # a message code; `name` fills its {name}
    name: str
    links: list[Link] = field(default_factory=list)
    count: int = 0
    capped: bool = False  # there are at least `count` (COUNT_CAP reached)


def related(node: ox.NamedNode, facts: list[ox.Triple], lookups: Lookups, labeller: Labeller) -> list[Related]:
    """The page's lists of related entities, the empty ones left out."""
    found = []
    for predicates, other, own in LINKS:
        names = {p.value for p in predicates}
        for target in dict.fromkeys(t.object for t in facts if t.predicate.value in names):
            if isinstance(target, ox.NamedNode):
                found.append(_list(predicates, target, node, lookups, labeller, other,
                                   labeller.label(target.value) or target.value))
        found.append(_list(predicates, node, node, lookups, labeller, own, ""))
    return [r for r in found if r.links]


def _list(predicates: list[ox.NamedNode], target: ox.NamedNode, page: ox.NamedNode, lookups: Lookups,
          labeller: Labeller, heading: str, name: str) -> Related:
    """Who points at `target` through `predicates`, the page's own entity left out."""
    subjects: dict[str, Subject] = {}
    count = 0
    for predicate in predicates:
        for subject in lookups.subjects(predicate, target, LIMIT + 1):
            if subject != page and len(subjects) < LIMIT:
                subjects.setdefault(str(subject), subject)
        count += lookups.count(predicate, target, COUNT_CAP)
        count -= lookups.has(page, predicate, target)  # the page's own entity is no "other" work
    links = sorted((Link(s.value, labeller.label(s.value) or s.value) for s in subjects.values()
                    if isinstance(s, ox.NamedNode)), key=lambda link: link.text.casefold())
    return Related(heading, name, links, count, count >= COUNT_CAP - 1)
