"""mappings/organismes-json.yaml on the demo network's JSON export (sample_inputs/reseau-culture-laurentides)."""

from __future__ import annotations

import json

from pyoxigraph import Literal, NamedNode

from culturedata.mapping import load_mapping, map_records
from culturedata.records import Severity, SourceRecord, content_hash

from .conftest import RDF_TYPE, SCHEMA, context, has, objects, sample

ORG = "http://127.0.0.1:8000/id/reseau-culture-laurentides/organisation/"


def test_organisations() -> None:
    data = json.loads(sample("reseau-culture-laurentides", "organismes.json").read_text(encoding="utf-8"))
    rows = data["data"]["organismes"]
    records = [SourceRecord("reseau-culture-laurentides", row["id"], row, "application/json",
                            content_hash(json.dumps(row).encode())) for row in rows]
    mapped = {r.local_id: r for r in map_records(load_mapping("organismes-json"), records,
                                                 context("reseau-culture-laurentides"))}
    assert len(mapped) == 15
    organisations = [t for r in mapped.values() for t in r.triples
                     if t.predicate.value == RDF_TYPE and t.object.value == SCHEMA + "Organization"]
    assert len(organisations) == 14
    [nameless] = [r for r in mapped.values() if not r.triples]  # the one whose `nom` is null
    assert nameless.findings[-1].rule == "unmappable" and nameless.findings[-1].path == "nom"

    theatre = mapped["RCL-0003"]
    org = ORG + "rcl-0003"
    assert has(theatre, org, SCHEMA + "telephone", Literal("+1-819-555-0117"))
    assert has(theatre, org, SCHEMA + "url", NamedNode("http://www.lacauxhuards.example"))
    assert has(theatre, org, SCHEMA + "foundingDate",
               Literal("2010-12-03", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#date")))
    assert has(theatre, org + "#adresse", SCHEMA + "postalCode", Literal("J8C1K4"))
    assert {o.value for o in objects(theatre, org, SCHEMA + "knowsAbout")} == {"théâtre", "chanson", "humour"}
    # the region is looked up in the regions scheme; unmatched text is kept and flagged
    region = objects(theatre, org + "#lieu", SCHEMA + "containedInPlace")
    assert len(region) == 1
    if isinstance(region[0], Literal):
        assert any(f.rule == "lookup-miss" and f.severity is Severity.WARNING for f in theatre.findings)
    else:
        assert region[0] == NamedNode("https://w3id.org/culturedata/vocab/regions/15")
