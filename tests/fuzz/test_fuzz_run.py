"""`culturedata run` on a project whose source is a mutated export (or a mutated saved web site),
and the commands that read a mutated culturedata.toml: never exit 5, never a traceback."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from .conftest import check_exit, fuzz_settings
from .mutate import mutated_bytes, mutated_tree, to_toml
from .seeds import PAGES, config_text, config_tree, file_seeds, page_names, page_seeds, sitemap

pytestmark = pytest.mark.usefixtures("bounded_memory")

SITE = "https://theatre-deux-rives.example/"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder as the working directory: the store and state land inside it."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def source_block(source_id: str, kind: str, path: Path, mapping: str, options: dict[str, Any],
                 url: str = "") -> str:
    lines = [f"[[sources]]\nid = {toml_string(source_id)}\nname = {toml_string(source_id)}\n"
             f"kind = {toml_string(kind)}\n",
             f"path = {toml_string(str(path))}\nmapping = {toml_string(mapping)}\nlanguage = \"fr\"\n"]
    if url:
        lines.append(f"url = {toml_string(url)}\n")
    # retries = 0: a case whose source becomes a URL fails at once instead of backing off for half a minute.
    items = ", ".join(f"{k} = {json.dumps(v)}" for k, v in {**options, "retries": 0}.items())
    lines.append(f"options = {{ {items} }}\n")
    return "".join(lines)


def write_config(project: Path, *blocks: str) -> Path:
    config = project / "culturedata.toml"
    config.write_text('[publish]\nbase_iri = "http://127.0.0.1:8000/"\n\n[store]\npath = "var/store"\n\n'
                      + "\n".join(blocks), encoding="utf-8")
    return config


@pytest.mark.parametrize("kind", sorted(file_seeds()))
@fuzz_settings(examples=2)
@given(data=st.data())
def test_run_a_project_whose_export_is_mutated(cli, project: Path, kind: str, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    seed = file_seeds()[kind]
    case = data.draw(mutated_bytes(list(seed.seeds)), label="export")
    export = project / f"export{seed.suffix}"
    export.write_bytes(case)
    shutil.rmtree(project / "var", ignore_errors=True)
    config = write_config(project, source_block("fuzzed", seed.kind, export, seed.mapping, seed.options))
    done = cli("--config", str(config), "run")
    check_exit(f"run {kind}", done.code, done.out, done.err, case=case)


@fuzz_settings(examples=2)
@given(data=st.data())
def test_run_a_saved_site_whose_pages_are_mutated(cli, project: Path, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    """jsonld-pages from a mirror folder: a page, the sitemap or robots.txt mutated."""
    site = project / "site"
    shutil.rmtree(site, ignore_errors=True)
    (site / "evenements").mkdir(parents=True)
    names = page_names()
    for name in names:
        shutil.copy(PAGES / "evenements" / name, site / "evenements" / name)
    (site / "sitemap.xml").write_bytes(sitemap(SITE, names))
    (site / "robots.txt").write_bytes((PAGES / "robots.txt").read_bytes())
    target = data.draw(st.sampled_from(["page", "page", "page", "sitemap", "robots"]), label="target")
    if target == "page":
        file = site / "evenements" / data.draw(st.sampled_from(names), label="page")
        case = data.draw(mutated_bytes(page_seeds()), label="bytes")
    else:
        file = site / ("sitemap.xml" if target == "sitemap" else "robots.txt")
        case = data.draw(mutated_bytes([file.read_bytes()]), label="bytes")
    file.write_bytes(case)
    shutil.rmtree(project / "var", ignore_errors=True)
    config = write_config(project, source_block("theatre", "jsonld-pages", site, "schema-events",
                                                {"crawl_delay": 0}, url=SITE))
    done = cli("--config", str(config), "run")
    check_exit("run jsonld-pages", done.code, done.out, done.err, case=case)


def small_config(project: Path) -> dict[str, Any]:
    """The demo configuration, its sources pointed at the small seed exports (a run takes a second)."""
    tree = config_tree()
    seeds = file_seeds()
    by_mapping = {seed.mapping: seed for seed in seeds.values() if seed.suffix != ".jsonl"}
    sources = []
    for source in tree["sources"]:  # type: ignore[attr-defined]
        seed = by_mapping.get(source["mapping"])
        if seed is None:
            continue
        export = project / f"{source['id']}{seed.suffix}"
        export.write_bytes(seed.seeds[0])
        options = {**seed.options, "retries": 0}
        sources.append({**source, "kind": seed.kind, "path": str(export), "options": options})
    return {**tree, "store": {"path": "var/store"}, "sources": sources}


def safe(tree: object) -> object:
    """The mutated tree, kept from writing outside the project or waiting on the network."""
    if isinstance(tree, dict):
        if isinstance(tree.get("store"), dict):
            tree["store"]["path"] = "var/store"
        for source in tree.get("sources") or []:
            if isinstance(source, dict) and isinstance(source.get("options"), dict):
                source["options"]["retries"] = 0
    return tree


@fuzz_settings(examples=6)
@given(data=st.data())
def test_a_mutated_configuration(cli, project: Path, data: st.DataObject) -> None:  # type: ignore[no-untyped-def]
    base = small_config(project)
    text = to_toml(base)
    case = data.draw(st.one_of(mutated_tree(base).map(lambda tree: to_toml(safe(tree))),
                               mutated_bytes([text, config_text()])), label="culturedata.toml")
    config = project / "culturedata.toml"
    config.write_bytes(case)
    shutil.rmtree(project / "var", ignore_errors=True)
    command = data.draw(st.sampled_from([["status"], ["run"], ["validate", "musee-fjord-bleu"],
                                         ["map", "reseau-culture-laurentides", "--limit", "2"]]), label="command")
    done = cli("--config", str(config), *command)
    check_exit(f"culturedata.toml ({command[0]})", done.code, done.out, done.err, case=case)


def test_the_unmutated_project_runs(cli, project: Path) -> None:  # type: ignore[no-untyped-def]
    """The fuzzers start from inputs that work: a broken seed would only test the first error message."""
    config = project / "culturedata.toml"
    config.write_bytes(to_toml(small_config(project)))
    done = cli("--config", str(config), "run")
    assert done.code in (0, 1), done.err
    assert "published" in done.err + done.out
