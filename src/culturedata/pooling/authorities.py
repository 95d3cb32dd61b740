"""Authority identifiers, however a source spells them, as one canonical IRI each.

Two entities that carry one canonical id are the same thing (the strongest rule of pooling).
Sources write an id as a URL (http or https, `wiki/` or `entity/`, with or without a trailing
slash), as a prefixed id ("viaf:123") or bare ("Q296", "0000 0001 2103 2683"); each authority's
pattern below reads all of them. `mapping/transforms.py` mints the same canonical IRIs at mapping
time; this reads what the store holds, whatever mapping or RDF source put it there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Authority:
    name: str
    pattern: re.Pattern[str]
    template: str
    upper: bool = False  # ids compared in capitals (Q-ids, ISNI's check character X)
    published: bool = True  # a resolvable IRI, fit for schema:sameAs (the NEQ key is not)


_I = re.IGNORECASE
AUTHORITIES: tuple[Authority, ...] = (
    Authority("wikidata", re.compile(
        r"^(?:(?:https?://)?(?:www\.|m\.)?wikidata\.org/(?:wiki/|entity/)(?:Special:EntityPage/)?|wd:|wikidata:)?"
        r"(Q[1-9]\d*)$", _I), "http://www.wikidata.org/entity/{}", upper=True),
    Authority("ulan", re.compile(
        r"^(?:(?:https?://)?vocab\.getty\.edu/(?:page/)?ulan/|ulan:?\s*)?(500\d{6})$", _I),
        "http://vocab.getty.edu/ulan/{}"),
    Authority("viaf", re.compile(r"^(?:(?:https?://)?(?:www\.)?viaf\.org/viaf/|viaf:?\s*)(\d{2,22})$", _I),
              "http://viaf.org/viaf/{}"),
    Authority("isni", re.compile(
        r"^(?:(?:https?://)?(?:www\.)?isni\.org/(?:isni/)?|isni:?\s*)?((?:\d{4}[\s-]?){3}\d{3}[\dX])$", _I),
        "https://isni.org/isni/{}", upper=True),
    Authority("gnd", re.compile(r"^(?:(?:https?://)?d-nb\.info/gnd/|gnd:?\s*)([\dX-]{2,14})(?:/about.*)?$", _I),
              "https://d-nb.info/gnd/{}", upper=True),
    Authority("artsdata", re.compile(r"^(?:(?:https?://)?kg\.artsdata\.ca/resource/|ad:)?(K\d+-\d+)$", _I),
              "http://kg.artsdata.ca/resource/{}", upper=True),
    Authority("nomisma", re.compile(r"^(?:(?:https?://)?nomisma\.org/id/|nm:)([a-z0-9_.-]+)$", _I),
              "http://nomisma.org/id/{}"),
    # The Quebec enterprise register's number (NEQ): ten digits starting 11, 22, 33 or 88.
    Authority("neq", re.compile(r"^(?:neq:?\s*)?((?:11|22|33|88)\d{8})$", _I), "urn:neq:{}", published=False),
)
BY_NAME = {authority.name: authority for authority in AUTHORITIES}


def canonical(text: str, only: str | None = None) -> str | None:
    """The canonical IRI of an authority id, or None when `text` is no id we know.

    `only` names the authority a field is known to hold (a bare number is read as a NEQ only
    from a NEQ field, so that any ten digits are not taken for one)."""
    value = text.strip().rstrip("/").removesuffix("#this")
    for authority in AUTHORITIES if only is None else (BY_NAME[only],):
        if authority.name == "neq" and only is None:
            continue
        match = authority.pattern.match(value)
        if match:
            code = re.sub(r"[\s-]", "", match.group(1)) if authority.name in ("isni",) else match.group(1)
            return authority.template.format(code.upper() if authority.upper else code)
    return None


def published(iri: str) -> bool:
    """Whether a canonical id is an IRI others dereference (a sameAs target), not only a key."""
    return not iri.startswith("urn:")


def authority_of(iri: str) -> str:
    """The authority's name for a canonical IRI ("wikidata"), for provenance and cluster keys."""
    for authority in AUTHORITIES:
        prefix = authority.template.split("{}")[0]
        if iri.startswith(prefix):
            return authority.name
    return "iri"
