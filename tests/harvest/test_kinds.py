"""The kind registry is the one list of kinds: each entry is complete, documented, and agrees
with the mapping language and the pipeline that read it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from culturedata.harvest import KINDS, KINDS_BY_SUFFIX, kind_of_file
from culturedata.mapping.language import FORMATS

DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_kind_has_a_harvester_and_its_options(name: str) -> None:
    kind = KINDS[name]
    assert kind.name == name
    assert callable(kind.harvester)
    assert kind.options, f"{name} declares no options"
    assert set(kind.mapping_formats) <= set(FORMATS), f"{name} names a mapping format the language lacks"


# Where each guide names its kinds: a section each in English, a row of one table in French.
GUIDES = {"harvesting.md": r"^## `([a-z-]+)`", "harvesting.fr.md": r"^\| `([a-z-]+)` \| (?!`)"}


@pytest.mark.parametrize("doc", sorted(GUIDES))
def test_every_kind_is_in_the_harvesting_guide(doc: str) -> None:
    text = (DOCS / doc).read_text(encoding="utf-8")
    assert set(re.findall(GUIDES[doc], text, re.M)) - {"kind"} == set(KINDS)  # less the table's header


def test_each_suffix_belongs_to_one_kind() -> None:
    claimed = [suffix for kind in KINDS.values() for suffix in kind.suffixes]
    assert len(claimed) == len(set(claimed)) == len(KINDS_BY_SUFFIX)
    assert all(re.fullmatch(r"\.[a-z0-9]+", suffix) for suffix in claimed)
    assert {".csv", ".json", ".jsonld", ".xml"} <= set(claimed)


def test_a_file_is_read_by_the_kind_of_its_suffix_whatever_its_case() -> None:
    json_kind = kind_of_file(Path("export.JSONLD"))
    assert json_kind is not None and json_kind.name == "json"
    assert kind_of_file("notes.pdf") is None


def test_file_kinds_send_the_whole_source() -> None:
    """A file is read whole each time, so the pipeline treats a record it no longer holds as deleted."""
    from culturedata.pipeline import WHOLE_KINDS

    assert {kind.name for kind in KINDS.values() if kind.suffixes} <= set(WHOLE_KINDS)
    assert "oai-pmh" not in WHOLE_KINDS and "rest" not in WHOLE_KINDS
