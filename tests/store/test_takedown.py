"""The takedown list survives in its own file and is never half-written."""

from __future__ import annotations

from pathlib import Path

import pytest

from culturedata.errors import StoreError
from culturedata.store import Takedowns


def test_add_list_and_lift(tmp_path: Path) -> None:
    takedowns = Takedowns(tmp_path / "takedowns.json")
    assert takedowns.load() == {}
    takedowns.add("src:1", "Demande de l'ayant droit")
    takedowns.add("src:2", "Erreur")
    assert set(takedowns.load()) == {"src:1", "src:2"}
    assert takedowns.load()["src:1"].reason == "Demande de l'ayant droit"
    assert takedowns.remove("src:1") is True
    assert takedowns.remove("src:1") is False
    assert set(Takedowns(tmp_path / "takedowns.json").load()) == {"src:2"}


def test_a_corrupt_list_stops_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "takedowns.json"
    path.write_text("[{")
    with pytest.raises(StoreError, match="takedowns.json"):
        Takedowns(path).load()
