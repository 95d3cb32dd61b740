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


LIDO = SHARED / "lido"


def test_real_lido_records_same_findings(validators):
    """Real LIDO records (nfdi4objects/lido-examples @ c6d8c7d4: KENOM coins, La Primavera, ...) mapped with
    the shipped LIDO mapping, then checked against the shipped shapes by both engines."""
    from culturedata.config import Source
    from culturedata.harvest import HarvestOptions, harvest
    from culturedata.mapping import MappingContext, load_mapping, map_records

    from .conftest import finding_set

    files = sorted(LIDO.glob("*.xml")) if LIDO.is_dir() else []
    if not files:
        pytest.skip(f"shared data not found: {LIDO}")
    mapping = load_mapping("lido")
    context = MappingContext.for_source("http://127.0.0.1:8000/", "lido-examples", "fr")
    records = []
    for path in files:
        source = Source(id="lido-examples", name={"fr": "LIDO", "en": "LIDO"}, kind="xml", mapping="lido", path=path)
        try:
            records += [r for r in map_records(mapping, harvest(source, HarvestOptions()), context) if r.triples]
        except Exception as exc:  # a file our LIDO harvester refuses is not this test's subject
            print(f"skipped {path.name}: {exc}")
    if not records:
        pytest.skip("no LIDO example maps with the shipped mapping")
    reference, fast = validators
    expected = finding_set(reference.validate(records))
    assert sum(expected.values()) > 0, "real records break some shipped rules: a real comparison"
    assert finding_set(fast.validate(records)) == expected
