"""The dashboard's figures: per source from the run reports (`<store>/reports/run-*.json`),
per region from the served graph. Either may be missing; the page says so."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from culturedata.iris import REGIONS
from culturedata.resources import ontologies_dir
from culturedata.server.reader import select

REGION_COUNTS = """
PREFIX schema: <https://schema.org/>
PREFIX sdo: <http://schema.org/>
PREFIX qcp: <https://w3id.org/culturedata/ns/qcp#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?region (SAMPLE(?name) AS ?label) ?kind (COUNT(DISTINCT ?entity) AS ?n) WHERE {
  VALUES (?type ?kind) {
    (qcp:HeritageObject "objects") (schema:Organization "organisations") (schema:Museum "organisations")
    (schema:Event "events") (schema:ExhibitionEvent "events") (schema:TheaterEvent "events")
    (sdo:Organization "organisations") (sdo:Museum "organisations") (sdo:Event "events")
  }
  ?entity a ?type ;
          (schema:location|qcp:heldBy|schema:containedInPlace|sdo:location|sdo:containedInPlace)+ ?region .
  FILTER(STRSTARTS(STR(?region), {regions}))
  OPTIONAL { ?region skos:prefLabel|schema:name|sdo:name ?wanted FILTER(LANGMATCHES(LANG(?wanted), {lang})) }
  OPTIONAL { ?region skos:prefLabel|schema:name|sdo:name ?other }
  BIND(COALESCE(?wanted, ?other) AS ?name)
}
GROUP BY ?region ?kind ORDER BY ?region
"""


@dataclass
class SourceHistory:
    source: str
    runs: list[tuple[str, float]] = field(default_factory=list)  # (snapshot id, quality)
    last: dict[str, Any] = field(default_factory=dict)  # the source's entry in the last run report (JSON)
    rules: list[tuple[str, int]] = field(default_factory=list)  # the most broken rules, records per rule

    def sparkline(self, width: int = 160, height: int = 36) -> str:
        """SVG polyline points of the quality over the runs, 0..1 mapped to the height."""
        if not self.runs:
            return ""
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in self.points(width, height))

    def points(self, width: int = 160, height: int = 36) -> list[tuple[float, float]]:
        step = width / max(len(self.runs) - 1, 1)
        margin = 3  # keeps the dots of 0 % and 100 % inside the picture
        return [(i * step if len(self.runs) > 1 else width / 2, margin + (1 - quality) * (height - 2 * margin))
                for i, (_, quality) in enumerate(self.runs)]


@dataclass
class RegionRow:
    region: str
    label: str
    counts: Counter[str] = field(default_factory=Counter)


def source_histories(reports_dir: Path, keep: int = 30) -> list[SourceHistory]:
    histories: dict[str, SourceHistory] = {}
    for path in sorted(reports_dir.glob("run-*.json"))[-keep:]:
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue  # a report being written, or damaged: the others still tell the story
        snapshot = report.get("snapshot") or path.stem[4:]
        for source in report.get("sources", []):
            history = histories.setdefault(source["source"], SourceHistory(source["source"]))
            quality = source.get("quality")
            if quality is None:
                checked = source.get("published", 0) + source.get("quarantined", 0)
                quality = source.get("published", 0) / checked if checked else 1.0
            history.runs.append((snapshot, float(quality)))
            history.last = dict(source, snapshot=snapshot, quality=quality)
            # The source's open findings per rule (records, live ones included that the run did not
            # check again); a report from before they were kept has only the run's own findings.
            rules = source.get("open_rules", source.get("rules", {}))
            history.rules = sorted(rules.items(), key=lambda item: -item[1])[:5]
    return sorted(histories.values(), key=lambda h: h.source)


def region_rows(store: ox.Store | None, lang: str) -> list[RegionRow]:
    if store is None:
        return []
    rows: dict[str, RegionRow] = {}
    # str() of a pyoxigraph term is its SPARQL/N-Triples spelling, escaped.
    query = REGION_COUNTS.replace("{regions}", str(ox.Literal(REGIONS))).replace("{lang}", str(ox.Literal(lang)))
    for solution in select(store, query, union=True):
        region = solution["region"].value
        label = solution["label"].value if solution["label"] else region_label(region, lang)
        row = rows.setdefault(region, RegionRow(region, label))
        row.counts[solution["kind"].value] += int(solution["n"].value)
    return sorted(rows.values(), key=lambda r: r.label)


@cache
def _region_labels() -> dict[tuple[str, str], str]:
    """Region names from the shipped vocabulary: the pooled graph links regions without
    describing them."""
    path = ontologies_dir() / "vocab" / "regions.ttl"
    labels: dict[tuple[str, str], str] = {}
    if path.is_file():
        for quad in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if quad.predicate.value.endswith("#prefLabel") and isinstance(quad.object, ox.Literal):
                labels[(quad.subject.value, quad.object.language or "")] = quad.object.value
    return labels


def region_label(region: str, lang: str) -> str:
    labels = _region_labels()
    return labels.get((region, lang)) or labels.get((region, "fr")) or region[len(REGIONS):]
