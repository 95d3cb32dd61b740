"""culturedata.toml: every mistake is named with its file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from culturedata.config import SETTINGS, load_config
from culturedata.errors import ConfigError

SOURCE = """
[[sources]]
id = "musee-test"
name = {{ fr = "Musée test", en = "Test museum" }}
kind = "csv"
path = "data.csv"
mapping = "musee-csv"
{extra}
"""


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "data.csv").write_text("id;titre_fr\n1;Objet\n", encoding="utf-8")
    path = tmp_path / "culturedata.toml"
    path.write_text(text, encoding="utf-8")
    return path


def problem(tmp_path: Path, text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, text))
    return str(caught.value)


def test_defaults_and_a_source(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, SOURCE.format(extra="")))
    assert config.base_iri == "http://127.0.0.1:8000/"
    assert config.store_path == tmp_path / "var" / "store"
    (source,) = config.sources
    assert source.id == "musee-test" and source.language == "fr" and source.enabled
    assert source.path == tmp_path / "data.csv"
    assert source.label("en") == "Test museum"


def test_every_setting_has_help_in_both_languages() -> None:
    from culturedata.messages import catalogue

    for setting in SETTINGS:
        assert set(catalogue()[setting.help]) >= {"fr", "en"}, setting.key


def test_unknown_section(tmp_path: Path) -> None:
    message = problem(tmp_path, "[stroe]\npath = 'x'\n")
    assert "culturedata.toml" in message and "'stroe'" in message and "store" in message


def test_unknown_key_in_a_section(tmp_path: Path) -> None:
    message = problem(tmp_path, "[store]\npaht = 'x'\n")
    assert "'store.paht'" in message and "path" in message


def test_wrong_type(tmp_path: Path) -> None:
    message = problem(tmp_path, "[server]\nport = 'huit mille'\n")
    assert "server.port" in message and "int" in message


def test_unknown_source_key(tmp_path: Path) -> None:
    message = problem(tmp_path, SOURCE.format(extra='mappnig = "x"'))
    assert "mappnig" in message and 'sources[0]' in message


def test_missing_required_source_key(tmp_path: Path) -> None:
    message = problem(tmp_path, '[[sources]]\nid = "a"\nname = "A"\nkind = "csv"\n')
    assert "sources[0].mapping" in message and "required" in message


def test_missing_source_file(tmp_path: Path) -> None:
    message = problem(tmp_path, SOURCE.format(extra="").replace("data.csv", "absent.csv"))
    assert "absent.csv" in message and "does not exist" in message


def test_duplicate_source_ids(tmp_path: Path) -> None:
    message = problem(tmp_path, SOURCE.format(extra="") + SOURCE.format(extra=""))
    assert "musee-test" in message and "repeats" in message


def test_bad_source_id(tmp_path: Path) -> None:
    message = problem(tmp_path, SOURCE.format(extra="").replace('"musee-test"', '"Musée Test"'))
    assert "Musée Test" in message


def test_toml_syntax_error(tmp_path: Path) -> None:
    message = problem(tmp_path, "[store\n")
    assert "not valid TOML" in message


def test_environment_overrides_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CULTUREDATA_SERVER_PORT", "9123")
    config = load_config(write(tmp_path, SOURCE.format(extra="")))
    assert config.get("server.port") == 9123


def test_messages_in_french(tmp_path: Path) -> None:
    from culturedata.messages import set_lang

    set_lang("fr")
    message = problem(tmp_path, "[store]\npaht = 'x'\n")
    assert "clé inconnue" in message


def test_every_setting_and_source_key_is_documented() -> None:
    from culturedata.config import SOURCE_KEYS

    docs = (Path(__file__).resolve().parent.parent / "docs" / "configuration.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.key}`" in docs, setting.key
    for key in SOURCE_KEYS:
        assert f"| `{key}` |" in docs, key
