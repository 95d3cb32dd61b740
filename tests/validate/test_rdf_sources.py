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


@pytest.mark.parametrize("folder", ["artsdata-orion", "artsdata/samples"])
def test_artsdata_pages_and_event_samples_validate_as_rdf(cli, folder: str) -> None:  # type: ignore[no-untyped-def]
    root = shared(*folder.split("/"))
    result = cli("validate", root, "--rdf", "--shapes", SHAPES, "--format", "json", "--fail-on", "never")
    assert result.code == 0, result.err
    assert result.json()["summary"]["records"] == len([p for p in root.iterdir() if p.is_file()]) == 3


def test_schema_org_json_ld_naming_its_context_validates(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The issue's case: "No LoadDocumentCallback has been set… Fix the file at that line"."""
    page = tmp_path / "event.jsonld"
    page.write_text('{"@context": "https://schema.org/", "type": "Event", "id": "https://t.example/e/1", '
                    '"name": "Pièce", "startDate": "2026-05-01T20:00:00-04:00"}', encoding="utf-8")
    result = cli("validate", page, "--rdf", "--shapes", SHAPES, "--lang", "en")
    assert result.code in (0, 1), result.err
    assert "LoadDocumentCallback" not in result.err + result.out


# Files that describe nothing the mapping makes (they are read, and their record is unmappable):
# EDM that Metis rejects for lacking an edm:ProvidedCHO; CHIN's biography text alone, vocabulary
# labels and the context document itself.
NOTHING_TO_MAP = {"Item_35834473_wrong", "0001_100_literal-content-bio", "aat_300025687_label",
                  "aat_300025687_label-note", "dopheda_context"}


@pytest.mark.parametrize(("folder", "mapping"), [("edm", "edm"), ("chin", "chin"), ("artsdata-orion", "sparql-graph"),
                                               ("artsdata/samples", "sparql-graph")])
def test_map_reads_every_file(cli, folder: str, mapping: str) -> None:  # type: ignore[no-untyped-def]
    root = shared(*folder.split("/"))
    files = sorted(p for p in root.rglob("*") if p.suffix in (".xml", ".rdf", ".json", ".jsonld", ".ttl"))
    assert files
    for path in files:
        result = cli("map", path, "--mapping", mapping, "--format", "nt")
        if path.stem in NOTHING_TO_MAP:
            assert result.code == 1 and "produced no data" in result.out, (path, result.err)
        else:
            assert result.code == 0, (path, result.err)
            assert result.out.count("\n") > 0


def test_a_configured_contexts_folder_serves_validate_rdf(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "contextes"
    folder.mkdir()
    (folder / "index.toml").write_text('[contexts]\n"https://musee.example/ctx.jsonld" = "ctx.json"\n',
                                       encoding="utf-8")
    (folder / "ctx.json").write_text('{"@context": {"@vocab": "http://schema.org/", "id": "@id", "type": "@type"}}',
                                     encoding="utf-8")
    page = tmp_path / "objet.jsonld"
    page.write_text('{"@context": "https://musee.example/ctx.jsonld", "id": "https://musee.example/o/1", '
                    '"type": "Thing", "name": "Berceau"}', encoding="utf-8")
    refused = cli("validate", page, "--rdf", "--shapes", SHAPES, "--lang", "en")
    assert refused.code == 2 and "https://musee.example/ctx.jsonld" in refused.err
    config = tmp_path / "culturedata.toml"
    config.write_text('[validate]\ncontexts = "contextes"\n', encoding="utf-8")
    read = cli("--config", config, "validate", page, "--rdf", "--shapes", SHAPES, "--format", "json")
    assert read.code == 0, read.err
    assert read.json()["summary"]["records"] == 1


# Two heritage objects in one Turtle file: one record (the file), findings about each object.
TWO_OBJECTS = """@prefix schema: <http://schema.org/> .
@prefix qcp: <https://w3id.org/culturedata/ns/qcp#> .
<https://musee.example/objet/1> a qcp:HeritageObject, schema:CreativeWork ; schema:identifier "1987.12.3" .
<https://musee.example/objet/2> a qcp:HeritageObject, schema:CreativeWork ;
    schema:name "Canot"@fr ; schema:identifier "1987.12.4" .
"""


def test_the_text_report_of_an_rdf_file_names_the_entity_of_each_finding(
    cli, tmp_path: Path  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / "objets.ttl"
    path.write_text(TWO_OBJECTS, encoding="utf-8")
    result = cli("--lang", "en", "validate", str(path), "--rdf", "--all")
    assert result.code == 1, result.err
    lines = result.out.splitlines()
    name = lines.index(next(line for line in lines if line.startswith("Violation — ") and line.endswith("-name (1)")))
    # The record is the file; which of its objects has no title is the finding's focus node.
    assert lines[name + 2] == "      - objets.ttl <https://musee.example/objet/1> schema:name"
    held = [line for line in lines if line.endswith("qcp:heldBy")]
    assert held == ["      - objets.ttl <https://musee.example/objet/1> qcp:heldBy",
                    "      - objets.ttl <https://musee.example/objet/2> qcp:heldBy"]


def test_validate_contexts_is_relative_to_the_configuration_and_must_exist(  # type: ignore[no-untyped-def]
        cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    (site / "contextes").mkdir(parents=True)
    (site / "contextes" / "index.toml").write_text('[contexts]\n"https://musee.example/ctx.jsonld" = "ctx.json"\n',
                                                   encoding="utf-8")
    (site / "contextes" / "ctx.json").write_text('{"@context": {"@vocab": "http://schema.org/", "id": "@id"}}',
                                                 encoding="utf-8")
    page = site / "objet.jsonld"
    page.write_text('{"@context": "https://musee.example/ctx.jsonld", "id": "https://musee.example/o/1", '
                    '"name": "Berceau"}', encoding="utf-8")
    config = site / "culturedata.toml"
    config.write_text('[validate]\ncontexts = "contextes"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # elsewhere than the configuration: the folder is still found
    read = cli("--config", config, "validate", page, "--rdf", "--shapes", SHAPES, "--format", "json")
    assert read.code == 0, read.err
    config.write_text('[validate]\ncontexts = "ailleurs"\n', encoding="utf-8")
    missing = cli("--config", config, "validate", page, "--rdf", "--shapes", SHAPES, "--lang", "en")
    assert missing.code == 2
    assert "validate.contexts" in missing.err and "ailleurs" in missing.err and "does not exist" in missing.err
