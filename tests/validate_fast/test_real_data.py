"""Third-party shapes over third-party data: Artsdata.ca's SHACL shapes and scraped Quebec event pages.

Data: ../shared/data/artsdata (culturecreates/artsdata-data-model @ 3133a720, CC0) and
../shared/data/artsdata-orion (culturecreates/artsdata-orion @ 0cb05264, scraped public event pages).
"""

from __future__ import annotations

import warnings

import pyshacl
import pytest
from pyshacl.errors import ConstraintLoadError
from rdflib import Graph

from culturedata.validate.fast import validate_graph

from .conftest import SHARED
from .test_differential import result_set

ARTSDATA = SHARED / "artsdata" / "shacl"
ORION = SHARED / "artsdata-orion"


def _graph(path, fmt: str) -> Graph:
    if not path.is_file():
        pytest.skip(f"shared data not found: {path}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # real pages carry odd literals; rdflib warns while parsing
        return Graph().parse(path, format=fmt)


@pytest.mark.slow
def test_artsdata_shapes_on_scraped_events_same_results():
    shapes = _graph(ARTSDATA / "shacl_artsdata.ttl", "turtle")
    data = _graph(ORION / "grandsballets-com.jsonld", "json-ld")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected_conforms, expected, _ = pyshacl.validate(data, shacl_graph=shapes)
        conforms, report, _ = validate_graph(data, shapes)
    expected_results = result_set(expected)
    assert sum(expected_results.values()) > 100, "the scraped pages break Artsdata's rules: a real comparison"
    assert result_set(report) == expected_results
    assert conforms == expected_conforms


def test_malformed_shapes_refused_by_both_engines():
    """Artsdata's older event shape uses sh:ignoredProperties without sh:closed: both engines refuse it."""
    shapes = _graph(ARTSDATA / "shacl_events_shape.ttl", "turtle")
    data = _graph(SHARED / "artsdata" / "samples" / "event-single.json", "json-ld")
    with pytest.raises(ConstraintLoadError):
        pyshacl.validate(data, shacl_graph=shapes)
    with pytest.raises(ConstraintLoadError):
        validate_graph(data, shapes)
