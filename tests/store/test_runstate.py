"""A source's quality and open findings, counted from what the system graph keeps per record."""

from __future__ import annotations

import pyoxigraph as ox
from test_loader import AT, SYSTEM, loader, record

from culturedata.records import Finding, Severity
from culturedata.store import EmbeddedTarget, Loader, Provenance, SourceQuality, source_quality
from culturedata.store.target import read_records

MESSAGE = {"en": "e", "fr": "f"}


def finding(rule: str, severity: Severity = Severity.VIOLATION) -> Finding:
    return Finding("validate", severity, rule, MESSAGE, "src", "x")


def test_live_records_with_a_violation_lower_quality_whatever_happened_to_them() -> None:
    store = ox.Store()
    first = loader(store)
    first.add(record("clean", "Berceau"))
    first.add(record("warned", "Rouet"), [finding("licence", Severity.WARNING), finding("licence", Severity.WARNING)])
    first.add(record("published-broken", "Canot"), [finding("name"), finding("date"), finding("licence", Severity.INFO)])
    first.quarantine(record("kept-out", ""), "name", MESSAGE, findings=[finding("name")])
    first.add(record("gone", "Raquettes"), [finding("name")])
    first.add(record("held", "Horloge"))
    first.flush()
    target = first.target
    assert source_quality(target, "src").live == 6

    second = loader(store)
    second.hold(record("held", "", "h2"), "date", MESSAGE, [finding("date")])
    second.remove("http://x.test/graph/src/gone")
    second.flush()
    quality = source_quality(target, "src")
    # Live: clean, warned, published-broken, kept-out, held; with a violation: the last three.
    assert (quality.live, quality.violating, quality.quality) == (5, 3, 2 / 5)
    # Per rule, records (each once, whatever its severity or how often it breaks the rule).
    assert quality.rules == {"date": 2, "licence": 2, "name": 2}


def test_fixed_records_stop_counting_and_other_sources_never_do() -> None:
    store = ox.Store()
    first = loader(store)
    first.quarantine(record("a", ""), "name", MESSAGE, findings=[finding("name")])
    first.flush()
    other = Loader(EmbeddedTarget(store, SYSTEM), Provenance(SYSTEM, "http://x.test/run/1", "other"), AT,
                   read_records(store, SYSTEM))
    other.quarantine(record("b", ""), "name", MESSAGE, findings=[finding("name")])
    other.flush()
    second = loader(store)
    second.add(record("a", "Berceau", "h2"))
    second.flush()
    assert source_quality(second.target, "src") == SourceQuality(live=1, violating=0, rules={})
    assert source_quality(second.target, "nobody").quality == 1.0
