"""The W3C SHACL test suite's shapes and data through the pipeline's engines: the fast engine's findings
(set-at-a-time evaluation, `FastValidator`) against `PyshaclValidator`'s, case by case.

`test_w3c.py` judges `validate_graph` against the suite's expected reports; this uses the suite as a
corpus of odd shapes and data for the engine the pipeline runs, each case's data graph as one record.
"""

from __future__ import annotations

import warnings

import pyoxigraph as ox
import pytest
from rdflib import Graph

from culturedata.records import MappedRecord
from culturedata.validate import PyshaclValidator
from culturedata.validate.fast import FastValidator
from culturedata.validate.fast.terms import to_ox
from culturedata.validate.shapes import ShapeSet

from .conftest import finding_set
from .w3c_suite import cases, suite_root

# Cases where the two engines' findings differ, each with its reason (docs/conformance.md).
KNOWN_DIFFERENCES: dict[str, str] = {}


def _cases():
    if not (suite_root() / "manifest.ttl").is_file():
        return []
    return [c for c in cases() if not c.expects_failure]


def _graph(path) -> Graph:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the suite's data has ill-typed literals on purpose; rdflib warns
        return Graph().parse(path, format="turtle")


@pytest.mark.slow
@pytest.mark.parametrize("case", _cases(), ids=lambda c: c.name)
def test_same_findings_as_pyshacl(case):
    shapes, data = _graph(case.shapes), _graph(case.data)
    record = MappedRecord(
        "w3c", case.name, "http://example.org/graph", tuple(ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in data),
        "hash",
    )
    shape_set = ShapeSet(shapes=shapes, vocabularies=ox.Store(), files=(), visible=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            expected = finding_set(PyshaclValidator(shape_set).validate([record]))
        except Exception as exc:  # pySHACL refuses the case: nothing to compare with
            pytest.skip(f"pySHACL raises: {exc!r}")
        found = finding_set(FastValidator(shape_set).validate([record]))
    if case.name in KNOWN_DIFFERENCES:
        assert found != expected, "a known difference is gone: remove it from KNOWN_DIFFERENCES"
        return
    assert found == expected
