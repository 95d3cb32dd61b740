"""Bounded inputs: a decompression bomb or a record nested too deep fails its file or its
record, with a message, never the process (harvest/limits.py and the readers that use it)."""

from __future__ import annotations

import csv
import io
import json
import resource
import zipfile
from pathlib import Path

import pytest

from bombs import MIB, nested_json, zip_bomb
from culturedata.harvest import jsonfile
from culturedata.harvest.limits import DOCUMENT_DEPTH, DepthGauge, depth_exceeds
from culturedata.resources import mappings_dir

ORGANISATION = {"id": "RCL-1", "nom": "Musée d'essai", "type": "Musée", "adresse": {"ville": "Saint-Jérôme"}}


def deep_dict(depth: int) -> dict:
    node: dict = {"feuille": "x"}
    for _ in range(depth - 1):
        node = {"niveau": node}
    return node


def organisations(*extra: dict) -> list[dict]:
    return [dict(ORGANISATION, id=f"RCL-{i}") for i in range(1, 4)] + list(extra)


def findings(out: str) -> list[dict]:
    return [f for record in json.loads(out)["records"] for f in record["findings"]]


def peak_rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


# --- JSON ----------------------------------------------------------------------------------------


def test_a_json_record_nested_past_max_depth_is_a_finding_and_the_others_map(cli, tmp_path: Path) -> None:
    deep = {"id": "RCL-9", "nom": "Profond", "notes": deep_dict(150)}
    export = tmp_path / "organismes.json"
    export.write_text(json.dumps(organisations(deep)), encoding="utf-8")
    outcome = cli("validate", str(export), "--mapping", "organismes-json", "--format", "json", "--all")
    assert outcome.code == 1, outcome.err
    report = json.loads(outcome.out)
    assert report["summary"]["records"] == 4
    refused = [f for f in findings(outcome.out) if f["rule"] == "too-deep"]
    assert len(refused) == 1 and refused[0]["record"] == "RCL-9"
    assert "more than 100 levels" in refused[0]["message"]["en"] and "100 niveaux" in refused[0]["message"]["fr"]


def test_a_json_document_too_deep_to_parse_is_refused_whole(cli, tmp_path: Path) -> None:
    export = tmp_path / "organismes.json"
    text = json.dumps(organisations())
    export.write_text(text[:-1] + ", " + nested_json(50_000) + "]", encoding="utf-8")
    outcome = cli("validate", str(export), "--mapping", "organismes-json")
    assert outcome.code == 2, outcome.err
    assert "more than 1000 levels" in outcome.err and "Traceback" not in outcome.err


def test_a_json_lines_line_too_deep_is_its_own_finding(cli, tmp_path: Path) -> None:
    export = tmp_path / "organismes.jsonl"
    lines = [json.dumps(o) for o in organisations()]
    lines.insert(1, '{"id": "RCL-deep", "x": ' + nested_json(100_000) + "}")
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    outcome = cli("validate", str(export), "--mapping", "organismes-json", "--format", "json", "--all")
    assert outcome.code == 1, outcome.err
    assert json.loads(outcome.out)["summary"]["records"] == 4
    refused = [f for f in findings(outcome.out) if f["rule"] == "too-deep"]
    assert [f["location"] for f in refused] == ["line 2"]


def test_a_streamed_json_document_too_deep_is_refused_in_flat_memory(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(jsonfile, "STREAM_ABOVE", 0)  # every document through ijson
    export = tmp_path / "organismes.json"
    text = json.dumps(organisations())
    # ijson's memory grows with the square of the depth: 200,000 levels would take terabytes.
    export.write_text(text[:-1] + ", " + nested_json(200_000) + "]", encoding="utf-8")
    before = peak_rss_mb()
    outcome = cli("validate", str(export), "--mapping", "organismes-json")
    assert outcome.code == 2, outcome.err
    assert f"more than {DOCUMENT_DEPTH} levels" in outcome.err
    assert peak_rss_mb() - before < 200


def test_the_depth_gauge_sees_through_chunks_and_closing_brackets_before() -> None:
    gauge = DepthGauge("x", limit=10)
    gauge.feed(b'{"a": "]]]]]]]]]]]]]]]]]]]]", "b": ' + b"[" * 6)
    with pytest.raises(Exception, match="more than 10 levels"):
        gauge.feed(b"[" * 5)
    calm = DepthGauge("y", limit=10)
    for _ in range(1000):
        calm.feed(b'[[[{"a": [1, 2]}]]], ')  # never deeper than 5, however long
    assert not depth_exceeds([[[{"a": [1]}]]], 5) and depth_exceeds([[[{"a": [1]}]]], 4)


# --- CSV -----------------------------------------------------------------------------------------


def test_a_csv_cell_past_the_field_limit_is_a_finding_on_its_row_and_column(cli, tmp_path: Path) -> None:
    sample = (Path(__file__).resolve().parents[2] / "sample_inputs/musee-fjord-bleu/collection.csv")
    rows = list(csv.reader(io.StringIO(sample.read_bytes().decode("cp1252"), newline=""), delimiter=";"))
    header = rows[0]
    rows[3][2] = "x" * 70_000 + "\n" + "y" * 70_000  # quoted over two lines, past the limit
    text = io.StringIO(newline="")
    csv.writer(text, delimiter=";", lineterminator="\r\n").writerows(rows)
    export = tmp_path / "collection.csv"
    export.write_text(text.getvalue(), encoding="utf-8")
    outcome = cli("validate", str(export), "--mapping", "musee-csv", "--format", "json", "--all")
    assert outcome.code == 1, outcome.err
    assert json.loads(outcome.out)["summary"]["records"] == sum(1 for row in rows[1:] if "".join(row).strip())
    refused = [f for f in findings(outcome.out) if f["rule"] == "cell-too-long"]
    assert len(refused) == 1
    line = 1 + sum(1 + "".join(row).count("\n") for row in rows[1:3]) + 1
    assert refused[0]["location"] == f"line {line}" and refused[0]["path"] == header[2]
    assert "longer than 131072 characters" in refused[0]["message"]["en"]


@pytest.mark.parametrize("header", [
    "id;titre_fr;" + "<div>" * 30_000 + "\r\n",  # one column name past csv's cell limit
    'id;"titre_fr' + "\r\n" + "x" * 140_000 + '"\r\n',  # quoted over two lines, as long
], ids=["one-line", "quoted"])
def test_a_csv_header_past_the_field_limit_refuses_the_file_by_name(cli, tmp_path: Path, header: str) -> None:
    export = tmp_path / "collection.csv"
    export.write_text(header + "1;Un\r\n", encoding="utf-8")
    outcome = cli("validate", str(export), "--mapping", "musee-csv", "--format", "json")
    assert outcome.code == 2, outcome.err
    assert str(export) in outcome.err and "header line" in outcome.err and "Traceback" not in outcome.err


def test_a_csv_line_without_end_is_read_in_pieces_and_reported(cli, tmp_path: Path) -> None:
    export = tmp_path / "collection.csv"
    with export.open("w", encoding="utf-8") as out:
        out.write("id,titre_fr\n1,Un\n2,")
        for _ in range(40):
            out.write("z" * MIB)  # 40 million characters, no line end
        out.write("\n3,Trois\n")
    before = peak_rss_mb()
    outcome = cli("validate", str(export), "--mapping", "musee-csv", "--format", "json", "--all")
    assert peak_rss_mb() - before < 150
    assert outcome.code == 1, outcome.err
    rules = [f["rule"] for f in findings(outcome.out)]
    assert "line-too-long" in rules
    report = json.loads(outcome.out)
    assert report["summary"]["records"] == 3  # the file's own findings (the columns it lacks) are no record
    assert {f["rule"] for f in report["findings"]} >= {"column-missing"}


# --- archives ------------------------------------------------------------------------------------


def test_a_zip_bomb_is_refused_before_it_is_decoded(cli, tmp_path: Path) -> None:
    bomb = zip_bomb(tmp_path / "collection.csv", "collection.csv", 300 * MIB)
    assert bomb.stat().st_size < MIB
    before = peak_rss_mb()
    outcome = cli("validate", str(bomb), "--mapping", "musee-csv")
    assert outcome.code == 2, outcome.err
    assert "decompresses to more than 200 times its size" in outcome.err
    assert peak_rss_mb() - before < 100


def test_a_zip_decoding_past_max_decoded_bytes_fails_its_source(cli, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as out:
        out.writestr("a.json", json.dumps(organisations()))
        out.writestr("b.json", json.dumps(organisations()))
    (tmp_path / "culturedata.toml").write_text(f"""[publish]
base_iri = "http://127.0.0.1:8000/"
[[sources]]
id = "zipped"
name = "Zipped"
kind = "json"
path = "{archive.name}"
mapping = "organismes-json"
options = {{ files = "*.json", max_decoded_bytes = 600 }}
""", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    outcome = cli("run")
    assert outcome.code == 3, outcome.err
    assert "more than 600 bytes once decompressed" in outcome.err


def test_a_limit_option_out_of_range_is_a_configuration_error(cli, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "export.json").write_text(json.dumps(organisations()), encoding="utf-8")
    (tmp_path / "culturedata.toml").write_text("""[publish]
base_iri = "http://127.0.0.1:8000/"
[[sources]]
id = "orgs"
name = "Orgs"
kind = "json"
path = "export.json"
mapping = "organismes-json"
options = { max_depth = 5000 }
""", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    outcome = cli("run")
    assert outcome.code == 2, outcome.err
    assert "options.max_depth" in outcome.err


# --- mappings ------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    "entities: " + "[" * 5000 + "]" * 5000,  # flow style: PyYAML's constructor recursed to death
    "entities:\n" + "".join("  " * i + f"- k{i}:\n" for i in range(1, 200)),
])
def test_a_deeply_nested_mapping_is_a_usage_error_naming_the_file(cli, tmp_path: Path, body: str) -> None:
    mapping = tmp_path / "profonde.yaml"
    mapping.write_text("format: csv\n" + body + "\n", encoding="utf-8")
    export = tmp_path / "collection.csv"
    export.write_text("id,titre\n1,Un\n", encoding="utf-8")
    outcome = cli("validate", str(export), "--mapping", str(mapping))
    assert outcome.code == 2, outcome.err
    assert str(mapping) in outcome.err and "more than 50 levels" in outcome.err


def test_aliases_that_expand_without_end_are_refused(cli, tmp_path: Path) -> None:
    mapping = tmp_path / "rires.yaml"
    lines = ["format: csv", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 9)]
    mapping.write_text("\n".join(lines) + "\n", encoding="utf-8")
    export = tmp_path / "collection.csv"
    export.write_text("id,titre\n1,Un\n", encoding="utf-8")
    outcome = cli("validate", str(export), "--mapping", str(mapping))
    assert outcome.code == 2, outcome.err
    assert str(mapping) in outcome.err and "aliases" in outcome.err


def test_the_shipped_mappings_are_within_the_limits() -> None:
    from culturedata.mapping import load_mapping

    for path in sorted(mappings_dir().glob("*.yaml")):
        load_mapping(str(path))


def test_a_refused_record_keeps_its_finding_in_a_harvest_archive(cli, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from culturedata.harvest import read_archive

    deep = {"id": "RCL-9", "nom": "Profond", "notes": deep_dict(150)}
    (tmp_path / "export.json").write_text(json.dumps(organisations(deep)), encoding="utf-8")
    (tmp_path / "culturedata.toml").write_text("""[publish]
base_iri = "http://127.0.0.1:8000/"
[[sources]]
id = "orgs"
name = "Orgs"
kind = "json"
path = "export.json"
mapping = "organismes-json"
""", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    outcome = cli("harvest", "orgs", "--out", str(tmp_path / "out"))
    assert outcome.code == 0, outcome.err
    records = {r.local_id: r for r in read_archive(tmp_path / "out")}
    assert len(records) == 4 and not records["RCL-1"].findings
    assert [f.rule for f in records["RCL-9"].findings] == ["too-deep"]


# --- REST and XML --------------------------------------------------------------------------------


def test_rest_pages_a_deep_record_is_refused_and_a_page_too_deep_fails_the_source(cli, tmp_path: Path,
                                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from harvest_peers import serve_wsgi

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        if environ["PATH_INFO"] == "/abyss":
            body = '{"data": [' + nested_json(5000) + "]}"
        else:
            body = json.dumps({"data": organisations({"id": "RCL-9", "notes": deep_dict(150)})})
        start_response("200 OK", [("Content-Type", "application/json")])
        return [body.encode()]

    monkeypatch.chdir(tmp_path)
    with serve_wsgi(app) as url:
        for path in ("/deep", "/abyss"):
            (tmp_path / "culturedata.toml").write_text(f"""[publish]
base_iri = "http://127.0.0.1:8000/"
[[sources]]
id = "api"
name = "API"
kind = "rest"
url = "{url}{path}"
mapping = "organismes-json"
options = {{ records = "data", pagination = "none", retries = 0 }}
""", encoding="utf-8")
            outcome = cli("harvest", "api", "--out", str(tmp_path / path.strip("/")))
            if path == "/deep":
                assert outcome.code == 0, outcome.err
                from culturedata.harvest import read_archive

                refused = [r for r in read_archive(tmp_path / "deep") if r.findings]
                assert [r.local_id for r in refused] == ["RCL-9"]
            else:
                assert outcome.code == 3, outcome.err
                assert "Traceback" not in outcome.err and "Internal error" not in outcome.err


@pytest.mark.parametrize("body, words", [
    ("<x>" * 300 + "</x>" * 300, "Excessive depth"),
    ("<x>" + "a" * 11_000_000 + "</x>", "Text node too long"),
])
def test_xml_past_libxml2s_limits_fails_its_file_with_the_line(cli, tmp_path: Path, body: str, words: str) -> None:
    lido = 'xmlns:lido="http://www.lido-schema.org"'
    records = "".join(f"<lido:lido><lido:lidoRecID>r{i}</lido:lidoRecID>{body if i == 2 else ''}</lido:lido>"
                      for i in range(1, 4))
    export = tmp_path / "lido.xml"
    export.write_text(f"<lido:lidoWrap {lido}>{records}</lido:lidoWrap>", encoding="utf-8")
    outcome = cli("validate", str(export), "--mapping", "lido")
    assert outcome.code == 2, outcome.err
    assert words in outcome.err and "the XML is broken" in outcome.err
