"""Writing RDF terms as N-Triples text, the engine's output.

Building pyoxigraph terms one by one from Python costs more than the rest of the mapping, so
the engine writes each triple as one N-Triples line and the store loads the record's text
with Oxigraph's parser. That parser checks every IRI and language tag and refuses the whole
input on the first bad one, so nothing reaches the text unchecked: an IRI taken from source
values is written only when Oxigraph itself would accept it, and a language tag likewise.

Every term is written in one canonical way (language tags in lower case, as Oxigraph keeps
them; xsd:string literals without their datatype), so two equal triples are two equal lines
and a record's lines can be deduplicated as text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pyoxigraph import Literal, NamedNode

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# IRIs in the common, plain ASCII shape need no call into Oxigraph: a scheme, an authority of
# host characters and an optional port, then path, query and one fragment made of the
# characters RFC 3987 allows there (percent signs only as %XX). Anything else, including every
# non-ASCII IRI, is checked by pyoxigraph's own IRI parser, so the two can never disagree.
_IRI_CHAR = r"[A-Za-z0-9._~!$&'()*+,;=:@/?-]"
_IRI_TAIL = rf"{_IRI_CHAR}*(?:%[0-9A-Fa-f]{{2}}{_IRI_CHAR}*)*"  # written so that re need not backtrack
_PLAIN_IRI = re.compile(
    rf"[A-Za-z][A-Za-z0-9+.-]*://[A-Za-z0-9._~-]+(?::[0-9]*)?(?:[/?]{_IRI_TAIL})?(?:#{_IRI_TAIL})?"
)
_PLAIN_MATCH = _PLAIN_IRI.fullmatch
ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
needs_escape = re.compile(r'[\\"\n\r]').search  # a match when the text needs ESCAPES


def iri(text: str) -> str | None:
    """`<text>`, or None when `text` is not an absolute IRI Oxigraph accepts."""
    if _PLAIN_MATCH(text) is not None:
        return f"<{text}>"
    return _checked_iri(text)


@lru_cache(maxsize=4096)
def _checked_iri(text: str) -> str | None:
    try:
        NamedNode(text)
    except ValueError:
        return None
    return f"<{text}>"


def escape(text: str) -> str:
    return text.translate(ESCAPES) if needs_escape(text) is not None else text


def plain(text: str) -> str:
    """A literal without language or datatype."""
    return f'"{text.translate(ESCAPES)}"' if needs_escape(text) is not None else f'"{text}"'


def tagged(text: str, tag: str) -> str:
    """A literal with a language tag already checked by `language`."""
    return f'"{text.translate(ESCAPES)}"@{tag}' if needs_escape(text) is not None else f'"{text}"@{tag}'


def typed(text: str, datatype: str) -> str:
    """A literal with a datatype written by `datatype_suffix`."""
    return f'"{text.translate(ESCAPES)}"{datatype}' if needs_escape(text) is not None else f'"{text}"{datatype}'


@lru_cache(maxsize=256)
def language(tag: str) -> str | None:
    """The tag as Oxigraph writes it (lower case), or None when Oxigraph refuses it."""
    try:
        return Literal("", language=tag).language
    except ValueError:
        return None


@lru_cache(maxsize=256)
def datatype_suffix(datatype: str) -> str:
    """`^^<datatype>`, empty for xsd:string; a malformed datatype IRI raises ValueError."""
    if datatype == XSD_STRING:
        return ""
    NamedNode(datatype)
    return f"^^<{datatype}>"


def triple_line(subject: str, predicate: str, obj: str) -> str:
    return f"{subject} {predicate} {obj} .\n"
