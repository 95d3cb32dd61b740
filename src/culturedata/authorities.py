"""Authority identifiers, however a source spells them, as one canonical IRI each.

Sources write an id as a URL (http or https, `wiki/` or `entity/`, with or without a trailing
slash), as a prefixed id ("viaf:123") or bare ("Q296", "0000 0001 2103 2683"). The mapping's
`wikidata`, `ulan`, `viaf`, `isni`, `artsdata`, `authority` and `sameas` transforms mint these
IRIs at mapping time; pooling reads them again from whatever the store holds (an RDF source's
own spelling) and links two entities that share one. Both read through `canonical`, so a
spelling one accepts the other accepts too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Authority:
    name: str
    prefix: str  # the URL and prefixed forms before the id (a regular expression)
    code: str  # the id itself (one group)
    template: str
    upper: bool = False  # ids compared in capitals (Q-ids, ISNI's check character X)
    # A bare id tells its authority by its shape alone ("Q296", a ULAN number); a bare VIAF or
    # GND number does not, and is read only from a field known to hold that authority.
    bare: bool = True
    # Read only from a field known to hold it, even prefixed (the NEQ: any ten digits would do).
    field_only: bool = False
    suffix: str = ""  # what may follow the id and is no part of it (GND's "/about/html")
    published: bool = True  # a resolvable IRI, fit for schema:sameAs (the NEQ key is not)
    anywhere: re.Pattern[str] = field(init=False, repr=False, compare=False)
    known: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        optional = "?" if self.bare else ""
        tail = f"(?:{self.suffix})?" if self.suffix else ""
        object.__setattr__(self, "anywhere", re.compile(f"^(?:{self.prefix}){optional}({self.code}){tail}$", re.I))
        object.__setattr__(self, "known", re.compile(f"^(?:{self.prefix})?({self.code}){tail}$", re.I))


AUTHORITIES: tuple[Authority, ...] = (
    Authority("wikidata", r"(?:https?://)?(?:www\.|m\.)?wikidata\.org/(?:wiki/|entity/)(?:Special:EntityPage/)?"
              r"|wd:|wikidata:", r"Q[1-9]\d*", "http://www.wikidata.org/entity/{}", upper=True),
    Authority("ulan", r"(?:https?://)?vocab\.getty\.edu/(?:page/)?ulan/|ulan:?\s*", r"500\d{6}",
              "http://vocab.getty.edu/ulan/{}"),
    Authority("viaf", r"(?:https?://)?(?:www\.)?viaf\.org/viaf/|viaf:?\s*", r"\d{2,22}",
              "http://viaf.org/viaf/{}", bare=False),
    Authority("isni", r"(?:https?://)?(?:www\.)?isni\.org/(?:isni/)?|isni:?\s*", r"(?:\d{4}[\s-]?){3}\d{3}[\dX]",
              "https://isni.org/isni/{}", upper=True),
    Authority("gnd", r"(?:https?://)?d-nb\.info/gnd/|gnd:?\s*", r"[\dX-]{2,14}",
              "https://d-nb.info/gnd/{}", upper=True, bare=False, suffix=r"/about.*"),
    Authority("artsdata", r"(?:https?://)?kg\.artsdata\.ca/resource/|ad:", r"K\d+-\d+",
              "http://kg.artsdata.ca/resource/{}", upper=True),
    Authority("nomisma", r"(?:https?://)?nomisma\.org/id/|nm:", r"[a-z0-9_.-]+", "http://nomisma.org/id/{}",
              bare=False),
    # The Quebec enterprise register's number (NEQ): ten digits starting 11, 22, 33 or 88.
    Authority("neq", r"neq:?\s*", r"(?:11|22|33|88)\d{8}", "urn:neq:{}", bare=False, field_only=True,
              published=False),
)
BY_NAME = {authority.name: authority for authority in AUTHORITIES}
NAMES = tuple(BY_NAME)


def canonical(text: str, only: str | None = None) -> str | None:
    """The canonical IRI of an authority id, or None when `text` is no id we know.

    `only` names the authority a field is known to hold: its bare ids are read too (a VIAF
    number from a VIAF column; a NEQ only from a NEQ field, so that any ten digits are not
    taken for one)."""
    value = text.strip().rstrip("/").removesuffix("#this")
    for authority in AUTHORITIES if only is None else (BY_NAME[only],):
        if only is None and authority.field_only:
            continue
        match = (authority.anywhere if only is None else authority.known).match(value)
        if match:
            code = re.sub(r"[\s-]", "", match.group(1)) if authority.name == "isni" else match.group(1)
            return authority.template.format(code.upper() if authority.upper else code)
    return None


def published(iri: str) -> bool:
    """Whether a canonical id is an IRI others dereference (a sameAs target), not only a key."""
    return not iri.startswith("urn:")


def authority_of(iri: str) -> str:
    """The authority's name for a canonical IRI ("wikidata"), for provenance and cluster keys."""
    for authority in AUTHORITIES:
        if iri.startswith(authority.template.split("{}")[0]):
            return authority.name
    return "iri"
