"""A CSV record proven free of lone surrogates by what the engine read (surrogates.py) is
refused exactly when the whole-text check refuses it: each way a lone surrogate can reach a
record's triples, mapped by the fast path (which may skip the check) and by the general path
(which never does). The random CSV mappings of test_fast_paths.py put "\\ud800" in cells too."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from culturedata.mapping import MappingContext, map_record
from culturedata.mapping.language import parse_mapping
from culturedata.records import SourceRecord
from culturedata.surrogates import all_encodable, clean_cell, encodable, escaped

from .test_fast_paths import Outcome, outcome

LONE = "\ud800"
BASE = "http://127.0.0.1:8000/"


def mapping_text(const: str = "constant", multivalue_each: bool = False) -> str:
    document = {
        "mapping": "surrogates", "format": "csv", "id": "id",
        "prefixes": {"ex": "http://example.org/p/"},
        "fields": {"id": "id", "title": "title", "note": "note", "parts": "parts"},
        "entities": {
            "main": {"iri": "{base}id/o/{id|slug}", "properties": {
                "ex:title": {"field": "title", "lang": "fr"},
                "ex:note": {"field": "note"},
                "ex:record": {"template": "record {record} of {source}"},
                "ex:const": {"const": const},
                "ex:part": {"entity": "part"},
                "ex:raw": {"field": "raw"},  # not declared under `fields`: read as a column of its own
            }},
            "part": {"within": "main", "iri": "{main}#p-{index}", "when": "parts",
                     **({"each": "parts"} if multivalue_each else {}),
                     "properties": {"ex:text": {"field": "$" if multivalue_each else "parts"}}},
        },
    }
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


def both_ways(text: str, rows: list[tuple[str, dict[str, object]]], context: MappingContext) -> list[Outcome]:
    fast = parse_mapping(text, Path("surrogates.yaml"))
    general = parse_mapping(text, Path("surrogates.yaml"), fast_paths=False)
    outcomes = []
    for local_id, row in rows:
        record = SourceRecord("s", local_id, row, "text/csv", "-")
        expected = outcome(map_record(general, record, context))
        assert outcome(map_record(fast, record, context)) == expected, (local_id, row)
        outcomes.append(expected)
    return outcomes


def refused(found: tuple[str, list[tuple[object, ...]]]) -> bool:
    """No triples, and the finding that says the text is no Unicode."""
    text, findings = found
    return text == "" and any(f[1] == "unmappable" and "\\ud800" in str(f[4]) for f in findings)


ROWS = [
    ("clean", {"id": "1", "title": "Coffre", "note": "a  note\twith\nwhitespace", "parts": "x"}),
    ("in-a-printable-cell", {"id": "2", "title": f"Cof{LONE}fre", "note": "n", "parts": "x"}),
    ("in-a-spaced-cell", {"id": "3", "title": "t", "note": f"a  {LONE}\tb", "parts": "x"}),
    ("in-a-number-cell", {"id": "4", "title": "t", "note": 12.5, "parts": "x"}),
    ("in-an-unread-column", {"id": "5", "title": "t", "other": LONE, "parts": "x"}),
    (f"in-the-record-id-{LONE}", {"id": "6", "title": "t", "parts": "x"}),
    ("in-an-undeclared-column", {"id": "8", "title": "t", "raw": f"r{LONE}", "parts": "x"}),
    ("in-a-multivalue-part", {"id": "7", "title": "t", "parts": ["a", f"b{LONE}"]}),
]


@pytest.mark.parametrize("each", [False, True], ids=["field", "each"])
def test_every_way_in_is_refused_as_the_general_path_refuses_it(each: bool) -> None:
    context = MappingContext.for_source(BASE, "s", "fr")
    found = dict(zip([n for n, _ in ROWS], both_ways(mapping_text(multivalue_each=each), ROWS, context), strict=True))
    # The check must still catch these (else the comparison above proves nothing).
    assert not refused(found["clean"]) and not refused(found["in-an-unread-column"])
    assert not refused(found["in-a-number-cell"])
    for name in ("in-a-printable-cell", "in-a-spaced-cell", f"in-the-record-id-{LONE}", "in-an-undeclared-column",
                 "in-a-multivalue-part"):
        assert refused(found[name]), name


def test_the_mappings_own_texts_and_the_context_are_checked() -> None:
    rows = ROWS[:1]
    assert refused(both_ways(mapping_text(const=f"c{LONE}"), rows, MappingContext.for_source(BASE, "s", "fr"))[0])
    assert refused(both_ways(mapping_text(), rows, MappingContext.for_source(BASE, f"s{LONE}", "fr"))[0])
    assert not refused(both_ways(mapping_text(), rows, MappingContext.for_source(BASE, "s", "fr"))[0])


def test_the_checks() -> None:
    assert encodable("é ascii ü") and encodable("漢字") and not encodable(f"é{LONE}")
    assert clean_cell("tab\there") and not clean_cell(f"tab\t{LONE}")
    assert all_encodable({"a": ("b", ["c"])}) and not all_encodable({"a": ("b", [LONE])})
    assert not all_encodable({LONE: 1})
    assert escaped(f"A{LONE}é") == "A\\ud800é" and escaped("漢字") == "漢字"
