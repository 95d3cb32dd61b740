"""From evidence to clusters: shared ids, scores and the steward's decisions, in that order of
strength, joined with a union-find that refuses any join a rejection forbids.

A link is one reason two entities are the same (`Link.rule`: "authority:wikidata", "score",
"steward"); a cluster is what the links join. Links are kept so that each one can be published
and its provenance told.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations, pairwise

from culturedata.authorities import authority_of
from culturedata.pooling.decisions import Decisions
from culturedata.pooling.entities import Entity
from culturedata.pooling.pairscores import scored_pairs
from culturedata.pooling.scoring import score

STEWARD = "steward"
SCORE = "score"


@dataclass(frozen=True, slots=True)
class Link:
    left: str
    right: str
    rule: str  # "authority:<name>", "score" or "steward"
    score: float = 1.0
    evidence: str = ""  # the shared id, or what the dates said


@dataclass(frozen=True, slots=True)
class Review:
    """A pair scored between the review floor and the threshold: for the steward to decide."""

    left: str
    right: str
    score: float
    names: tuple[str, str]
    dates: str


@dataclass
class Matching:
    links: list[Link] = field(default_factory=list)  # the links that joined clusters
    clusters: list[list[str]] = field(default_factory=list)  # members, sorted; only clusters of 2 or more
    review: list[Review] = field(default_factory=list)
    compared: int = 0  # pairs scored


class _Sets:
    def __init__(self, rejects: Iterable[tuple[str, str]]) -> None:
        self.parent: dict[str, str] = {}
        self.members: dict[str, set[str]] = {}
        self.rejects: defaultdict[str, set[str]] = defaultdict(set)
        for left, right in rejects:
            self.rejects[left].add(right)
            self.rejects[right].add(left)

    def find(self, item: str) -> str:
        self.parent.setdefault(item, item)
        self.members.setdefault(item, {item})
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def together(self, left: str, right: str) -> bool:
        """Whether two items are in one set already; an item never joined is alone (and stays unrecorded)."""
        return left in self.parent and right in self.parent and self.find(left) == self.find(right)

    def join(self, left: str, right: str) -> bool:
        a, b = self.find(left), self.find(right)
        if a == b:
            return False
        if len(self.members[a]) < len(self.members[b]):
            a, b = b, a
        for member in self.members[b]:
            if any(self.find(other) == a for other in self.rejects.get(member, ())):
                return False  # the steward said these are different: no chain of evidence overrides it
        self.parent[b] = a
        self.members[a] |= self.members.pop(b)
        return True


def match(entities: Sequence[Entity], threshold: float, review_floor: float,
          decisions: Decisions | None = None) -> Matching:
    """Steward's accepts first, then shared ids, then scored pairs best first; every join
    checked against the rejections."""
    decisions = decisions or Decisions()
    result = Matching()
    sets = _Sets(decisions.reject)
    known = {entity.iri for entity in entities}
    for one, other in sorted(decisions.accept):
        if one in known and other in known and sets.join(one, other):
            result.links.append(Link(one, other, STEWARD))
    free = [e for e in entities if e.iri not in decisions.split]
    for link in _shared_ids(free):
        if sets.join(link.left, link.right):
            result.links.append(link)
    scored = _scored(free, sets, decisions, threshold, review_floor, result)
    for link in sorted(scored, key=lambda link: (-link.score, link.left, link.right)):
        if sets.join(link.left, link.right):
            result.links.append(link)
    groups: defaultdict[str, list[str]] = defaultdict(list)
    for item in list(sets.parent):
        groups[sets.find(item)].append(item)
    result.clusters = sorted(sorted(g) for g in groups.values() if len(g) > 1)
    # A pair under review that the clusters joined anyway needs no steward.
    result.review = sorted((r for r in result.review if sets.find(r.left) != sets.find(r.right)),
                           key=lambda r: (-r.score, r.left, r.right))
    return result


def _scored(free: Sequence[Entity], sets: _Sets, decisions: Decisions, threshold: float, review_floor: float,
            result: Matching) -> list[Link]:
    """The candidate pairs' links above the threshold; those between the floor and it go to review."""
    scored: list[Link] = []
    alone: list[tuple[int, int, Link]] = []  # a name alone: linked unless it is ambiguous (_ambiguous)
    pairs, result.compared = scored_pairs(free, min(threshold, review_floor))
    for i, j, value, dates, by_name in pairs:
        left, right = free[i], free[j]
        if sets.together(left.iri, right.iri) or (decisions.reject and decisions.rejected(left.iri, right.iri)):
            continue
        if value >= threshold:
            link = Link(left.iri, right.iri, SCORE, value, dates)
            (alone.append((i, j, link)) if by_name else scored.append(link))
        elif value >= review_floor:
            result.review.append(Review(left.iri, right.iri, value, (left.names[0], right.names[0]), dates))
    doubtful = _ambiguous(free, alone)
    for i, j, link in alone:
        if i in doubtful or j in doubtful:
            result.review.append(Review(link.left, link.right, link.score, (free[i].names[0], free[j].names[0]),
                                        link.evidence))
        else:
            scored.append(link)
    return scored


def _ambiguous(free: Sequence[Entity], alone: Sequence[tuple[int, int, Link]]) -> set[int]:
    """The entities whose name alone matches two things that are not one: "Bibliothèque
    Gabrielle-Roy", from a source that gives no town, and the libraries of that name in Laval and
    in Québec. Which one it is is the steward's to say, so none of its name-alone links is made."""
    partners: defaultdict[int, list[int]] = defaultdict(list)
    for i, j, _ in alone:
        partners[i].append(j)
        partners[j].append(i)
    return {index for index, others in partners.items()
            if any(score(free[a], free[b]).dates == "conflict" for a, b in combinations(others, 2))}


def _shared_ids(entities: Sequence[Entity]) -> list[Link]:
    """Entities sharing a canonical id, chained (a star would do as well: one link per member)."""
    holders: defaultdict[str, list[str]] = defaultdict(list)
    for entity in entities:
        for iri in entity.authorities:
            holders[(entity.kind + " " + iri)].append(entity.iri)
    links: list[Link] = []
    for key, members in sorted(holders.items()):
        iri = key.split(" ", 1)[1]
        ordered = sorted(set(members))
        links.extend(Link(a, b, f"authority:{authority_of(iri)}", 1.0, iri) for a, b in pairwise(ordered))
    return links
