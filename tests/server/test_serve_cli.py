"""`culturedata serve` refuses an unsafe configuration before it binds a port."""

from __future__ import annotations

import pytest


def test_updates_without_a_token_refuse_to_start(demo_project, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CULTUREDATA_SERVER_UPDATES", "true")
    outcome = cli("--lang", "fr", "serve", "--port", "0")
    assert outcome.code == 2
    assert "CULTUREDATA_UPDATE_TOKEN" in outcome.err and "jeton" in outcome.err


def test_updates_false_in_the_environment_means_off(demo_project, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from culturedata.config import load_config
    from culturedata.server.settings import ServerSettings

    monkeypatch.setenv("CULTUREDATA_SERVER_UPDATES", "false")
    settings = ServerSettings.from_config(load_config(demo_project / "culturedata.toml"))
    assert settings.updates is False
