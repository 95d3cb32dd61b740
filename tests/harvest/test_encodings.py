"""Which encoding a CSV export is read in (harvest/encodings.py), on the demo export saved
the ways museum tools save it: Excel's "CSV UTF-8" (a byte-order mark), plain UTF-8, Mac OS
Roman, under a declared encoding that is right, wrong, or `auto`."""

from __future__ import annotations

from pathlib import Path

import pytest
from harvest_peers import make_source, sample

from culturedata.errors import ConfigError
from culturedata.harvest import HarvestOptions, harvest
from culturedata.records import Severity, SourceRecord

TITLE = "Goélette « Marie-Clarisse » à quai, La Baie"


def demo_text() -> str:
    return sample("musee-fjord-bleu", "collection.csv").read_bytes().decode("cp1252")


def saved(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def read(path: Path, encoding: str) -> list[SourceRecord]:
    source = make_source("csv", path=path, encoding=encoding, delimiter=";")
    return list(harvest(source, HarvestOptions()))


def rows(records: list[SourceRecord]) -> list[SourceRecord]:
    return [r for r in records if r.payload]


def test_an_excel_csv_utf8_export_reads_under_a_declared_windows_1252(tmp_path: Path) -> None:
    path = saved(tmp_path, "export.csv", b"\xef\xbb\xbf" + demo_text().encode("utf-8"))
    records = read(path, "cp1252")
    assert len(records) == 40 and not any(r.findings for r in records)
    assert "id" in records[0].payload and records[0].payload["titre_fr"] == TITLE


@pytest.mark.parametrize("declared", ["cp1252", "latin-1"])
def test_utf8_under_a_single_byte_encoding_is_a_file_finding_and_read_as_utf8(tmp_path: Path, declared: str) -> None:
    path = saved(tmp_path, "export.csv", demo_text().encode("utf-8"))
    records = read(path, declared)
    file, *others = records
    assert not file.payload and file.local_id == "export.csv"
    (finding,) = file.findings
    assert finding.stage == "file" and finding.rule == "encoding" and finding.severity is Severity.VIOLATION
    assert "UTF-8" in finding.message["en"] and "UTF-8" in finding.message["fr"]
    assert str(tmp_path) not in finding.message["en"]
    assert len(others) == 40 and others[0].payload["titre_fr"] == TITLE  # the report speaks of the real values
    assert not any(r.findings for r in others)


def test_mac_roman_under_windows_1252_names_mac_os_roman(tmp_path: Path) -> None:
    text = demo_text().replace("\u2019", "'").replace("\u0153", "oe")
    path = saved(tmp_path, "export.csv", text.encode("mac_roman"))
    records = read(path, "cp1252")
    assert "Mac OS Roman" in records[0].findings[0].message["fr"]
    assert rows(records)[0].payload["titre_fr"] == TITLE


def test_mac_roman_that_decodes_as_windows_1252_is_mojibake(tmp_path: Path) -> None:
    # é and à are bytes Windows-1252 also defines (Ž, ˆ): the declared reading raises nothing.
    lines = ["id;titre_fr;description_fr"] + [
        f"{n};Goélette à quai {n};Belle goélette à voile, peinte à la fin de l'été, au quai de la baie." for n in
        range(20)]
    data = "\n".join(lines).encode("mac_roman")
    data.decode("cp1252")
    records = read(saved(tmp_path, "vieux-mac.csv", data), "cp1252")
    assert records[0].findings[0].rule == "encoding"
    assert "Mac OS Roman" in records[0].findings[0].message["en"]
    assert rows(records)[0].payload["titre_fr"] == "Goélette à quai 0"


def test_a_file_in_its_declared_encoding_has_no_finding() -> None:
    records = read(sample("musee-fjord-bleu", "collection.csv"), "cp1252")
    assert len(records) == 40 and not any(r.findings for r in records)


@pytest.mark.parametrize("encoding", ["auto", ""])
def test_auto_reads_mac_roman_without_a_finding(tmp_path: Path, encoding: str) -> None:
    text = demo_text().replace("\u2019", "'").replace("\u0153", "oe")
    records = read(saved(tmp_path, "export.csv", text.encode("mac_roman")), encoding)
    assert len(records) == 40 and not any(r.findings for r in records)
    assert records[0].payload["titre_fr"] == TITLE


def test_utf16_with_its_mark_reads(tmp_path: Path) -> None:
    records = read(saved(tmp_path, "export.csv", demo_text().encode("utf-16")), "cp1252")
    assert len(records) == 40 and records[0].payload["titre_fr"] == TITLE


def test_an_unknown_encoding_name_is_a_configuration_error(tmp_path: Path) -> None:
    path = saved(tmp_path, "export.csv", b"id\n1\n")
    with pytest.raises(ConfigError) as caught:
        read(path, "windows-1252-fr")
    assert "options.encoding" in str(caught.value)
