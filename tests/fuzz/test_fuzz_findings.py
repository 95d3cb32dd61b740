"""What the fuzzers found, each as one fixed input, so that each stays fixed. A finding that is still
open goes in conftest.KNOWN with its reproducer here marked xfail(strict=True): the fix turns it red
until both marks are removed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
import yaml

from .mutate import _deep_value, nesting, to_json, to_yaml
from .seeds import ROOT, file_seeds, organisations

DEEP = 5_000


def first_each(tree: Any) -> dict[str, Any]:
    entities = tree["entities"]
    return next(spec for spec in entities.values() if isinstance(spec, dict) and "each" in spec)


def test_an_each_whose_xpath_gives_a_number_repeats_over_nothing(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`each: 9223372036854775808` in lido.yaml: the engine read a field below a number (exit 5)."""
    tree = yaml.safe_load((ROOT / "mappings" / "lido.yaml").read_text("utf-8"))
    first_each(tree)["each"] = "9223372036854775808"
    mapping = tmp_path / "lido.yaml"
    mapping.write_bytes(to_yaml(tree))
    export = tmp_path / "lido.xml"
    export.write_bytes(file_seeds()["xml"].seeds[0])
    for command in ("map", "validate"):
        done = cli(command, str(export), "--mapping", str(mapping))
        assert done.code in (0, 1), done.err


def test_a_mapping_nested_thousands_deep_is_refused_with_its_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A mapping YAML with 5,000 nested lists ended `validate` and `run` with a RecursionError (exit 5)."""
    text = (ROOT / "mappings" / "organismes-json.yaml").read_text("utf-8")
    mapping = tmp_path / "deep.yaml"
    mapping.write_text(text + "\nextra: " + nesting("yamlflow", DEEP).decode() + "\n", encoding="utf-8")
    export = tmp_path / "organisations.json"
    export.write_text(json.dumps(organisations()), encoding="utf-8")
    done = cli("validate", str(export), "--mapping", str(mapping))
    assert done.code == 2, done.err
    assert re.search(r"more than \d+ levels", done.err) and "line" in done.err


def test_a_mapping_nested_within_the_limit_still_reads() -> None:
    from culturedata.mapping import load_mapping

    for name in ("lido", "musee-csv", "organismes-json", "schema-events"):
        assert load_mapping(name).entities


def test_a_csv_cell_past_the_field_limit(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    header, first, rest = file_seeds()["csv"].seeds[1].split(b"\r\n", 2)
    cells = first.split(b";")
    cells[2] = b"A" * 140_000  # titre_fr
    export = tmp_path / "collection.csv"
    export.write_bytes(b"\r\n".join([header, b";".join(cells), rest]))
    done = cli("validate", str(export), "--mapping", "musee-csv")
    assert done.code in (0, 1, 2, 3, 4), done.err


@pytest.mark.parametrize("kind", ["json", "jsonld"])
def test_json_nested_thousands_deep(cli, tmp_path: Path, kind: str) -> None:  # type: ignore[no-untyped-def]
    seed = file_seeds()[kind]
    document = json.loads(seed.seeds[0])
    if isinstance(document, list):
        document[0]["nom"] = _deep_value(DEEP, "list")
    else:
        document["name"] = _deep_value(DEEP, "dict")
    export = tmp_path / f"export{seed.suffix}"
    export.write_bytes(to_json(document))
    done = cli("validate", str(export), "--mapping", seed.mapping)
    assert done.code in (0, 1, 2, 3, 4), done.err


# --- the long run of 2026-12-07 (docs/operations.md, "Fuzzing") ----------------------------------

def test_a_list_where_a_name_goes_is_refused_with_its_line(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`entity: [[["x"]]]` in organismes-json.yaml: TypeError, unhashable type (exit 5)."""
    tree = yaml.safe_load((ROOT / "mappings" / "organismes-json.yaml").read_text("utf-8"))
    tree["entities"]["organisation"]["properties"]["schema:location"] = {"entity": [[["x"]]]}
    mapping = tmp_path / "m.yaml"
    mapping.write_bytes(to_yaml(tree))
    export = tmp_path / "organisations.json"
    export.write_text(json.dumps(organisations()), encoding="utf-8")
    done = cli("validate", str(export), "--mapping", str(mapping))
    assert done.code == 2 and "'entity' takes a text" in done.err and "line" in done.err, done.err


def test_an_xpath_with_an_undeclared_prefix_is_refused_before_any_record(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """lxml says so only when it evaluates: XPathEvalError on the first record (exit 5)."""
    text = (ROOT / "mappings" / "lido.yaml").read_text("utf-8")
    mapping = tmp_path / "lido.yaml"
    mapping.write_text(text.replace("lido:descriptiveMetadata", "nowhere:descriptiveMetadata", 1), encoding="utf-8")
    export = tmp_path / "lido.xml"
    export.write_bytes(file_seeds()["xml"].seeds[0])
    done = cli("validate", str(export), "--mapping", str(mapping))
    assert done.code == 2 and "Undefined namespace prefix" in done.err, done.err


def test_the_turtle_report_of_a_finding_on_a_template_reads_back(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A finding about `{date_from}/{date_to}` made its path an IRI rdflib refused to write (exit 5)."""
    export = tmp_path / "collection.csv"
    export.write_bytes(file_seeds()["csv"].seeds[1].replace(b";1930;1940;", b";31/02/1930;1940;", 1))
    done = cli("validate", str(export), "--mapping", "musee-csv", "--format", "ttl")
    assert done.code in (0, 1), done.err
    report = list(ox.parse(done.out.encode(), format=ox.RdfFormat.TURTLE))
    assert any(t.object.value == "{date_from}/{date_to}" for t in report)  # the template, as text
