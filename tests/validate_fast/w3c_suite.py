"""Running the W3C SHACL test suite (core and sparql) against an engine.

A case passes when the engine's report has the expected sh:conforms and the same multiset
of results, each result compared on focus node, path, value, source shape, constraint
component and severity (messages and sh:detail are ignored, as the suite allows). Blank
nodes keep their ids across the test file and the report (both engines clone with their
ids), except result paths, which the expected reports write afresh: those are compared by
structure. A case that expects `sht:Failure` passes when the engine raises.

    python -m tests.validate_fast.w3c_suite      prints the table for docs/conformance.md
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyshacl
from rdflib import RDF, BNode, Graph, Namespace
from rdflib.term import Node

from culturedata.validate.fast import validate_graph
from shareddata import SHARED_DATA

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SUITE = SHARED_DATA / "w3c-shacl"
RESULT_KEYS = (SH.focusNode, SH.resultPath, SH.value, SH.sourceShape, SH.sourceConstraintComponent,
               SH.resultSeverity)

Engine = Callable[[Graph, Graph], tuple[bool, Graph, str]]


@dataclass(frozen=True)
class Case:
    name: str
    file: Path
    data: Path
    shapes: Path
    expects_failure: bool


@dataclass(frozen=True)
class Outcome:
    case: Case
    passed: bool
    reason: str = ""


def suite_root() -> Path:
    return SUITE


def cases(root: Path = SUITE) -> Iterator[Case]:
    yield from _manifest_cases(root / "manifest.ttl")


def _manifest_cases(manifest: Path) -> Iterator[Case]:
    graph = Graph().parse(manifest, format="turtle")
    base = manifest.resolve().as_uri()
    for include in graph.objects(None, MF.include):
        yield from _manifest_cases(Path(str(include).removeprefix("file://")))
    for entries in graph.objects(None, MF.entries):
        for entry in graph.items(entries):
            action = graph.value(entry, MF.action)
            result = graph.value(entry, MF.result)
            if action is None:
                continue
            data = _path(graph.value(action, SHT.dataGraph), base)
            shapes = _path(graph.value(action, SHT.shapesGraph), base)
            name = str(manifest.parent.relative_to(SUITE)) + "/" + str(entry).rsplit("/", 1)[-1]
            yield Case(name, manifest, data, shapes, result == SHT.Failure)


def _path(node: Node | None, base: str) -> Path:
    return Path(str(node or base).removeprefix("file://"))


def pyshacl_engine(data: Graph, shapes: Graph) -> tuple[bool, Graph, str]:
    return pyshacl.validate(data, shacl_graph=shapes)


def fast_engine(data: Graph, shapes: Graph) -> tuple[bool, Graph, str]:
    return validate_graph(data, shapes)


ENGINES: dict[str, Engine] = {"pyshacl": pyshacl_engine, "fast": fast_engine}


def run_case(case: Case, engine: Engine) -> Outcome:
    graphs: dict[Path, Graph] = {}
    for path in {case.file, case.data, case.shapes}:
        graphs[path] = Graph().parse(path, format="turtle")
    manifest = graphs[case.file]
    try:
        conforms, report, _ = engine(graphs[case.data], graphs[case.shapes])
    except Exception as exc:  # the suite's Failure cases expect the engine to refuse
        if case.expects_failure:
            return Outcome(case, True)
        return Outcome(case, False, f"raised {type(exc).__name__}: {str(exc).splitlines()[0][:120]}")
    if case.expects_failure:
        return Outcome(case, False, "expected a failure, got a report")
    expected_node = next(o for o in manifest.objects(None, MF.result) if (o, RDF.type, SH.ValidationReport) in manifest)
    expected_conforms = manifest.value(expected_node, SH.conforms).toPython()
    if bool(conforms) != bool(expected_conforms):
        return Outcome(case, False, f"conforms {conforms}, expected {expected_conforms}")
    want = Counter(_result_key(manifest, r) for r in manifest.objects(expected_node, SH.result))
    got_root = next(report.subjects(RDF.type, SH.ValidationReport))
    got = Counter(_result_key(report, r) for r in report.objects(got_root, SH.result))
    if want != got:
        missing, extra = want - got, got - want
        return Outcome(case, False, f"{sum(missing.values())} result(s) missing, {sum(extra.values())} unexpected"
                       + (f", e.g. missing {_show(next(iter(missing)))}" if missing else "")
                       + (f", e.g. unexpected {_show(next(iter(extra)))}" if extra else ""))
    return Outcome(case, True)


def _result_key(graph: Graph, result: Node) -> tuple[str, ...]:
    key = []
    for predicate in RESULT_KEYS:
        value = graph.value(result, predicate)
        if value is None:
            key.append("-")
        elif predicate == SH.resultPath:
            key.append(_structure(graph, value, 0))
        else:
            key.append(value.n3())
    return tuple(key)


def _structure(graph: Graph, node: Node, depth: int) -> str:
    if not isinstance(node, BNode) or depth > 8:
        return node.n3()
    if graph.value(node, RDF.first) is not None:
        return "(" + " ".join(_structure(graph, i, depth + 1) for i in graph.items(node)) + ")"
    parts = sorted(f"{p.n3()} {_structure(graph, o, depth + 1)}" for p, o in graph.predicate_objects(node))
    return "[" + "; ".join(parts) + "]"


def _show(key: tuple[str, ...]) -> str:
    names = ("focus", "path", "value", "shape", "component", "severity")
    short = [f"{n}={v.rsplit('#', 1)[-1].rstrip('>')}" for n, v in zip(names, key, strict=True) if v != "-"]
    return "(" + ", ".join(short) + ")"


def run_suite(root: Path = SUITE) -> dict[str, list[Outcome]]:
    found = list(cases(root))
    return {name: [run_case(case, engine) for case in found] for name, engine in ENGINES.items()}


def markdown(outcomes: dict[str, list[Outcome]]) -> str:
    total = len(next(iter(outcomes.values())))
    lines = ["| engine | core | sparql | total |", "|---|---|---|---|"]
    for name, results in outcomes.items():
        core = [o for o in results if o.case.name.startswith("core/")]
        sparql = [o for o in results if o.case.name.startswith("sparql/")]
        lines.append(f"| {name} | {sum(o.passed for o in core)}/{len(core)} | "
                     f"{sum(o.passed for o in sparql)}/{len(sparql)} | {sum(o.passed for o in results)}/{total} |")
    for name, results in outcomes.items():
        lines += ["", f"Failures, {name}:", ""]
        failed = [o for o in results if not o.passed]
        lines += [f"- `{o.case.name}`: {o.reason}" for o in failed] or ["- none"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(run_suite()))
