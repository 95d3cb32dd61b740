"""A finding on a node several records of a batch describe goes to each of them (validate/shared.py),
whichever engine checked the batch, and only to records that describe the node."""

from __future__ import annotations

import pytest

from culturedata.records import MappedRecord, NTriples
from culturedata.resources import ontologies_dir, shapes_dir
from culturedata.validate import EngineSpec, validate_records

BASE = "http://127.0.0.1:8000/id/t/"
SCHEMA = "http://schema.org/"
TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
VENUE = BASE + "lieu/salle-nord"  # no address, no coordinates: Place-located fails on it
LOCATED = "https://w3id.org/culturedata/shapes/Place-located"


def event(n: int, venue: str = VENUE, describe_venue: bool = True) -> str:
    lines = [
        f'<{BASE}evenement/{n}> <{TYPE}> <{SCHEMA}Event> .',
        f'<{BASE}evenement/{n}> <{SCHEMA}name> "Concert {n}"@fr .',
        f'<{BASE}evenement/{n}> <{SCHEMA}startDate> "2026-03-0{n}T20:00:00-05:00"'
        '^^<http://www.w3.org/2001/XMLSchema#dateTime> .',
        f'<{BASE}evenement/{n}> <{SCHEMA}location> <{venue}> .',
    ]
    if describe_venue:
        lines += [f'<{venue}> <{TYPE}> <{SCHEMA}Place> .', f'<{venue}> <{SCHEMA}name> "Salle Nord"@fr .']
    return "\n".join(lines) + "\n"


def record(n: int, text: str) -> MappedRecord:
    return MappedRecord("t", f"e{n}", f"http://127.0.0.1:8000/graph/t/e{n}", NTriples(text), f"h{n}",
                        location=f"line {n + 1}")


def located(engine: str, records: list[MappedRecord]) -> dict[str, list[tuple[str | None, int, str]]]:
    spec = EngineSpec(engine, shapes_dir(), ontologies_dir())
    return {
        r.local_id: [(f.focus, f.shared_by, f.local_id) for f in report.findings if f.rule == LOCATED]
        for r, report in validate_records(spec, records, batch_size=500)
    }


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_each_record_describing_the_node_gets_its_finding(engine: str) -> None:
    records = [record(n, event(n)) for n in (1, 2, 3)]
    assert located(engine, records) == {f"e{n}": [(VENUE, 3, f"e{n}")] for n in (1, 2, 3)}


def test_the_finding_says_which_node_is_shared_and_by_how_many_in_both_languages() -> None:
    records = [record(n, event(n)) for n in (1, 2)]
    spec = EngineSpec("fast", shapes_dir(), ontologies_dir())
    for _, report in validate_records(spec, records):
        finding = next(f for f in report.findings if f.rule == LOCATED)
        assert finding.message["en"].endswith(f"Shared node <{VENUE}>: 2 records checked together describe it, "
                                              "and each of them is reported for it (fix it once in the source).")
        assert f"Nœud partagé <{VENUE}> : 2 notices" in finding.message["fr"]


def test_a_record_that_only_points_at_the_node_does_not_carry_it() -> None:
    """Its graph holds no triple about the venue, so it publishes nothing invalid."""
    records = [record(1, event(1)), record(2, event(2)), record(3, event(3, describe_venue=False))]
    assert located("fast", records) == {"e1": [(VENUE, 2, "e1")], "e2": [(VENUE, 2, "e2")], "e3": []}


def test_a_node_one_record_describes_is_reported_as_before() -> None:
    other = BASE + "lieu/salle-sud"
    records = [record(1, event(1)), record(2, event(2, venue=other))]
    assert located("fast", records) == {"e1": [(VENUE, 0, "e1")], "e2": [(other, 0, "e2")]}


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_record_describing_the_node_with_other_properties_carries_it_too(engine: str) -> None:
    """e2 says only the venue's web page: it describes the node all the same, and publishes it."""
    only_url = event(2, describe_venue=False) + f'<{VENUE}> <{SCHEMA}url> <https://salle.example/> .\n'
    records = [record(1, event(1)), record(2, only_url)]
    assert located(engine, records) == {"e1": [(VENUE, 2, "e1")], "e2": [(VENUE, 2, "e2")]}
