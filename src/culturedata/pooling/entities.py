"""What pooling knows of an entity: the few facts that tell it apart from another."""

from __future__ import annotations

from dataclasses import dataclass

PERSON, ORGANISATION = "person", "organisation"
KINDS = (PERSON, ORGANISATION)


@dataclass(frozen=True, slots=True)
class Entity:
    iri: str
    kind: str  # PERSON or ORGANISATION: a person is only ever compared with persons
    names: tuple[str, ...]
    born: int | None = None  # a person's birth year, an organisation's founding year
    died: int | None = None  # death or dissolution
    places: frozenset[str] = frozenset()  # folded place names and place IRIs
    authorities: frozenset[str] = frozenset()  # canonical authority IRIs (authorities.py)
    sources: frozenset[str] = frozenset()  # the sources whose records describe it
