"""Mapping files: every shipped one compiles and matches the JSON Schema; mistakes are reported
with file and line before any record is read."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
import yaml

from culturedata.errors import MappingError
from culturedata.mapping import load_mapping
from culturedata.mapping.language import shipped_mappings
from culturedata.resources import mappings_dir

SHIPPED = ["lido", "musee-csv", "oai_dc", "odcaf", "organismes-json", "schema-events", "tate"]


def test_every_issue_mapping_is_shipped() -> None:
    assert set(SHIPPED) <= set(shipped_mappings())


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_mapping_compiles_and_matches_schema(name: str) -> None:
    mapping = load_mapping(name)
    assert mapping.entities and mapping.title["fr"] and mapping.title["en"]
    schema = json.loads((mappings_dir() / "mapping.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(yaml.safe_load((mappings_dir() / f"{name}.yaml").read_text(encoding="utf-8")), schema)


def test_schema_rejects_an_unknown_key() -> None:
    schema = json.loads((mappings_dir() / "mapping.schema.json").read_text(encoding="utf-8"))
    bad = {"format": "csv", "entities": {"o": {"iri": "{base}x", "propertys": {}}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


GOOD_HEAD = "format: csv\nentities:\n  object:\n    iri: \"{base}id/{source}/o/{id|slug}\"\n"


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        (GOOD_HEAD + "    propertys: {}\n", 4, "propertys"),
        (GOOD_HEAD + "    properties:\n      foo:name: {field: a}\n", 4, "foo:name"),
        (GOOD_HEAD + "    properties:\n      schema:name: {field: a, transform: dates}\n", 6, "dates"),
        (GOOD_HEAD + "    properties:\n      schema:name: {field: a, const: b}\n", 6, "exactly one"),
        (GOOD_HEAD + "    properties:\n      schema:name: {entity: nobody}\n", 6, "nobody"),
        (GOOD_HEAD + "    properties:\n      schema:name: {field: a, lang: french!}\n", 6, "french!"),
        (GOOD_HEAD + "  child:\n    within: later\n    iri: x\n", 6, "later"),
        (GOOD_HEAD + "  child:\n    iri: \"{other}#x\"\n  other:\n    iri: y\n", 6, "other"),
        ("format: xml\nentities:\n  o:\n    iri: \"{id}\"\n    each: \"lido:[[\"\n", 4, "XPath"),
        ("format: tsv\nentities: {}\n", 1, "tsv"),
        ("format: csv\nentities:\n  o: [1, 2\n", 4, "YAML"),
    ],
)
def test_mistakes_name_file_and_line(tmp_path: Path, body: str, line: int, words: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    message = str(caught.value)
    assert path in message
    assert f"line {line}" in message or f"ligne {line}" in message
    assert words in message


def test_unknown_mapping_lists_the_shipped_ones() -> None:
    with pytest.raises(MappingError) as caught:
        load_mapping("no-such-mapping")
    assert "musee-csv" in str(caught.value) and caught.value.exit_code == 2


# The shape check (depth, nodes with aliases expanded) reads libyaml's events when PyYAML has it:
# it must decide as PyYAML's own parser does, cost a fraction of it, and fall back to it on a
# document libyaml refuses.
def _shape_outcome(text: str, fast: bool) -> tuple[str, int] | None:
    from culturedata.mapping.language import _check_events, _check_shape

    try:
        if fast:
            _check_shape(Path("m.yaml"), text)
        else:
            _check_events(Path("m.yaml"), yaml.parse(text, Loader=yaml.SafeLoader))
    except MappingError as exc:
        return exc.code, exc.params.get("line", 0)
    except yaml.YAMLError:
        return "syntax", 0
    return None


HOSTILE_YAML = {
    "deep flow": "format: csv\nextra: " + "[" * 5000 + "x" + "]" * 5000 + "\n",
    "deep block": "".join(f"{'  ' * i}k{i}:\n" for i in range(60)) + "  " * 60 + "v\n",
    "alias bomb": "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(6)),
    "within limits": "a: &a [x, x]\nb: [*a, *a, {c: [[[d]]]}]\n",
}


@pytest.mark.skipif(not getattr(yaml, "__with_libyaml__", False), reason="PyYAML was built without libyaml")
@pytest.mark.parametrize("name", [*SHIPPED, *HOSTILE_YAML])
def test_the_shape_check_decides_as_pyyaml_parser_alone(name: str) -> None:
    text = HOSTILE_YAML.get(name) or (mappings_dir() / f"{name}.yaml").read_text(encoding="utf-8")
    python = _shape_outcome(text, fast=False)
    assert _shape_outcome(text, fast=True) == python
    assert (python is None) == (name in SHIPPED or name == "within limits")


@pytest.mark.skipif(not getattr(yaml, "__with_libyaml__", False), reason="PyYAML was built without libyaml")
def test_the_shape_check_costs_a_fraction_of_a_python_parse() -> None:
    import time

    from culturedata.mapping.language import _check_events, _check_shape

    path = mappings_dir() / "schema-events.yaml"
    text = path.read_text(encoding="utf-8")

    def best(check: Callable[[], None]) -> float:
        times = []
        for _ in range(5):
            started = time.process_time()
            check()
            times.append(time.process_time() - started)
        return min(times)

    fast = best(lambda: _check_shape(path, text))
    python = best(lambda: _check_events(path, yaml.parse(text, Loader=yaml.SafeLoader)))
    assert fast < python / 2, f"shape check {fast * 1e3:.1f} ms, PyYAML's parser alone {python * 1e3:.1f} ms"


def test_a_mapping_libyaml_refuses_but_pyyaml_reads_still_loads() -> None:
    from culturedata.mapping.language import parse_mapping

    # libyaml knows only YAML 1.1 and 1.2 directives; PyYAML reads any 1.x.
    text = "%YAML 1.3\n---\n" + (mappings_dir() / "musee-csv.yaml").read_text(encoding="utf-8")
    assert parse_mapping(text, Path("musee-csv.yaml")).entities


def test_the_schema_names_every_transform_the_engine_has() -> None:
    """An editor checking a mapping against mapping.schema.json must accept every transform."""
    from culturedata.mapping.transforms import TRANSFORMS

    schema = json.loads((mappings_dir() / "mapping.schema.json").read_text(encoding="utf-8"))
    assert set(schema["$defs"]["transform"]["enum"]) == set(TRANSFORMS)
