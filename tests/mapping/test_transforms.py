"""Transforms on the messy values real exports carry (the demo inputs and ../shared/data)."""

from __future__ import annotations

import pytest

from culturedata.mapping.transforms import EDTF, IRI, TRANSFORMS, XSD, Unreadable, Value


def run(name: str, text: str) -> list[Value]:
    return TRANSFORMS[name](Value(text, "fr"))


@pytest.mark.parametrize(
    ("text", "expected", "datatype"),
    [
        ("1885", "1885", XSD + "gYear"),
        ("1885-03-12", "1885-03-12", XSD + "date"),
        ("12 mars 1905", "1905-03-12", XSD + "date"),
        ("1er janvier 1900", "1900-01-01", XSD + "date"),
        ("2026-01-24T20:00-05:00", "2026-01-24T20:00:00-05:00", XSD + "dateTime"),
        ("2026-05-24T00:00:00", "2026-05-24T00:00:00", XSD + "dateTime"),
        ("/Date(1291352400000-0500)/", "2010-12-03", XSD + "date"),  # Réseau Culture Laurentides API
        ("vers 1850", "1850~", EDTF),
        ("ca. 1850", "1850~", EDTF),
        ("1852–1911", "1852/1911", EDTF),  # en dash, as in the Tate CSV
        ("1852-1911", "1852/1911", EDTF),
        ("1930/1940", "1930/1940", EDTF),
        ("1885/1885", "1885", XSD + "gYear"),
        ("1920?", "1920?", EDTF),
        ("XIXe siècle", "18XX", EDTF),
        ("début XXe siècle", "1900/1933", EDTF),
        ("19th century", "18XX", EDTF),
        ("années 1920", "192X", EDTF),
    ],
)
def test_dates(text: str, expected: str, datatype: str) -> None:
    [value] = run("date", text)
    assert (value.text, value.datatype) == (expected, datatype)
    if datatype == EDTF:  # built without the (slow) edtf parser: check it agrees
        from edtf import parse_edtf

        parse_edtf(value.text)


@pytest.mark.parametrize("text", ["s.d.", "date not known", "1885-13-40", "hier"])
def test_unreadable_dates_raise(text: str) -> None:
    with pytest.raises(Unreadable):
        run("date", text)


def test_precise_keeps_only_xsd_dates() -> None:
    assert run("precise", "x") == []
    assert TRANSFORMS["precise"](Value("1885", None, XSD + "gYear")) == [Value("1885", None, XSD + "gYear")]


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("wikidata", "https://www.wikidata.org/wiki/Q296", "http://www.wikidata.org/entity/Q296"),
        ("wikidata", "q296", "http://www.wikidata.org/entity/Q296"),
        ("authority", "http://www.wikidata.org/entity/Q5598", "http://www.wikidata.org/entity/Q5598"),
        ("ulan", "http://vocab.getty.edu/page/ulan/500115393", "http://vocab.getty.edu/ulan/500115393"),
        ("authority", "500115393", "http://vocab.getty.edu/ulan/500115393"),
        ("viaf", "https://viaf.org/viaf/96994048/", "http://viaf.org/viaf/96994048"),
        ("viaf", "96994048", "http://viaf.org/viaf/96994048"),
        ("sameas", "http://d-nb.info/gnd/118540238/about/html", "https://d-nb.info/gnd/118540238"),
        ("isni", "0000 0001 2146 438X", "https://isni.org/isni/000000012146438X"),
        ("artsdata", "http://kg.artsdata.ca/resource/K10-440", "http://kg.artsdata.ca/resource/K10-440"),
        ("schema", "https://schema.org/EventScheduled", "http://schema.org/EventScheduled"),
        ("schema", "EventCancelled", "http://schema.org/EventCancelled"),
        ("url", "www.musee-fjord-bleu.example/collection/1989.1.1",
         "http://www.musee-fjord-bleu.example/collection/1989.1.1"),
        ("licence", "Domaine public", "https://creativecommons.org/publicdomain/mark/1.0/"),
        ("licence", "CC BY-NC 4.0", "https://creativecommons.org/licenses/by-nc/4.0/"),
        ("licence", "Tous droits réservés", "http://rightsstatements.org/vocab/InC/1.0/"),
    ],
)
def test_identifiers_become_canonical_iris(name: str, text: str, expected: str) -> None:
    [value] = run(name, text)
    assert (value.text, value.datatype) == (expected, IRI)


@pytest.mark.parametrize(("name", "text"), [("wikidata", "Bouchard"), ("url", "inconnu"), ("licence", "libre"),
                                            ("authority", "96994048")])  # a bare number names no authority
def test_unusable_identifiers_raise(name: str, text: str) -> None:
    with pytest.raises(Unreadable):
        run(name, text)


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("name", "Bouchard, Hélène (1898-1976)", "Hélène Bouchard"),
        ("name", "Gillies, Sir William", "Sir William Gillies"),
        ("name", "Studio Lavoie (Chicoutimi)", "Studio Lavoie (Chicoutimi)"),
        ("html", "<p>Dans cet <i>Apéro</i>&nbsp;Symphonique</p>", "Dans cet Apéro Symphonique"),
        ("whitespace", "  Rouet \n à laine ", "Rouet à laine"),
        ("telephone", "(450) 555-0123", "+1-450-555-0123"),
        ("telephone", "+1 819-555-0117", "+1-819-555-0117"),
        ("unit", "61 x 76 cm", "CMT"),
        ("unit", "mm", "MMT"),
    ],
)
def test_text_transforms(name: str, text: str, expected: str) -> None:
    assert run(name, text)[0].text == expected


@pytest.mark.parametrize(("text", "expected", "kind"), [("32,50", "32.50", "decimal"), ("H. 48 cm", "48", "integer"),
                                                         ("-74.0036", "-74.0036", "decimal")])
def test_numbers(text: str, expected: str, kind: str) -> None:
    [value] = run("number", text)
    assert (value.text, value.datatype) == (expected, XSD + kind)


def test_text_transforms_keep_the_language() -> None:
    assert run("html", "<b>Berceau</b>") == [Value("Berceau", "fr")]


@pytest.mark.parametrize("text, born, died", [
    ("Bouchard, Hélène (1898-1976)", "1898", "1976"), ("Gauthier, Nadia (née en 1972)", "1972", None),
    ("Arneson, Robert [born 1930]", "1930", None), ("Tremblay, J.-A. (–1911)", None, "1911"),
    ("Studio Lavoie (Chicoutimi)", None, None), ("Harvey, Luc", None, None),
    # whitespace after the dates (the pattern's `\s*$`, which the bracket pre-check must strip alike)
    ("Bouchard, Hélène (1898-1976) \n", "1898", "1976"), ("Bouchard, Hélène [1898-1976]\u2003", "1898", "1976"),
    ("(1898-1976) Bouchard, Hélène", None, None), ("", None, None),
])
def test_born_and_died_read_the_life_dates_after_a_name(text: str, born: str | None, died: str | None) -> None:
    for name, expected in (("born", born), ("died", died)):
        values = TRANSFORMS[name](Value(text))
        assert values == ([Value(expected, None, XSD + "gYear")] if expected else [])
