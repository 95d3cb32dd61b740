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
    authorities: frozenset[str] = frozenset()  # canonical authority IRIs (culturedata/authorities.py)
    sites: frozenset[str] = frozenset()  # its own web sites, as `site_key` writes them
    sources: frozenset[str] = frozenset()  # the sources whose records describe it


def site_key(url: str) -> str:
    """A web site as one key whatever the spelling: no scheme, no "www.", no index page or
    trailing slash ("https://www.OCBL.example/index.html" → "ocbl.example")."""
    text = url.strip().lower().split("#", 1)[0].split("?", 1)[0]
    text = text.split("://", 1)[-1].removeprefix("www.")
    for index in ("index.html", "index.htm", "index.php"):
        text = text.removesuffix(index)
    return text.rstrip("/")
