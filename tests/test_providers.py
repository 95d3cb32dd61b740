"""The organisation behind each source: described in its own graph, placed in its municipality
and region, so that the pooled graph counts a museum's objects in its region."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from culturedata.config import load_config
from culturedata.errors import ConfigError
from culturedata.providers import Place, provider_description, provider_place
from culturedata.server.dashboard import region_rows

ROOT = Path(__file__).resolve().parents[1]
MUN, REG = "https://w3id.org/culturedata/vocab/municipalities/", "https://w3id.org/culturedata/vocab/regions/"
CSV = ROOT / "sample_inputs" / "musee-fjord-bleu" / "collection.csv"


def _config(tmp_path: Path, *place: str) -> Path:
    config = tmp_path / "culturedata.toml"
    config.write_text("\n".join([
        "[publish]", 'base_iri = "http://127.0.0.1:8000/"', "[store]", 'path = "var/store"',
        "[[sources]]", 'id = "musee-test"', 'name = { fr = "Musée d\'essai", en = "Test Museum" }', 'kind = "csv"',
        f'path = "{CSV}"', 'mapping = "musee-csv"', 'options = { encoding = "cp1252", delimiter = ";" }', *place,
    ]) + "\n", encoding="utf-8")
    return config


def test_a_municipality_gives_its_region(tmp_path: Path):
    config = load_config(_config(tmp_path, 'municipality = "saint-jerome"'))
    place = provider_place(config, config.sources[0])
    assert (place.municipality, place.region) == (MUN + "75017", REG + "15")
    assert provider_place(config, config.sources[0]) == provider_place(
        load_config(_config(tmp_path, 'municipality = "75017"')), config.sources[0])


def test_a_declared_region_wins(tmp_path: Path):
    config = load_config(_config(tmp_path, 'municipality = "Saint-Jérôme"', 'region = "Lanaudière"'))
    assert provider_place(config, config.sources[0]).region == REG + "14"


@pytest.mark.parametrize(("key", "value"), [("municipality", "Springfield"), ("region", "Atlantide")])
def test_an_unknown_place_names_the_key(tmp_path: Path, key: str, value: str):
    config = load_config(_config(tmp_path, f'{key} = "{value}"'))
    with pytest.raises(ConfigError) as caught:
        provider_place(config, config.sources[0])
    assert f'sources[id="musee-test"].{key}' in str(caught.value) and value in str(caught.value)


def test_a_municipality_name_several_share_needs_the_region_or_the_code(tmp_path: Path):
    """Two L'Ange-Gardien: the source's region picks one; without it the name is refused with
    both candidates, never picked."""
    config = load_config(_config(tmp_path, 'municipality = "L\'Ange-Gardien"'))
    with pytest.raises(ConfigError) as caught:
        provider_place(config, config.sources[0])
    assert "21040" in str(caught.value) and "82005" in str(caught.value)
    placed = load_config(_config(tmp_path, 'municipality = "L\'Ange-Gardien"', 'region = "Outaouais"'))
    assert provider_place(placed, placed.sources[0]) == Place(MUN + "82005", REG + "07")
    coded = load_config(_config(tmp_path, 'municipality = "21040"'))
    assert provider_place(coded, coded.sources[0]).region == REG + "03"


def test_an_unknown_place_stops_the_run_before_it_starts(cli, tmp_path: Path):
    config = _config(tmp_path, 'municipality = "Springfield"')
    result = cli("--config", str(config), "--lang", "fr", "run")
    assert result.code == 2, result.err
    assert "Springfield" in result.err and "municipalité" in result.err and "Traceback" not in result.err
    assert not (tmp_path / "var" / "store" / "current").exists()


def test_objects_count_in_their_museums_region(cli, tmp_path: Path):
    config = _config(tmp_path, 'municipality = "Saguenay"')
    assert cli("--config", str(config), "run").code == 1  # the demo export has quarantined rows on purpose
    store = ox.Store.read_only(str(tmp_path / "var" / "store" / "current"))
    rows = {row.region: row for row in region_rows(store, "fr")}
    assert rows[REG + "02"].counts["objects"] >= 30
    assert rows[REG + "02"].label == "Saguenay–Lac-Saint-Jean"
    description = provider_description(load_config(config), load_config(config).sources[0])
    assert any(q.predicate.value == "http://schema.org/containedInPlace" and q.object.value == REG + "02"
               for q in description.quads)


def test_events_count_in_the_region_of_their_place(cli, tmp_path: Path):
    """The theatre's events take place in Trois-Rivières: Mauricie (04) counts them, through
    their place, whoever organises them."""
    config = tmp_path / "culturedata.toml"
    config.write_text("\n".join([
        "[publish]", 'base_iri = "http://127.0.0.1:8000/"', "[store]", 'path = "var/store"',
        "[[sources]]", 'id = "theatre-test"', 'name = { fr = "Théâtre d\'essai", en = "Test Theatre" }',
        'kind = "jsonld-pages"', f'path = "{ROOT / "sample_inputs" / "theatre-deux-rives"}"', 'mapping = "schema-events"',
        'language = "fr"',
    ]) + "\n", encoding="utf-8")
    assert cli("--config", str(config), "run").code in (0, 1)  # the demo pages hold violations on purpose
    store = ox.Store.read_only(str(tmp_path / "var" / "store" / "current"))
    rows = {row.region: row for row in region_rows(store, "en")}
    assert rows[REG + "04"].counts["events"] == 11  # 13 events; one online, one without a place
    assert rows[REG + "04"].label == "Mauricie"
