"""The validation page reads the same files as `culturedata validate`, through the same kinds."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from harness import publish

from culturedata.harvest import KINDS_BY_SUFFIX
from culturedata.resources import shapes_dir
from kind_samples import kind_samples


@pytest.fixture
def page_server(serve, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    if not any(shapes_dir().glob("*.ttl")):
        pytest.skip("no SHACL shapes in shapes/ yet")
    return serve(publish(tmp_path / "store", []))


def test_the_page_offers_every_file_the_command_reads(page_server: str, client: httpx.Client) -> None:
    page = client.get(page_server + "/validate?lang=en")
    assert page.status_code == 200
    accept = re.search(r'<input type="file"[^>]* accept="([^"]*)"', page.text)
    assert accept is not None
    assert set(accept.group(1).split(",")) == set(KINDS_BY_SUFFIX)


@pytest.mark.parametrize("suffix", sorted(KINDS_BY_SUFFIX))
def test_each_file_kind_is_checked_as_the_command_checks_it(
    page_server: str, client: httpx.Client, tmp_path: Path, suffix: str, cli  # type: ignore[no-untyped-def]
) -> None:
    sample = kind_samples(tmp_path)[suffix]
    answer = client.post(page_server + "/validate/report.json", data={"profile": f"mapping:{sample.mapping}"},
                         files={"file": (sample.path.name, sample.path.read_bytes())})
    assert answer.status_code == 200, answer.text[:500]
    command = cli("validate", str(sample.path), "--mapping", sample.mapping, "--format", "json")
    assert command.code in (0, 1), command.err
    # One check, one report (checking.py): the whole report, not only its counts.
    assert answer.json() == json.loads(command.out)
    assert answer.json()["summary"]["records"] == sample.records


def test_a_file_no_kind_reads_is_refused_with_the_known_suffixes(page_server: str, client: httpx.Client) -> None:
    answer = client.post(page_server + "/validate?lang=en", data={"profile": "mapping:musee-csv"},
                         files={"file": ("notes.pdf", b"%PDF-1.4")})
    assert answer.status_code == 422
    assert ".jsonld" in answer.text and ".tsv" in answer.text
