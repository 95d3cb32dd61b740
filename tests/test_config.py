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


def test_a_source_named_system_is_refused(tmp_path: Path) -> None:
    """Its provider graph, {base}graph/system, would be the system graph."""
    message = problem(tmp_path, SOURCE.format(extra="").replace('"musee-test"', '"system"'))
    assert "'system' is reserved" in message


def test_toml_syntax_error(tmp_path: Path) -> None:
    message = problem(tmp_path, "[store\n")
    assert "not valid TOML" in message


def test_environment_overrides_a_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CULTUREDATA_SERVER_PORT", "9123")
    config = load_config(write(tmp_path, SOURCE.format(extra="")))
    assert config.settings.server.port == 9123
    assert config.settings.server.port == 9123


def test_settings_are_typed_and_default_when_absent(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[publish]\nmax_drop = 1\n[run]\nworkers = 2\n"))
    assert config.settings.publish.max_drop == 1.0 and isinstance(config.settings.publish.max_drop, float)
    assert config.settings.run.workers == 2
    assert config.settings.validate.batch_size == 500 and config.settings.server.updates is False


# Values of the right type that no run could use: each is refused before anything starts.
OUT_OF_RANGE = [
    ("validate", "batch_size", "0", "at least 1"),
    ("validate", "batch_size", "-3", "at least 1"),
    ("server", "query_timeout", "-1", "at least 1"),
    ("server", "query_timeout", "0", "at least 1"),
    ("server", "max_result_bytes", "-5", "at least 1"),
    ("server", "upload_limit", "0", "at least 1"),
    ("server", "response_cache_mb", "-1", "at least 0"),
    ("server", "port", "0", "between 1 and 65535"),
    ("server", "port", "70000", "between 1 and 65535"),
    ("publish", "max_drop", "1.5", "between 0 and 1"),
    ("publish", "max_drop", "-0.1", "between 0 and 1"),
    ("publish", "max_drop", "nan", "between 0 and 1"),
    ("store", "keep_snapshots", "0", "at least 1"),
    ("run", "workers", "0", "at least 1"),
    ("store", "auth", '"Digest"', "basic, digest"),
]


@pytest.mark.parametrize(("section", "name", "value", "expected"), OUT_OF_RANGE)
def test_out_of_range_values_are_refused(tmp_path: Path, section: str, name: str, value: str,
                                         expected: str) -> None:
    message = problem(tmp_path, f"[{section}]\n{name} = {value}\n")
    assert "culturedata.toml" in message and f"'{section}.{name}'" in message and expected in message


@pytest.mark.parametrize(("section", "name", "value", "expected"), OUT_OF_RANGE)
def test_out_of_range_overrides_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, section: str,
                                            name: str, value: str, expected: str) -> None:
    variable = f"CULTUREDATA_{section}_{name}".upper()
    monkeypatch.setenv(variable, value.strip('"'))
    message = problem(tmp_path, "")
    assert "culturedata.toml" in message and variable in message and expected in message


def test_edges_of_each_range_are_accepted(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[publish]\nmax_drop = 0\n[server]\nport = 65535\n"
                                         "response_cache_mb = 0\n[validate]\nbatch_size = 1\n"))
    assert config.settings.publish.max_drop == 0.0 and config.settings.server.port == 65535
    assert config.settings.server.response_cache_mb == 0 and config.settings.validate.batch_size == 1


def test_out_of_range_in_french(tmp_path: Path) -> None:
    from culturedata.messages import set_lang

    set_lang("fr")
    try:
        message = problem(tmp_path, "[validate]\nbatch_size = 0\n")
    finally:
        set_lang(None)
    assert "« validate.batch_size »" in message and "au moins 1" in message


def test_out_of_range_stops_the_command_with_exit_2(cli, tmp_path: Path) -> None:
    path = write(tmp_path, "[validate]\nbatch_size = 0\n" + SOURCE.format(extra=""))
    outcome = cli("--config", str(path), "status")
    assert outcome.code == 2
    assert "validate.batch_size" in outcome.err and "Traceback" not in outcome.err


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
        for bound in (setting.rule.minimum, setting.rule.maximum, *setting.rule.choices):
            row = next(line for line in docs.splitlines() if line.startswith(f"| `{setting.key}` |"))
            assert bound is None or f"{bound}" in row.split("|")[3], (setting.key, bound)
    for key in SOURCE_KEYS:
        assert f"| `{key}` |" in docs, key


@pytest.mark.parametrize("nest", [("[", "]"), ("{a = ", "}")], ids=["arrays", "inline-tables"])
def test_a_nest_too_deep_for_tomllib_is_refused_with_its_line(cli, tmp_path: Path, nest: tuple[str, str]) -> None:
    opening, closing = nest
    deep = f"x = {opening * 5000}1{closing * 5000}\n"
    path = write(tmp_path, '# a "quoted" [comment\n[store]\npath = "var/[store"\n' + deep)
    outcome = cli("--config", str(path), "status")
    assert outcome.code == 2, outcome.err
    assert str(path) in outcome.err and "line 4" in outcome.err and "Traceback" not in outcome.err
    outcome = cli("--lang", "fr", "--config", str(path), "status")
    assert outcome.code == 2 and "ligne 4" in outcome.err and "imbriqués" in outcome.err
