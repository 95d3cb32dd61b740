"""`culturedata validate` end to end: exit codes, findings, where they point, languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from validation_inputs import BAD, CDS, GOOD, MAPPING, SHAPES, VOCAB, fixture_args

from culturedata.harvest import KINDS_BY_SUFFIX
from kind_samples import kind_samples

# Every rule of the fixture shapes, with the row of bad.csv that breaks it.
EXPECTED = {
    ("10", CDS + "HeritageObject-name", "violation", "line 2"),
    ("11", CDS + "HeritageObject-description", "warning", "line 3"),
    ("11", CDS + "HeritageObject-url", "warning", "line 3"),
    ("12", CDS + "HeritageObject-type", "violation", "line 4"),  # a concept of another scheme
    ("13", CDS + "HeritageObject-type", "violation", "line 5"),  # not a concept at all
    ("line-6", "unmappable", "violation", "line 6"),  # no id: no IRI for the object
    ("16", CDS + "ImageObject-license", "warning", "line 8"),
    ("17", CDS + "ImageObject-contentUrl", "violation", "line 9"),
    ("18", "duplicate-id", "violation", "line 11"),
}
SHAPE_RULES = {
    CDS + name for name in (
        "HeritageObject-name", "HeritageObject-description", "HeritageObject-heldBy", "HeritageObject-url",
        "HeritageObject-type", "ImageObject-contentUrl", "ImageObject-license",
    )
}


def _findings(report: dict) -> set[tuple[str, str, str, str]]:
    return {(f["record"], f["rule"], f["severity"], f["location"]) for r in report["records"] for f in r["findings"]}


def test_good_export_conforms(cli):
    result = cli("validate", GOOD, *fixture_args("--format", "json"))
    assert result.code == 0, result.err
    report = result.json()
    assert report["summary"]["records"] == 3
    assert report["summary"]["conforming"] == 3
    assert _findings(report) == set()


def test_bad_export_reports_every_rule_at_its_row(cli):
    result = cli("validate", BAD, *fixture_args("--format", "json"))
    assert result.code == 1
    report = result.json()
    assert _findings(report) == EXPECTED
    summary = report["summary"]
    assert (summary["records"], summary["conforming"], summary["with_violations"], summary["with_warnings"]) == (
        11, 5, 6, 2)
    first = next(f for r in report["records"] for f in r["findings"] if f["rule"] == CDS + "HeritageObject-url")
    assert first["value"] == "http://musee.example/11"
    assert first["path"] == "http://schema.org/url"
    assert first["focus"].endswith("/objet/11")
    assert first["message"]["fr"].startswith("L'adresse de la notice")
    assert first["message"]["en"].startswith("The record's web address")


def test_each_fixture_shape_has_a_positive_and_a_negative_export(cli):
    good = _findings(cli("validate", GOOD, *fixture_args("--format", "json")).json())
    bad = {rule for _, rule, _, _ in _findings(cli("validate", BAD, *fixture_args("--format", "json")).json())}
    heldby = cli("validate", FIXTURE_HELDBY, "--rdf", "--shapes", SHAPES, "--vocabularies", VOCAB,
                 "--format", "json").json()
    bad |= {f["rule"] for r in heldby["records"] for f in r["findings"]}
    assert not good
    assert bad >= SHAPE_RULES


FIXTURE_HELDBY = Path(__file__).parent / "fixtures" / "rdf" / "two-holders.ttl"


def test_text_report_is_grouped_with_lines_in_french(cli):
    result = cli("validate", BAD, *fixture_args("--lang", "fr"))
    assert result.code == 1
    out = result.out
    assert out.startswith("11 notices vérifiées : 5 conformes, 6 avec des violations, 2 avec seulement")
    assert "Constats par règle :" in out
    # Groups come violations first, the most frequent first.
    assert out.index(CDS + "HeritageObject-type (3)") < out.index(CDS + "HeritageObject-url (1)")
    assert "- 12 (ligne 4, colonne type) schema:additionalType = 'https://w3id.org/culturedata/vocab/materials-pin'" in out
    assert "Le type d'objet doit être un concept" in out


def test_text_report_in_english_and_examples_limit(cli, tmp_path: Path):
    rows = ["id;titre_fr;titre_en;description;url;type;image;licence"]
    rows += [f"{n};Objet {n};Object {n};;https://m.example/{n};;;" for n in range(1, 7)]
    export = tmp_path / "no-description.csv"
    export.write_text("\n".join(rows) + "\n", encoding="utf-8")
    short = cli("validate", export, *fixture_args("--lang", "en"))
    assert short.code == 0  # warnings only: conforms at the default --fail-on violation
    assert "6 records checked: 6 conform, 0 with violations, 6 with warnings only." in short.out
    assert short.out.count("(line ") == 3
    assert "… and 3 more (use --all to list them)" in short.out
    full = cli("validate", export, *fixture_args("--lang", "en", "--all"))
    assert full.out.count("(line ") == 6
    assert cli("validate", export, *fixture_args("--fail-on", "warning")).code == 1


def test_fail_on_never_exits_zero(cli):
    assert cli("validate", BAD, *fixture_args("--fail-on", "never")).code == 0


def test_csv_report_has_one_row_per_finding(cli):
    import csv
    import io

    result = cli("validate", BAD, *fixture_args("--format", "csv", "--lang", "fr"))
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert result.code == 1
    assert {(r["record"], r["rule"], r["severity"], r["location"]) for r in rows} == EXPECTED
    assert len(rows) == 10  # record 13 breaks the type rule twice: not a concept, not in the scheme
    assert any(r["message"].startswith("Un objet doit avoir un titre") for r in rows)


def test_turtle_report_is_a_shacl_validation_report(cli):
    from rdflib import RDF, Graph, Namespace

    sh = Namespace("http://www.w3.org/ns/shacl#")
    result = cli("validate", BAD, *fixture_args("--format", "ttl"))
    graph = Graph().parse(data=result.out, format="turtle")
    report = graph.value(None, RDF.type, sh.ValidationReport)
    assert report is not None
    assert not graph.value(report, sh.conforms).toPython()
    results = list(graph.objects(report, sh.result))
    assert len(results) == 10
    shapes = {str(graph.value(r, sh.sourceShape)) for r in results if graph.value(r, sh.sourceShape)}
    assert shapes >= SHAPE_RULES - {CDS + "HeritageObject-heldBy"}
    assert all(graph.value(r, sh.focusNode) is not None and graph.value(r, sh.resultSeverity) for r in results)


def test_out_writes_the_report_to_a_file(cli, tmp_path: Path):
    target = tmp_path / "rapport.html"
    result = cli("validate", BAD, *fixture_args("--format", "html", "--out", target))
    assert result.code == 1
    assert result.out == ""
    html = target.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and 'data-count="records">11<' in html


def test_directory_input_checks_every_export(cli, tmp_path: Path):
    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "a.csv").write_bytes(GOOD.read_bytes())
    (folder / "b.csv").write_bytes(BAD.read_bytes())
    (folder / "notes.txt").write_text("ignored", encoding="utf-8")
    report = cli("validate", folder, *fixture_args("--format", "json")).json()
    assert report["summary"]["records"] == 14
    assert {r["source"] for r in report["records"]} == {"a", "b"}


def test_rdf_input_one_record_per_named_graph(cli):
    trig = Path(__file__).parent / "fixtures" / "rdf" / "records.trig"
    result = cli("validate", trig, "--rdf", "--shapes", SHAPES, "--vocabularies", VOCAB, "--format", "json")
    assert result.code == 1
    report = result.json()
    by_id = {r["id"]: r for r in report["records"]}
    assert set(by_id) == {"http://example.org/graph/ok", "http://example.org/graph/untitled"}
    assert by_id["http://example.org/graph/ok"]["conforms"]
    [finding] = by_id["http://example.org/graph/untitled"]["findings"]
    assert finding["rule"] == CDS + "HeritageObject-name"
    assert finding["location"] == "records.trig, graph <http://example.org/graph/untitled>"


def test_rdf_turtle_file_is_one_record(cli):
    result = cli("validate", FIXTURE_HELDBY, "--rdf", "--shapes", SHAPES, "--vocabularies", VOCAB,
                 "--format", "json")
    report = result.json()
    assert result.code == 1
    assert [r["id"] for r in report["records"]] == ["two-holders.ttl"]


# Bad input: a clear message naming the file, exit 2, no traceback.

def test_unparsable_rdf_exits_2(cli, tmp_path: Path):
    broken = tmp_path / "broken.ttl"
    broken.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b \"unterminated .\n", encoding="utf-8")
    result = cli("validate", broken, "--rdf", "--shapes", SHAPES, "--lang", "en")
    assert result.code == 2
    assert "broken.ttl is not valid RDF" in result.err
    assert "Traceback" not in result.err


def test_unparsable_xml_exits_2(cli, tmp_path: Path):
    broken = tmp_path / "export.xml"
    broken.write_text("<lido:lidoWrap xmlns:lido='http://www.lido-schema.org'><lido:lido>", encoding="utf-8")
    result = cli("validate", broken, "--mapping", "lido", "--shapes", SHAPES, "--lang", "en")
    assert result.code == 2
    assert "export.xml" in result.err and "Traceback" not in result.err


def test_every_file_suffix_of_the_harvest_has_a_sample(tmp_path: Path):
    assert set(kind_samples(tmp_path)) == set(KINDS_BY_SUFFIX)


@pytest.mark.parametrize("suffix", sorted(KINDS_BY_SUFFIX))
def test_every_file_kind_validates_by_path(cli, tmp_path: Path, suffix: str):
    """The files `run` and the validation page read (JSON and JSON-LD too) are read here alike."""
    sample = kind_samples(tmp_path)[suffix]
    result = cli("validate", sample.path, "--mapping", sample.mapping, "--format", "json", "--lang", "en")
    assert result.code in (0, 1), result.err
    assert result.json()["summary"]["records"] == sample.records


def test_a_table_read_with_a_json_mapping_exits_2(cli, tmp_path: Path):
    sample = kind_samples(tmp_path)[".csv"]
    result = cli("validate", sample.path, "--mapping", "schema-events", "--lang", "en")
    assert result.code == 2
    assert "export.csv is a csv file but mapping 'schema-events' reads jsonld files" in result.err


def test_file_the_mapping_does_not_read_exits_2(cli, tmp_path: Path):
    xml = tmp_path / "objets.xml"
    xml.write_text("<root/>", encoding="utf-8")
    result = cli("validate", xml, *fixture_args("--lang", "en"))
    assert result.code == 2
    assert "objets.xml is a xml file but mapping" in result.err


def test_export_with_other_columns_exits_2(cli, tmp_path: Path):
    other = tmp_path / "autre.csv"
    other.write_text("id;nom;ville\n1;A;Québec\n2;B;Lévis\n", encoding="utf-8")
    result = cli("validate", other, *fixture_args("--lang", "fr"))
    assert result.code == 2
    assert "autre.csv n'a aucune des colonnes que lit la correspondance" in result.err
    assert "titre_fr" in result.err and "ville" in result.err


def test_shapes_that_do_not_parse_exit_2(cli, tmp_path: Path):
    shapes = tmp_path / "shapes"
    shapes.mkdir()
    (shapes / "broken.ttl").write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n[] a sh:NodeShape ; sh:property [ .\n",
                                       encoding="utf-8")
    result = cli("validate", GOOD, "--mapping", MAPPING, "--shapes", shapes, "--vocabularies", VOCAB,
                 "--lang", "en")
    assert result.code == 2
    assert "broken.ttl cannot be loaded" in result.err and "Traceback" not in result.err


def test_missing_input_and_missing_mapping_exit_2(cli):
    assert cli("validate", "no-such-export.csv", "--mapping", MAPPING).code == 2
    assert cli("validate", GOOD, "--shapes", SHAPES).code == 2
    assert cli("validate", GOOD, *fixture_args("--format", "pdf")).code == 2


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_help_is_translated(cli, lang: str):
    result = cli("validate", "--help", "--lang", lang)
    assert result.code == 0
    assert ("Moteur de validation" if lang == "fr" else "Validation engine") in result.out
    assert str(MAPPING.name) not in result.out


def test_xml_without_the_mappings_records_exits_2(cli, tmp_path: Path):
    other = tmp_path / "notices.xml"
    other.write_text("<catalogue><objet id='1'/></catalogue>", encoding="utf-8")
    result = cli("validate", other, "--mapping", "lido", "--shapes", SHAPES, "--lang", "en")
    assert result.code == 2
    assert "No record found in" in result.err


def test_configured_source_by_id_uses_the_configured_shapes(cli, tmp_path: Path):
    (tmp_path / "culturedata.toml").write_text("\n".join([
        "[validate]", f'shapes = "{SHAPES}"', f'vocabularies = "{VOCAB}"',
        "[[sources]]", 'id = "musee-test"', 'name = "Musée test"', 'kind = "csv"', f'path = "{BAD}"',
        f'mapping = "{MAPPING}"',
    ]) + "\n", encoding="utf-8")
    result = cli("validate", "musee-test", "--format", "json")
    assert result.code == 1, result.err
    report = result.json()
    assert report["summary"]["records"] == 11
    assert {r["source"] for r in report["records"]} == {"musee-test"}
    assert cli("validate", "no-such-source").code == 2


def test_a_file_given_alone_is_identified_as_its_mapping_says(cli, tmp_path: Path):
    """ODCAF's rows are identified by `Index` (its mapping says `id: Index`): a bare file with no
    `id` column was refused, and a configured source's options are not there to say otherwise."""
    export = tmp_path / "facilities.csv"
    export.write_text(
        "Index,Facility_Name,ODCAF_Facility_Type,Source_Facility_Type,Street_No,Street_Name,Postal_Code,City,"
        "Prov_Terr,CSD_Name,Latitude,Longitude\n"
        "7,Musée du Fjord,museum,..,3346,boul. de la Grande-Baie S,G7B 1G2,saguenay,qc,Saguenay,48.33,-70.88\n"
        "8,Salle sans adresse,theatre/performance and concert hall,..,..,..,..,..,qc,..,46.34,-72.54\n",
        encoding="utf-8",
    )
    outcome = cli("validate", str(export), "--mapping", "odcaf", "--format", "json")
    assert outcome.code in (0, 1), outcome.err
    rows = [r for r in outcome.json()["records"] if not any(f["stage"] == "file" for f in r["findings"])]
    assert sorted(record["id"] for record in rows) == ["7", "8"]  # (the file's record: no CSDUID column)


@pytest.mark.parametrize(("lang", "headline"), [
    ("fr", "1 notice vérifiée : 0 conforme, 1 avec des violations"),
    ("en", "1 record checked: 0 conform, 1 with violations"),
])
def test_a_single_record_is_counted_in_the_singular(cli, tmp_path: Path, lang: str, headline: str) -> None:
    path = tmp_path / "objet.ttl"
    path.write_text("<https://musee.example/objet/1> a <https://w3id.org/culturedata/ns/qcp#HeritageObject> .\n",
                    encoding="utf-8")
    result = cli("--lang", lang, "validate", str(path), "--rdf")
    assert result.code == 1, result.err
    assert result.out.startswith(headline)
    html = cli("--lang", lang, "validate", str(path), "--rdf", "--format", "html").out
    assert headline in html


def test_the_json_report_written_a_record_at_a_time_is_the_whole_report_dumped(cli, tmp_path: Path) -> None:
    """`--format json` is written record by record (a 100k-row report is never held whole): the
    bytes are those of `json.dumps` of the whole report, even with a newline inside a value."""
    import json

    from culturedata.records import Finding, Severity
    from culturedata.validate import ExportReport, RecordReport, render_chunks

    odd = Finding("validate", Severity.WARNING, "r", {"fr": "deux\nlignes", "en": "two\nlines « »"}, "s", "1",
                  value='{"a": [1, 2]}\n')
    report = ExportReport((RecordReport("s", "1", (odd, odd)), RecordReport("s", "2")), (odd,))
    streamed = "".join(render_chunks(report, "json", "fr", "t"))
    assert streamed == json.dumps(json.loads(streamed), ensure_ascii=False, indent=2) + "\n"
    assert json.loads(streamed)["records"][0]["findings"][0]["message"]["fr"] == "deux\nlignes"
    assert "".join(render_chunks(ExportReport((), (odd,)), "json", "fr", "t")).endswith('"records": []\n}\n')
    out = tmp_path / "report.json"
    assert cli("validate", BAD, *fixture_args("--format", "json", "--out", str(out))).code == 1
    assert json.loads(out.read_text(encoding="utf-8"))["records"] and not list(tmp_path.glob("*.partial"))


def test_the_json_report_is_the_same_bytes_whatever_the_hash_seed(tmp_path: Path) -> None:
    """Shapes' messages come out of an RDF graph in the hash seed's order; the report must not."""
    import os
    import subprocess
    import sys

    runs = [subprocess.run([sys.executable, "-m", "culturedata", "validate", BAD, *fixture_args("--format", "json")],
                           capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed}, check=False).stdout
            for seed in ("1", "2", "3")]
    assert runs[0] and runs[0] == runs[1] == runs[2]
