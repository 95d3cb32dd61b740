"""docs/profile.md and docs/profile.fr.md are exactly what the generator writes from the shapes."""

from __future__ import annotations

import pytest
from profile_shacl import REPO

from culturedata.profile import render_profile_doc, write_profile_docs


@pytest.mark.parametrize("lang,name", [("en", "profile.md"), ("fr", "profile.fr.md")])
def test_committed_docs_are_up_to_date(lang: str, name: str) -> None:
    committed = (REPO / "docs" / name).read_text(encoding="utf-8")
    assert render_profile_doc(lang) == committed, "run `culturedata profile docs` and commit the result"


def test_generation_is_deterministic(tmp_path) -> None:
    first = [p.read_text(encoding="utf-8") for p in write_profile_docs(tmp_path / "a")]
    second = [p.read_text(encoding="utf-8") for p in write_profile_docs(tmp_path / "b")]
    assert first == second


def test_docs_say_the_minimal_object_record_up_front() -> None:
    for lang, phrase in (("en", "A minimal provider record is tiny"), ("fr", "Une notice minimale est très courte")):
        doc = render_profile_doc(lang)
        assert phrase in doc.split("## ")[1]  # the first section after the title
