"""The SHACL `sh:ValidationReport` in Turtle, for RDF tools.

Each finding becomes an `sh:ValidationResult`; terms of our own say where the record came
from (`cdr:sourceRecord`, `cdr:location`), which column (or element path, or JSON pointer) of the
export the value came from (`cdr:column`), and which mapping field a finding is about when it is
no property (`cdr:field`: a column, or a template such as `{date_from}/{date_to}`), which SHACL
has no words for. Findings
without a focus node (a record the mapper could not map) use the record's URN as focus.
"""

from __future__ import annotations

import re
from typing import TypeGuard
from urllib.parse import quote

from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef

from culturedata.records import Finding
from culturedata.validate.report import ExportReport

SH = Namespace("http://www.w3.org/ns/shacl#")
CDR = Namespace("https://w3id.org/culturedata/ns/report#")
SEVERITY = {"violation": SH.Violation, "warning": SH.Warning, "info": SH.Info}


def render_turtle(checked: ExportReport) -> str:
    """The report; the findings about the source (a file's encoding, its columns) come first."""
    graph = Graph()
    graph.bind("sh", SH)
    graph.bind("cdr", CDR)
    graph.bind("schema", "http://schema.org/", override=True, replace=True)
    # Blank nodes named by their place, not at random: the same report is the same bytes.
    report = BNode("report")
    graph.add((report, RDF.type, SH.ValidationReport))
    findings = [*checked.findings, *(f for r in checked.records for f in r.findings)]
    # SHACL: a report conforms when it has no result at all, warnings included.
    graph.add((report, SH.conforms, Literal(not findings)))
    graph.add((report, CDR.recordsChecked, Literal(len(checked.records), datatype=XSD.integer)))
    for index, finding in enumerate(findings):
        graph.add((report, SH.result, _result(graph, finding, BNode(f"result{index:06d}"))))
    return graph.serialize(format="turtle")


def _result(graph: Graph, finding: Finding, result: BNode) -> BNode:
    add = graph.add
    add((result, RDF.type, SH.ValidationResult))
    add((result, SH.resultSeverity, SEVERITY[finding.severity.value]))
    record = f"urn:culturedata:record:{quote(finding.source_id, safe='')}:{quote(finding.local_id, safe='')}"
    add((result, SH.focusNode, URIRef(finding.focus if _is_iri(finding.focus) else record)))
    if _is_iri(finding.rule):
        add((result, SH.sourceShape, URIRef(finding.rule)))
    add((result, CDR.rule, Literal(finding.rule)))
    if _is_iri(finding.component):
        add((result, SH.sourceConstraintComponent, URIRef(finding.component)))
    if _is_iri(finding.path):
        add((result, SH.resultPath, URIRef(finding.path)))
    elif finding.path:  # a mapping field or template, not a property: said as text
        add((result, CDR.field, Literal(finding.path)))
    if finding.value is not None:
        add((result, SH.value, _value(finding.value)))
    for lang, text in sorted(finding.message.items()):
        add((result, SH.resultMessage, Literal(text, lang=lang or None)))
    add((result, CDR.sourceRecord, Literal(f"{finding.source_id}:{finding.local_id}")))
    add((result, CDR.stage, Literal(finding.stage)))
    if finding.location:
        add((result, CDR.location, Literal(finding.location)))
    if finding.column:
        add((result, CDR.column, Literal(finding.column)))
    return result


def _value(value: str) -> URIRef | Literal:
    # Findings keep values as text; an absolute IRI was an IRI in the data.
    return URIRef(value) if _is_iri(value) else Literal(value)


_NOT_IN_IRIS = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _is_iri(text: str | None) -> TypeGuard[str]:
    """An absolute IRI Turtle can write (a template such as `{date_from}/{date_to}` is not one)."""
    return text is not None and text.startswith(("http://", "https://", "urn:")) and not _NOT_IN_IRIS.search(text)
