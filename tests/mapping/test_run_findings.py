"""What a run says about a source as a whole (issue 16): a mapping field no record has, two
records minting one IRI for different things, and the severities a source tunes. Run through
the real CLI (`run`, `map`, `validate`) over the demo museum export and a copy of its mapping."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from .conftest import BASE, ROOT

FJORD = "musee-fjord-bleu"
CSV = Path("sample_inputs/musee-fjord-bleu/collection.csv")
CONFIG = """
[publish]
base_iri = "http://127.0.0.1:8000/"

[store]
path = "var/store"

[[sources]]
id = "musee-fjord-bleu"
name = {{ fr = "Musée du Fjord-Bleu", en = "Fjord-Bleu Museum" }}
municipality = "Saguenay"
kind = "csv"
path = "sample_inputs/musee-fjord-bleu/collection.csv"
mapping = "m.yaml"
options = {{ encoding = "cp1252", delimiter = ";" }}
{extra}
"""


def project(root: Path, extra: str = "", typo: bool = True, collide: bool = True) -> None:
    """The demo museum alone, with a copy of its mapping: `technique` mistyped, and the object
    IRI minted from the accession number, which rows 10005 and 10006 are given alike."""
    text = (ROOT / "mappings" / "musee-csv.yaml").read_text(encoding="utf-8")
    if typo:
        text = text.replace("technique: technique", "technique: tecnique")
    if collide:
        text = text.replace("objet/{id|slug}", "objet/{accession|slug}")
        rows = (root / CSV).read_bytes().replace(b";1989.1.2;", b";1989.1.1;")
        (root / CSV).write_bytes(rows)
    (root / "m.yaml").write_text(text, encoding="utf-8")
    (root / "culturedata.toml").write_text(CONFIG.format(extra=extra), encoding="utf-8")


def source_report(root: Path) -> dict:  # type: ignore[type-arg]
    [path] = sorted((root / "var" / "store" / "reports").glob("run-*.json"))
    report: dict = json.loads(path.read_text(encoding="utf-8"))  # type: ignore[type-arg]
    return next(s for s in report["sources"] if s["source"] == FJORD)


# One batch: the first record breaks a shape of the merged node and is quarantined by it; batches
# of one: it was published before the second was read, and is taken back at the end of the source.
@pytest.mark.parametrize("batch", ["", "[validate]\nbatch_size = 1\n"])
def test_the_run_report_names_a_missing_field_once_and_quarantines_both_colliding_records(
    cli, demo_project: Path, batch: str,  # type: ignore[no-untyped-def]
) -> None:
    project(demo_project, batch)
    done = cli("--lang", "en", "run")
    assert done.code == 1, done.err
    # The mapping's column is not in the header, which has one like it: said once, as the rename.
    assert 'musee-fjord-bleu: WARNING collection.csv: no column "tecnique", which the mapping reads' in done.err
    report = source_report(demo_project)
    assert not [f for f in report["findings"] if f["rule"] == "missing-field"]
    [missing] = [f for f in report["findings"] if f["rule"] == "column-renamed"]
    assert missing["severity"] == "warning" and "titre_fr" not in missing["message"]
    assert 'a column "technique"' in missing["message"] and "« technique »" in missing["message_fr"]
    [run_level] = [f for f in report["findings"] if f["rule"] == "identity-collision"]
    assert "10005" in run_level["message"] and "10006" in run_level["message"]
    collided = sorted(e["record"] for e in report["quarantine"] if e["rule"] == "identity-collision")
    assert collided == ["10005", "10006"]  # both, not only the second one read
    store = ox.Store.read_only(str(demo_project / "var" / "store" / "current"))
    graphs = {g.value for g in store.named_graphs()}
    assert not {f"{BASE}graph/{FJORD}/10005", f"{BASE}graph/{FJORD}/10006"} & graphs
    assert f"{BASE}graph/{FJORD}/10003" in graphs


def test_a_source_can_lower_a_rule_and_then_nothing_is_quarantined_for_it(
    cli, demo_project: Path,  # type: ignore[no-untyped-def]
) -> None:
    project(demo_project, '[sources.severities]\n"identity-collision" = "warning"\n"missing-field" = "ignore"\n')
    cli("run")
    report = source_report(demo_project)
    assert not [e for e in report["quarantine"] if e["rule"] == "identity-collision"]
    assert [f["severity"] for f in report["findings"]] == ["warning"]  # the collision; the missing field ignored


def test_a_missing_field_raised_to_violation_makes_the_run_a_data_problem(
    cli, demo_project: Path,  # type: ignore[no-untyped-def]
) -> None:
    project(demo_project, '[sources.severities]\n"missing-field" = "violation"\n', collide=False)
    done = cli("run")
    report = source_report(demo_project)
    assert [f["severity"] for f in report["findings"]] == ["violation"] and report["errors"] == 1
    assert done.code == 1


def test_an_unknown_rule_is_refused_at_load_naming_it_and_the_known_ones(
    cli, demo_project: Path,  # type: ignore[no-untyped-def]
) -> None:
    project(demo_project, '[sources.severities]\n"missing-feild" = "violation"\n')
    done = cli("run")
    assert done.code == 2
    assert "missing-feild" in done.err and "identity-collision" in done.err and "naive-datetime" in done.err
    project(demo_project, '[sources.severities]\n"missing-field" = "fatal"\n')
    done = cli("run")
    assert done.code == 2 and "fatal" in done.err and "ignore" in done.err


def test_map_and_validate_say_what_the_header_lacks_before_the_first_record(
    cli, demo_project: Path,  # type: ignore[no-untyped-def]
) -> None:
    project(demo_project, collide=False)
    done = cli("--lang", "en", "map", FJORD, "--limit", "2")
    warning = ("read by entity object, is the column 'tecnique', which the file's header does not have; "
               "did you mean 'technique'?")
    assert warning in done.err
    assert done.err.index(warning) < done.err.index("records mapped")
    assert done.err.count("tecnique") == 1  # once, not once per record
    checked = cli("--lang", "fr", "validate", FJORD, "--format", "json", "--fail-on", "never")
    assert checked.code == 0 and checked.err == ""
    # In the report itself, once, at the top: the column as the column check names it.
    [said] = json.loads(checked.out)["findings"]
    assert said["rule"] == "column-renamed" and "« technique »" in said["message"]["fr"]


def test_validate_fails_on_a_missing_field_the_source_raises_to_violation(
    cli, demo_project: Path,  # type: ignore[no-untyped-def]
) -> None:
    rows = (demo_project / CSV).read_bytes().splitlines(keepends=True)
    (demo_project / CSV).write_bytes(rows[0] + next(row for row in rows if row.startswith(b"10003;")))
    project(demo_project, collide=False)  # one row that passes every check, a mistyped column
    done = cli("--lang", "en", "validate", FJORD, "--format", "json")
    assert done.code == 0, done.err
    assert [(f["path"], f["severity"]) for f in json.loads(done.out)["findings"]] == [("tecnique", "warning")]
    project(demo_project, '[sources.severities]\n"missing-field" = "violation"\n', collide=False)
    done = cli("--lang", "en", "validate", FJORD, "--format", "json")
    assert done.code == 1
    assert [(f["path"], f["severity"]) for f in json.loads(done.out)["findings"]] == [("tecnique", "violation")]
    assert cli("validate", FJORD, "--fail-on", "never").code == 0


def test_map_and_validate_show_an_identity_collision_on_both_records(
    cli, demo_project: Path,  # type: ignore[no-untyped-def]
) -> None:
    project(demo_project, typo=False)
    done = cli("--lang", "en", "map", FJORD, "--limit", "6", "--format", "nt")
    assert "Records musee-fjord-bleu:10005 (line 6) and musee-fjord-bleu:10006 (line 7) both mint" in done.err
    checked = cli("--lang", "en", "validate", FJORD, "--format", "json")
    report = json.loads(checked.out)
    records = {f["record"]: f["value"] for r in report["records"] for f in r["findings"]
               if f["rule"] == "identity-collision"}
    assert records == {"10005": "musee-fjord-bleu:10006", "10006": "musee-fjord-bleu:10005"}  # each names the other


def test_map_coverage_counts_fields_found_and_columns_never_read(
    cli, demo_project: Path,  # type: ignore[no-untyped-def]
) -> None:
    project(demo_project, collide=False)
    done = cli("--lang", "en", "map", FJORD, "--coverage", "--format", "json")
    assert done.code == 0, done.err
    data = json.loads(done.out)
    assert data["records"] > 5
    assert {"field": "technique", "selector": "tecnique", "suggestion": "technique", "entities": ["object"],
            "alternatives": [], "elsewhere": False, "empty": False, "each": False, "fields": 0} in data["never_found"]
    assert {"name": "technique", "records": data["records"]} in data["unread"]  # never empty in the demo
    found = {f["field"]: f["records"] for f in data["fields"]}
    assert found["technique"] == 0 and found["id"] == data["records"]
    assert 0 < found["creator_wikidata"] < found["title_fr"] < data["records"]  # rows with a value, not the column
    text = cli("--lang", "fr", "map", FJORD, "--coverage")
    assert "Colonnes, clés ou éléments de la source que la correspondance ne lit jamais" in text.out
    assert "technique (tecnique), lu par l'entité object ; vouliez-vous dire « technique » ?" in text.out
    assert cli("map", FJORD, "--format", "json").code == 2  # json is the coverage's format only


def latest_report(root: Path) -> dict:  # type: ignore[type-arg]
    path = sorted((root / "var" / "store" / "reports").glob("run-*.json"))[-1]
    report: dict = json.loads(path.read_text(encoding="utf-8"))  # type: ignore[type-arg]
    return next(s for s in report["sources"] if s["source"] == FJORD)


def collisions(report: dict) -> list[dict]:  # type: ignore[type-arg]
    return [f for f in [*report["findings"], *report["quarantine"]] if f["rule"] == "identity-collision"]


def test_an_incremental_run_checks_a_changed_record_against_the_published_ones(
    cli, demo_project: Path,  # type: ignore[no-untyped-def]
) -> None:
    """Run 1 publishes every row, object IRIs minted from the accession number; run 2 maps only
    row 10006, now numbered as the unchanged, published 10005: both get the finding and are
    taken out, not merged into one object with two titles. Fixed, both come back."""
    project(demo_project, typo=False, collide=False)
    mapping = demo_project / "m.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("objet/{id|slug}", "objet/{accession|slug}"),
                       encoding="utf-8")
    cli("run")  # exit 1: the demo export has rows the shapes refuse
    assert not collisions(latest_report(demo_project))
    rows = (demo_project / CSV).read_bytes()
    (demo_project / CSV).write_bytes(rows.replace(b";1989.1.2;", b";1989.1.1;"))
    done = cli("--lang", "en", "run")
    assert done.code == 1, done.err
    report = latest_report(demo_project)
    assert report["changed"] == 1 and report["unchanged"] > 10
    [run_level] = [f for f in report["findings"] if f["rule"] == "identity-collision"]
    assert "10005" in run_level["message"] and "10006" in run_level["message"]
    collided = {e["record"]: e["message"] for e in report["quarantine"] if e["rule"] == "identity-collision"}
    assert sorted(collided) == ["10005", "10006"]
    assert "the published record musee-fjord-bleu:10005" in collided["10006"]
    store = ox.Store.read_only(str(demo_project / "var" / "store" / "current"))
    graphs = {g.value for g in store.named_graphs()}
    assert not {f"{BASE}graph/{FJORD}/10005", f"{BASE}graph/{FJORD}/10006"} & graphs
    del store
    (demo_project / CSV).write_bytes(rows)
    cli("run")
    report = latest_report(demo_project)
    assert report["changed"] == 2 and not collisions(report)  # both mapped again, neither kept its hash
    store = ox.Store.read_only(str(demo_project / "var" / "store" / "current"))
    assert {f"{BASE}graph/{FJORD}/10005", f"{BASE}graph/{FJORD}/10006"} <= {g.value for g in store.named_graphs()}


def test_an_unchanged_rerun_reads_no_index_and_an_unrelated_change_finds_nothing(
    cli, demo_project: Path,  # type: ignore[no-untyped-def]
) -> None:
    project(demo_project, typo=False, collide=False)
    cli("run")
    index = demo_project / "var" / "state" / "identities" / f"{FJORD}.json"
    entries = json.loads(index.read_text(encoding="utf-8"))
    assert f"{FJORD}:10005" in entries and f"{FJORD}:10006" in entries
    before = index.stat().st_mtime_ns
    cli("run")
    assert index.stat().st_mtime_ns == before  # nothing mapped: not rewritten
    rows = (demo_project / CSV).read_bytes()
    (demo_project / CSV).write_bytes(rows.replace("Vue de la Pulperie".encode("cp1252"), b"Vue de la pulperie"))
    cli("run")
    report = latest_report(demo_project)
    assert report["changed"] == 1 and not collisions(report)
