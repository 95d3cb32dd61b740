"""Every spelling of an authority id the sources use gives one canonical IRI (the mapping and pooling both read through it)."""

from __future__ import annotations

import pytest

from culturedata.authorities import canonical

WD = "http://www.wikidata.org/entity/Q296"
ISNI = "https://isni.org/isni/0000000121032683"


@pytest.mark.parametrize("text, expected", [
    ("Q296", WD), ("q296", WD), ("wd:Q296", WD), ("http://www.wikidata.org/entity/Q296", WD),
    ("https://www.wikidata.org/wiki/Q296", WD), ("https://www.wikidata.org/wiki/Special:EntityPage/Q296/", WD),
    ("https://m.wikidata.org/wiki/Q296", WD),
    ("500027998", "http://vocab.getty.edu/ulan/500027998"),
    ("http://vocab.getty.edu/page/ulan/500027998", "http://vocab.getty.edu/ulan/500027998"),
    ("https://viaf.org/viaf/96994048/", "http://viaf.org/viaf/96994048"),
    ("viaf:96994048", "http://viaf.org/viaf/96994048"),
    ("0000 0001 2103 2683", ISNI), ("https://isni.org/isni/0000000121032683", ISNI),
    ("http://www.isni.org/0000-0001-2103-2683", ISNI), ("ISNI 0000 0001 2103 2683", ISNI),
    ("http://d-nb.info/gnd/118540238/about/html", "https://d-nb.info/gnd/118540238"),
    ("https://kg.artsdata.ca/resource/k10-214", "http://kg.artsdata.ca/resource/K10-214"),
    ("http://nomisma.org/id/rome", "http://nomisma.org/id/rome"),
])
def test_spellings_meet_in_one_iri(text: str, expected: str) -> None:
    assert canonical(text) == expected


@pytest.mark.parametrize("text", ["", "RCL-0001", "1987.1.1", "https://museum.example/artist/12", "12345"])
def test_what_is_no_authority_id_is_none(text: str) -> None:
    assert canonical(text) is None


def test_a_neq_is_read_only_from_a_neq_field() -> None:
    assert canonical("1100000001") is None  # ten digits alone are not taken for a NEQ
    assert canonical("1100000001", "neq") == "urn:neq:1100000001"
    assert canonical("12345", "neq") is None


def test_a_bare_number_is_read_only_from_a_field_that_names_its_authority() -> None:
    assert canonical("96994048") is None
    assert canonical("96994048", "viaf") == "http://viaf.org/viaf/96994048"
    assert canonical("118540238", "gnd") == "https://d-nb.info/gnd/118540238"
    assert canonical("viaf:96994048", "wikidata") is None
