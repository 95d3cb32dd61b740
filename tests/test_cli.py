"""The command line: help in both languages, documented exit codes, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from culturedata import __version__

COMMANDS = ("harvest", "map", "validate", "load", "run", "serve", "status")


def test_version(cli) -> None:
    outcome = cli("--version")
    assert outcome.code == 0
    assert outcome.out.strip() == f"culturedata {__version__}"


def test_help_lists_every_stage_and_the_exit_codes(cli) -> None:
    outcome = cli("--help")
    assert outcome.code == 0
    for command in COMMANDS:
        assert f"  {command} " in outcome.out
    for code in ("0    done", "1    data problems", "2    usage", "3    a source failed", "130  interrupted"):
        assert code in outcome.out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_in_french_and_english(cli, command: str) -> None:
    english = cli(command, "--help", "--lang", "en")
    french = cli(command, "--help", "--lang", "fr")
    assert english.code == french.code == 0
    assert "Usage:" in english.out and "Utilisation :" in french.out
    assert "Afficher ce message et quitter." in french.out
    assert english.out != french.out


def test_language_follows_the_locale(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "fr_CA.UTF-8")
    assert "Commandes" in cli("--help").out


def test_missing_config_is_one_line_and_exit_2(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    outcome = cli("status")
    assert outcome.code == 2
    assert "culturedata.toml not found" in outcome.err
    assert "Traceback" not in outcome.err
    assert len(outcome.err.strip().splitlines()) == 1


def test_missing_config_in_french(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    outcome = cli("--lang", "fr", "status")
    assert outcome.code == 2
    assert "introuvable" in outcome.err


def test_unknown_source_names_the_known_ones(cli, demo_project: Path) -> None:
    outcome = cli("harvest", "musee-inexistant")
    assert outcome.code == 2
    assert "musee-inexistant" in outcome.err and "musee-fjord-bleu" in outcome.err


def test_unknown_mapping_is_a_usage_error(cli, demo_project: Path) -> None:
    outcome = cli("map", "sample_inputs/musee-fjord-bleu/collection.csv", "--mapping", "pas-de-correspondance")
    assert outcome.code == 2
    assert "pas-de-correspondance" in outcome.err and "musee-csv" in outcome.err


def test_unreadable_input_file(cli, demo_project: Path) -> None:
    outcome = cli("validate", "nowhere.csv", "--mapping", "musee-csv")
    assert outcome.code == 2
    assert "nowhere.csv" in outcome.err
    assert "Traceback" not in outcome.err


def test_debug_shows_the_traceback(cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    outcome = cli("--debug", "status")
    assert outcome.code == 2
    assert "Traceback" in outcome.err


def test_harvest_writes_records_and_manifest(cli, demo_project: Path) -> None:
    outcome = cli("harvest", "musee-fjord-bleu", "--out", "raw")
    assert outcome.code == 0
    manifest = (demo_project / "raw" / "manifest.json").read_text()
    assert '"records": 40' in manifest


def test_map_prints_turtle_for_a_file(cli, demo_project: Path) -> None:
    outcome = cli("map", "sample_inputs/musee-fjord-bleu/collection.csv", "--mapping", "musee-csv", "--limit", "1")
    assert outcome.code == 0
    assert "qcp:HeritageObject" in outcome.out
    assert '"1987.1.1"' in outcome.out


def test_help_imports_no_stage() -> None:
    """`--help` and cron's probes stay fast: the stages are imported by the command that runs."""
    import subprocess
    import sys

    code = (
        "import sys; from culturedata.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('rdflib', 'pyshacl', 'starlette', 'culturedata.pipeline', 'lxml') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert "validate" in done.stdout and "restore" in done.stdout
