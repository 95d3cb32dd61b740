"""`culturedata validate` on exports as museums send them: saved in another encoding than
declared, with columns dropped or renamed, as spreadsheets, and every input `run` reads.
Broken copies of the demo export (sample_inputs/musee-fjord-bleu/collection.csv)."""

from __future__ import annotations

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
    file = next(r for r in report["records"] if r["id"] == "collection.csv")
    assert [f["rule"] for f in file["findings"]] == ["encoding"]


def test_an_excel_csv_utf8_export_under_the_sources_windows_1252_reads(demo_project: Path, cli) -> None:
    (demo_project / DEMO).write_bytes(b"\xef\xbb\xbf" + demo_text(demo_project).encode("utf-8"))
    result = cli("validate", "musee-fjord-bleu", "--format", "json")
    assert result.code in (0, 1), result.err
    report = result.json()
    assert report["summary"]["records"] == 40
    assert "encoding" not in report["summary"]["rules"]
