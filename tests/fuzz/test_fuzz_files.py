"""Mutated exports, RDF files and mappings through `culturedata validate` and `culturedata map`,
in-process with their real exit codes: never exit 5, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .conftest import check_exit, fuzz_settings
from .mutate import mutated_bytes, mutated_tree, to_json, to_yaml
from .seeds import MAPPING_INPUTS, file_seeds, mapping_texts, mapping_trees, rdf_seeds

pytestmark = pytest.mark.usefixtures("bounded_memory")

FILE_KINDS = sorted(file_seeds())
FORMATS = st.sampled_from(["text", "json", "csv", "ttl", "html"])


def export_bytes(kind: str) -> st.SearchStrategy[bytes]:
    """Bytes mutated, and for JSON the parsed records mutated and written back."""
    seed = file_seeds()[kind]
    raw = mutated_bytes(list(seed.seeds))
    if seed.tree is None:
        return raw
    return st.one_of(raw, mutated_tree(seed.tree).map(to_json))


@pytest.mark.parametrize("kind", FILE_KINDS)
@fuzz_settings(examples=8)
@given(data=st.data())
def test_validate_a_mutated_export(cli, tmp_path: Path, kind: str, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    seed = file_seeds()[kind]
    path = tmp_path / f"export{seed.suffix}"
    case = data.draw(export_bytes(kind), label="export")
    path.write_bytes(case)
    done = cli("validate", str(path), "--mapping", seed.mapping, "--format", data.draw(FORMATS, label="format"))
    check_exit(f"validate {kind}", done.code, done.out, done.err, case=case)


@pytest.mark.parametrize("kind", FILE_KINDS)
@fuzz_settings(examples=4)
@given(data=st.data())
def test_map_a_mutated_export(cli, tmp_path: Path, kind: str, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    seed = file_seeds()[kind]
    path = tmp_path / f"export{seed.suffix}"
    case = data.draw(export_bytes(kind), label="export")
    path.write_bytes(case)
    fmt = data.draw(st.sampled_from(["ttl", "nt", "jsonld", "nq"]), label="format")
    done = cli("map", str(path), "--mapping", seed.mapping, "--format", fmt)
    check_exit(f"map {kind}", done.code, done.out, done.err, case=case)


@pytest.mark.parametrize("suffix", sorted(rdf_seeds()))
@fuzz_settings(examples=5)
@given(data=st.data())
def test_validate_mutated_rdf(cli, tmp_path: Path, suffix: str, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / f"graph{suffix}"
    case = data.draw(mutated_bytes(rdf_seeds()[suffix]), label="rdf")
    path.write_bytes(case)
    done = cli("validate", str(path), "--rdf", "--format", data.draw(FORMATS, label="format"))
    check_exit(f"validate --rdf {suffix}", done.code, done.out, done.err, case=case)


@pytest.mark.parametrize("name", sorted(MAPPING_INPUTS))
@fuzz_settings(examples=6)
@given(data=st.data())
def test_a_mutated_mapping(cli, tmp_path: Path, name: str, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    """The YAML text mutated, or its tree (a node of another type, a key renamed, deep lists)."""
    case = data.draw(st.one_of(mutated_bytes([mapping_texts()[name]]),
                               mutated_tree(mapping_trees()[name]).map(to_yaml)), label="mapping")
    mapping = tmp_path / "mapping.yaml"
    mapping.write_bytes(case)
    seed = file_seeds()[MAPPING_INPUTS[name]]
    export = tmp_path / f"export{seed.suffix}"
    export.write_bytes(seed.seeds[0])
    command = data.draw(st.sampled_from(["validate", "map"]), label="command")
    done = cli(command, str(export), "--mapping", str(mapping))
    check_exit("mapping yaml", done.code, done.out, done.err, case=case)


@pytest.mark.parametrize("kind", FILE_KINDS)
def test_the_unmutated_exports_validate(cli, tmp_path: Path, kind: str) -> None:  # type: ignore[no-untyped-def]
    """The fuzzers start from exports the mappings read: each seed gives records, not an error."""
    seed = file_seeds()[kind]
    for number, content in enumerate(seed.seeds):
        path = tmp_path / f"export{number}{seed.suffix}"
        path.write_bytes(content)
        done = cli("validate", str(path), "--mapping", seed.mapping, "--format", "json")
        assert done.code in (0, 1), done.err
