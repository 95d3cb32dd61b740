"""`culturedata validate` on exports as museums send them: saved in another encoding than
declared, with columns dropped or renamed, as spreadsheets, and every input `run` reads.
Broken copies of the demo export (sample_inputs/musee-fjord-bleu/collection.csv)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

DEMO = Path("sample_inputs/musee-fjord-bleu/collection.csv")


def demo_text(project: Path) -> str:
    return (project / DEMO).read_bytes().decode("cp1252")


def test_a_utf8_export_under_the_sources_windows_1252_is_never_conforming(demo_project: Path, cli) -> None:
    (demo_project / DEMO).write_bytes(demo_text(demo_project).encode("utf-8"))
    result = cli("--lang", "fr", "validate", "musee-fjord-bleu")
    assert result.code == 1, result.err
    assert "encoding" in result.out.split("\n\n")[1].splitlines()[1]  # the first rule listed
    assert "n'est pas en Windows-1252" in result.out and "UTF-8" in result.out
    assert "Ã©l" not in result.out and "Ã¨" not in result.out  # no value read as mojibake
    report = cli("validate", "musee-fjord-bleu", "--format", "json").json()
    # About the file, not a record: said once, first, and never counted among the records.
    assert [(f["rule"], f["record"]) for f in report["findings"]] == [("encoding", "collection.csv")]
    assert "collection.csv" not in [r["id"] for r in report["records"]]
    assert report["summary"]["records"] == 40


def test_an_excel_csv_utf8_export_under_the_sources_windows_1252_reads(demo_project: Path, cli) -> None:
    (demo_project / DEMO).write_bytes(b"\xef\xbb\xbf" + demo_text(demo_project).encode("utf-8"))
    result = cli("validate", "musee-fjord-bleu", "--format", "json")
    assert result.code in (0, 1), result.err
    report = result.json()
    assert report["summary"]["records"] == 40
    assert "encoding" not in report["summary"]["rules"]


def broken_columns(project: Path) -> Path:
    """The demo export without `numero_accession`, with `titre_fr` renamed and a column added."""
    rows = list(csv.reader(io.StringIO(demo_text(project), newline=""), delimiter=";"))
    drop = rows[0].index("numero_accession")
    out = []
    for number, row in enumerate(rows):
        if not any(cell.strip() for cell in row):
            continue
        row = row[:drop] + row[drop + 1:]
        out.append([*row, "remarque" if number == 0 else "à revoir"])
    out[0][out[0].index("titre_fr")] = "titre_francais"
    text = io.StringIO()
    csv.writer(text, delimiter=";", lineterminator="\r\n").writerows(out)
    path = project / "colonnes.csv"
    path.write_bytes(text.getvalue().encode("cp1252"))
    return path


def test_dropped_renamed_and_added_columns_are_named_once_at_the_top(demo_project: Path, cli) -> None:
    path = broken_columns(demo_project)
    result = cli("validate", str(path), "--mapping", "musee-csv", "--format", "json")
    report = result.json()
    # Each column once: the mapping's own "field not in the header" is not said beside it.
    found = [(f["rule"], f["path"], f["severity"]) for f in report["findings"]]
    assert found == [("column-missing", "numero_accession", "warning"), ("column-renamed", "titre_fr", "warning"),
                     ("column-unexpected", "remarque", "info")]
    assert {f["record"] for f in report["findings"]} == {"colonnes.csv"}
    renamed = next(f for f in report["findings"] if f["rule"] == "column-renamed")
    assert "titre_francais" in renamed["message"]["fr"] and "titre_francais" in renamed["message"]["en"]
    assert report["summary"]["rules"]["column-missing"] == 1  # once, not once per row
    assert "missing-field" not in report["summary"]["rules"] and "titre_fr" not in result.err
    text = cli("--lang", "fr", "validate", str(path), "--mapping", "musee-csv").out
    # the rename, said once, with the column it became
    assert [line for line in text.splitlines() if "titre_francais" in line] == [
        line for line in text.splitlines() if "renommée ?" in line]
    assert text.index("numero_accession") < text.index("HeritageObject-identifier (")


def test_the_demo_export_has_no_column_finding(demo_project: Path, cli) -> None:
    report = cli("validate", str(demo_project / DEMO), "--mapping", "musee-csv", "--format", "json").json()
    assert not [rule for rule in report["summary"]["rules"] if rule.startswith("column-")]
    assert report["summary"]["records"] == 40


def test_a_configured_sources_file_given_by_path_is_read_as_run_reads_it(demo_project: Path, cli) -> None:
    path = demo_project / "sample_inputs" / "reseau-culture-laurentides" / "organismes.json"
    organisations = json.loads(path.read_text("utf-8"))["data"]["organismes"]
    result = cli("validate", str(path), "--mapping", "organismes-json", "--format", "json")
    assert result.code in (0, 1), result.err
    report = result.json()
    assert report["summary"]["records"] == len(organisations) > 1  # not the wrapper as one record
    by_id = cli("validate", "reseau-culture-laurentides", "--format", "json").json()
    assert report["summary"] == by_id["summary"]


def test_a_json_mapping_whose_fields_are_all_nested_paths_validates(tmp_path: Path, cli) -> None:
    mapping = tmp_path / "imbrique.yaml"
    mapping.write_text(
        "mapping: imbrique\ntitle: {fr: Imbriqué, en: Nested}\nformat: json\nid: code.id\n"
        "entities:\n  organisation:\n    iri: \"{base}id/{source}/organisation/{code.id|slug}\"\n"
        "    types: [schema:Organization]\n    properties:\n"
        "      schema:name: {field: noms.fr, lang: fr}\n      schema:identifier: {field: code.id}\n",
        encoding="utf-8")
    export = tmp_path / "organismes.json"
    export.write_text(json.dumps([{"code": {"id": "a1"}, "noms": {"fr": "Musée A"}},
                                  {"code": {"id": "b2"}, "noms": {"fr": "Musée B"}}]), encoding="utf-8")
    result = cli("validate", str(export), "--mapping", str(mapping), "--format", "json")
    assert result.code in (0, 1), result.err
    assert sorted(r["id"] for r in result.json()["records"]) == ["a1", "b2"]


def test_a_workbook_of_the_demo_export_validates_as_its_csv(demo_project: Path, cli) -> None:
    from kind_samples import demo_rows, workbook

    rows = demo_rows()
    book = demo_project / "collection.xlsx"
    book.write_bytes(workbook(rows))
    from_csv = cli("validate", str(demo_project / DEMO), "--mapping", "musee-csv", "--format", "json").json()
    result = cli("validate", str(book), "--mapping", "musee-csv", "--format", "json")
    assert result.code == 1, result.err
    assert result.json()["summary"] == from_csv["summary"]
    text = cli("--lang", "fr", "validate", str(book), "--mapping", "musee-csv").out
    assert "(ligne 3 [Collection])" in text  # the row and the sheet

    drop = rows[0].index("numero_accession")
    book.write_bytes(workbook([row[:drop] + row[drop + 1:] for row in rows]))
    report = cli("validate", str(book), "--mapping", "musee-csv", "--format", "json").json()
    assert report["findings"][0]["rule"] == "column-missing"
