"""The engine behind its small interface: chosen by name, run in worker processes with the
same results as in this process, records tied back to their findings by position."""

from __future__ import annotations

import pytest
from validation_inputs import BAD, MAPPING, SHAPES, VOCAB

from culturedata.errors import ShapesError
from culturedata.harvest import harvest
from culturedata.mapping import MappingContext, load_mapping, map_records
from culturedata.records import MappedRecord
from culturedata.validate import (
    ENGINES,
    EngineSpec,
    PyshaclValidator,
    load_shapes,
    make_validator,
    validate_records,
)
from culturedata.validate.shapes import visible_predicates


def _records(copies: int) -> list[MappedRecord]:
    from culturedata.cli.inputs import resolve_input
    from culturedata.cli.state import State

    source = resolve_input(State(config_path=BAD.parent / "none.toml"), str(BAD), str(MAPPING))
    context = MappingContext.for_source("http://127.0.0.1:8000/", "bad", "fr")
    mapping = load_mapping(str(MAPPING))
    return [record for _ in range(copies) for record in map_records(mapping, harvest(source), context)]


def _flat(pairs) -> list[tuple[str, tuple]]:  # type: ignore[no-untyped-def]
    return [(record.key, tuple(sorted((f.rule, f.focus or "", f.value or "") for f in report.findings)))
            for record, report in pairs]


@pytest.mark.slow
def test_worker_processes_find_what_this_process_finds():
    records = _records(4)  # 44 records in batches of 5: nine batches over two workers
    spec = EngineSpec("pyshacl", SHAPES, VOCAB)
    here = _flat(validate_records(spec.build(), records, batch_size=5))
    there = _flat(validate_records(spec, records, batch_size=5, workers=2))
    assert there == here
    assert sum(1 for _, findings in here if findings) == 4 * 7  # unmappable and duplicate included


def test_engines_are_chosen_by_name():
    shapes = load_shapes(SHAPES, VOCAB)
    assert ENGINES["pyshacl"] is PyshaclValidator
    assert isinstance(make_validator("pyshacl", shapes), PyshaclValidator)
    with pytest.raises(ShapesError) as caught:
        make_validator("turbo", shapes)
    assert "pyshacl" in str(caught.value)


def test_only_predicates_the_shapes_mention_are_copied():
    visible = load_shapes(SHAPES, VOCAB).visible
    assert visible is not None
    assert "http://schema.org/name" in visible and "http://www.w3.org/2004/02/skos/core#inScheme" in visible
    assert "http://schema.org/keywords" not in visible


def test_closed_shapes_see_every_triple():
    from rdflib import Graph

    closed = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <https://w3id.org/culturedata/shapes/Closed> a sh:NodeShape ; sh:closed true .
    """, format="turtle")
    assert visible_predicates(closed) is None
