"""`culturedata validate --rdf` and `culturedata map` on real RDF, never refusing a whole file.

Europeana EDM (europeana/metis-framework, EUPL-1.2), CHIN's examples and context
(chin-rcip/collections-model, CC0), Artsdata-orion pages (culturecreates/artsdata-orion); see
../shared/data/README.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from validation_inputs import SHAPES

from shareddata import shared


def test_every_edm_file_validates_as_rdf(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("validate", shared("edm"), "--rdf", "--shapes", SHAPES, "--format", "json", "--fail-on", "never")
    assert result.code == 0, result.err
    summary = result.json()["summary"]
    assert summary["records"] == 32
    assert summary["rules"]["iri-repaired"] > 0 and summary["rules"]["statement-dropped"] == 1


def test_every_chin_file_validates_as_rdf_with_its_context_offline(cli) -> None:  # type: ignore[no-untyped-def]
    folder = shared("chin")
    result = cli("validate", folder, "--rdf", "--shapes", SHAPES, "--format", "json", "--fail-on", "never")
    assert result.code == 0, result.err
    expected = len(list(folder.rglob("*.json"))) + len(list(folder.rglob("*.ttl")))
    assert result.json()["summary"]["records"] == expected


def test_artsdata_orion_pages_validate_as_rdf(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("validate", shared("artsdata-orion"), "--rdf", "--shapes", SHAPES, "--format", "json",
                 "--fail-on", "never")
    assert result.code == 0, result.err
    assert result.json()["summary"]["records"] == 3


def test_schema_org_json_ld_naming_its_context_validates(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The issue's case: "No LoadDocumentCallback has been set… Fix the file at that line"."""
    page = tmp_path / "event.jsonld"
    page.write_text('{"@context": "https://schema.org/", "type": "Event", "id": "https://t.example/e/1", '
                    '"name": "Pièce", "startDate": "2026-05-01T20:00:00-04:00"}', encoding="utf-8")
    result = cli("validate", page, "--rdf", "--shapes", SHAPES, "--lang", "en")
    assert result.code in (0, 1), result.err
    assert "LoadDocumentCallback" not in result.err + result.out


@pytest.mark.parametrize("folder", ["edm", "chin", "artsdata-orion"])
def test_map_reads_every_file(cli, folder: str) -> None:  # type: ignore[no-untyped-def]
    root = shared(folder)
    files = sorted(p for p in root.rglob("*") if p.suffix in (".xml", ".rdf", ".json", ".jsonld", ".ttl"))
    for path in files:
        result = cli("map", path, "--mapping", "sparql-graph", "--format", "nt")
        if path.name == "dopheda_context.json":  # a context alone states nothing: unmappable, not refused
            assert result.code == 1 and "produced no data" in result.out, result.err
            continue
        assert result.code == 0, (path, result.err)
        assert result.out.count("\n") > 0
