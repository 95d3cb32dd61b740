"""The W3C SHACL test suite (core and sparql), run with both engines."""

from __future__ import annotations

import warnings

import pytest

from .w3c_suite import ENGINES, cases, run_case, suite_root

# Cases pySHACL passes and the fast engine does not, each with its reason (docs/conformance.md).
KNOWN_FAST_ONLY_FAILURES = {
    "core/path/path-strange-001",  # a shared blank node in a sequence path: one result differs
    "core/property/datatype-ill-formed",  # ill-typed literal round trip through pyoxigraph
}
FAST_PASSES_AT_LEAST = 116
PYSHACL_PASSES_AT_LEAST = 111


@pytest.fixture(scope="module")
def outcomes():
    if not (suite_root() / "manifest.ttl").is_file():
        pytest.skip(f"W3C SHACL test suite not found at {suite_root()}")
    found = list(cases())
    assert len(found) == 120
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the suite's data has ill-typed literals on purpose; rdflib warns
        return {name: {c.name: run_case(c, engine) for c in found} for name, engine in ENGINES.items()}


@pytest.mark.slow
def test_fast_engine_pass_count(outcomes):
    assert sum(o.passed for o in outcomes["fast"].values()) >= FAST_PASSES_AT_LEAST


@pytest.mark.slow
def test_pyshacl_pass_count(outcomes):
    assert sum(o.passed for o in outcomes["pyshacl"].values()) >= PYSHACL_PASSES_AT_LEAST


@pytest.mark.slow
def test_no_unlisted_regression_against_pyshacl(outcomes):
    regressions = {
        name for name, outcome in outcomes["fast"].items()
        if not outcome.passed and outcomes["pyshacl"][name].passed
    }
    assert regressions <= KNOWN_FAST_ONLY_FAILURES, sorted(regressions - KNOWN_FAST_ONLY_FAILURES)
