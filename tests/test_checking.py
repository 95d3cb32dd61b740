"""The one check of an export (checking.py): its stages in order, the pipeline's own stage plugged
in before mapping, and what is about the file kept apart from the records. Over a broken copy of
the demo export (sample_inputs/musee-fjord-bleu/collection.csv), with the shipped mapping and shapes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from culturedata.checking import SourceCheck, check_export, is_duplicate
from culturedata.config import load_config
from culturedata.harvest import harvest
from culturedata.mapping import load_mapping
from culturedata.records import SourceRecord
from culturedata.validate import DEFAULT_ENGINE, load_shapes, make_validator

ROOT = Path(__file__).resolve().parent.parent
CSV = ROOT / "sample_inputs" / "musee-fjord-bleu" / "collection.csv"
BASE = "http://127.0.0.1:8000/"


@pytest.fixture(scope="module")
def validator():  # type: ignore[no-untyped-def]
    return make_validator(DEFAULT_ENGINE, load_shapes())


def broken_export(folder: Path) -> Path:
    """The demo export with `titre_fr` renamed and row 10003 given twice."""
    lines = CSV.read_bytes().decode("cp1252").splitlines(keepends=True)
    lines[0] = lines[0].replace("titre_fr", "titre_francais")
    again = next(line for line in lines if line.startswith("10003;"))
    path = folder / "collection.csv"
    path.write_bytes("".join([*lines, again]).encode("utf-8"))  # UTF-8 under a Windows-1252 source
    return path


def test_stages_run_in_order_and_the_pipelines_stage_sees_duplicates_marked(validator, tmp_path: Path) -> None:
    source = replace(load_config(ROOT / "culturedata.toml").source("musee-fjord-bleu"), path=broken_export(tmp_path))
    seen: list[SourceRecord] = []

    def triage(records: Iterator[SourceRecord]) -> Iterator[SourceRecord]:
        for record in records:
            seen.append(record)
            if record.local_id != "10001":  # "unchanged": goes no further
                yield record

    check = SourceCheck(source, load_mapping(source.mapping), BASE, validator, between=triage)
    checked = list(check.checked(harvest(source)))
    assert [r.local_id for r in seen].count("10003") == 2
    assert [is_duplicate(r) for r in seen if r.local_id == "10003"] == [False, True]
    assert "collection.csv" not in [r.local_id for r in seen]  # the file's record never reaches the triage
    ids = [report.local_id for _, report in checked]
    assert "10001" not in ids and ids.count("10003") == 2
    duplicate = [report for record, report in checked if report.local_id == "10003"][1]
    assert [f.rule for f in duplicate.findings] == ["duplicate-id"]
    about = check.findings()
    assert [f.rule for f in about] == ["encoding", "column-renamed"]  # the rename once, no missing-field too
    assert all(f.local_id == "collection.csv" for f in about)


def test_check_export_counts_no_file_as_a_record(validator, tmp_path: Path) -> None:
    source = replace(load_config(ROOT / "culturedata.toml").source("musee-fjord-bleu"), path=broken_export(tmp_path))
    report = check_export([(source, load_mapping(source.mapping))], BASE, validator, "collection.csv")
    assert report.summary.records == 41 == len(report.records)
    assert [f.rule for f in report.findings] == ["encoding", "column-renamed"]
    assert report.summary.rules["encoding"] == 1 and report.fails(None) is False
