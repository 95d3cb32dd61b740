"""Every configuration example of docs/harvesting.md is valid: known kind, known keys, known options."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from harvest_peers import make_source

from culturedata.config import SOURCE_KEYS
from culturedata.harvest import KINDS
from culturedata.harvest.options import read_options

DOCS = Path(__file__).resolve().parents[2] / "docs"
EXAMPLES = [
    entry for doc in ("harvesting.md", "harvesting.fr.md")
    for block in re.findall(r"```toml\n(.*?)```", (DOCS / doc).read_text(encoding="utf-8"), re.S)
    for entry in tomllib.loads(block)["sources"]
]


def test_every_kind_is_documented():
    assert set(KINDS) == {e["kind"] for e in EXAMPLES}


@pytest.mark.parametrize("entry", EXAMPLES, ids=[f'{e["id"]}-{n}' for n, e in enumerate(EXAMPLES)])
def test_example(entry):
    assert set(entry) <= set(SOURCE_KEYS)
    source = make_source(entry["kind"], url=entry.get("url"), **entry.get("options", {}))
    read_options(source, KINDS[entry["kind"]].options)
