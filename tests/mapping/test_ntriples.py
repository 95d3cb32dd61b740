"""The engine's N-Triples writers: every term they write reads back as the same pyoxigraph term,
and no IRI or language tag Oxigraph would refuse is ever written."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from culturedata.mapping import ntriples

XSD = "http://www.w3.org/2001/XMLSchema#"
S, P = "<http://x.test/s>", "<http://x.test/p>"

TEXTS = ['plain', 'a "quoted" word', "back\\slash", "line\nbreak", "cr\rlf", "tab\tand\x01control\x7f",
         "Trois-Rivières, « vers 1850 »", "emoji 🎻", "\u2028 separator", "ends with .", " .\n<x> <y> <z> ."]


def read(obj: str) -> ox.Literal | ox.NamedNode:
    (quad,) = ox.parse(f"{S} {P} {obj} .\n", format=ox.RdfFormat.N_TRIPLES)
    return quad.object


@pytest.mark.parametrize("text", TEXTS)
def test_literals_read_back_exactly(text: str) -> None:
    assert read(ntriples.plain(text)) == ox.Literal(text)
    assert read(ntriples.tagged(text, "fr-ca")) == ox.Literal(text, language="fr-CA")
    suffix = ntriples.datatype_suffix(XSD + "gYear")
    assert read(ntriples.typed(text, suffix)) == ox.Literal(text, datatype=ox.NamedNode(XSD + "gYear"))


def test_xsd_string_is_written_as_a_plain_literal_so_equal_triples_are_equal_lines() -> None:
    assert ntriples.typed("x", ntriples.datatype_suffix(XSD + "string")) == ntriples.plain("x") == '"x"'


def test_language_tags_are_checked_and_lowered_as_oxigraph_keeps_them() -> None:
    assert ntriples.language("fr-CA") == "fr-ca"
    assert ntriples.language("en") == "en"
    assert ntriples.language("not a tag!") is None
    assert ntriples.language("") is None


@pytest.mark.parametrize("text", [
    "http://127.0.0.1:8000/id/s/objet/1998.3.12", "https://x.test/a?b=c&d=e#frag", "http://x.test/%C3%A9t%C3%A9",
    "http://x.test/é", "urn:isbn:0451450523", "mailto:a@b.test", "http://[::1]/x", "ftp://h/p;type=a",
    "http://a b", "http://x.test/{y}", "http://x.test/%zz", "rel/path", "", "http://x.test/a#b#c",
    "http://[bad/", "javascript:alert(1)", "http://x.test/a|b", "http://x.test/\\", "http://x.test/`",
])
def test_an_iri_is_written_exactly_when_oxigraph_accepts_it(text: str) -> None:
    try:
        ox.NamedNode(text)
        accepted = True
    except ValueError:
        accepted = False
    written = ntriples.iri(text)
    assert (written is not None) == accepted
    if accepted:
        assert read(written) == ox.NamedNode(text)
