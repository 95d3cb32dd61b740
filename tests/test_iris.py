"""The IRI scheme (docs/architecture.md, "IRIs"): every rule lives in iris.py, and no other
module spells one out."""

from __future__ import annotations

import ast
from pathlib import Path

from culturedata import iris

SRC = Path(__file__).resolve().parent.parent / "src" / "culturedata"
BASE = "http://example.org/"
# What a rule's pattern starts with after the base IRI (or after the run's IRI).
SEGMENTS = ("id/", "graph/", "run/", "source/")


def test_each_rule_gives_the_documented_iri() -> None:
    assert iris.entity_space(BASE) == "http://example.org/id/"
    assert iris.entity(BASE, "musee/objet/12") == "http://example.org/id/musee/objet/12"
    assert iris.institution(BASE, "musee") == "http://example.org/id/musee/organisation/musee"
    assert iris.record_graph(BASE, "musee", "Boîte à bijoux #2") == "http://example.org/graph/musee/boite-a-bijoux-2"
    assert iris.provider_graph(BASE, "musee") == "http://example.org/graph/musee"
    assert iris.system_graph(BASE) == "http://example.org/graph/system"
    run = iris.run(BASE, "20260101T000000000000Z")
    assert run == "http://example.org/run/20260101T000000000000Z"
    assert iris.run_source(run, "musee") == run + "/musee"
    assert iris.source_state(BASE, "musee") == "http://example.org/source/musee"


def test_slug_keeps_ids_readable_and_never_empty() -> None:
    assert iris.slug("1998.3.12") == "1998.3.12"
    assert iris.slug("Boîte à bijoux #2") == "boite-a-bijoux-2"
    assert iris.slug("###") == "%23%23%23"  # nothing left once slugged: the text, percent-encoded


def spelt_out(tree: ast.AST) -> list[int]:
    """Lines that build an IRI from a value and one of the scheme's segments: `f"{base}graph/..."`
    or `base + "id/"`."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts = node.values
            for before, after in zip(parts, parts[1:], strict=False):
                if (isinstance(before, ast.FormattedValue) and isinstance(after, ast.Constant)
                        and str(after.value).startswith(SEGMENTS)):
                    lines.append(node.lineno)
        elif (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and isinstance(node.right, ast.Constant)
              and str(node.right.value).startswith(SEGMENTS)):
            lines.append(node.lineno)
    return lines


def test_no_other_module_spells_out_an_iri_rule() -> None:
    problems = [
        f"{path.relative_to(SRC)}:{line}"
        for path in sorted(SRC.rglob("*.py")) if path != SRC / "iris.py"
        for line in spelt_out(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not problems, "IRI rules outside iris.py:\n" + "\n".join(problems)


def test_the_check_finds_a_rule_spelt_out() -> None:
    code = 'a = f"{config.base_iri}graph/system"\nb = settings.base_iri + "id/"\nc = f"{base}run/{x}"\n'
    assert spelt_out(ast.parse(code)) == [1, 2, 3]
