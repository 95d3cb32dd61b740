"""Validate: check mapped records against the SHACL shapes, record by record, and report.

    shapes.py       shapes/*.ttl and the SKOS vocabularies they check against
    validator.py    the `Validator` protocol, the pySHACL engine, `ENGINES` by name
    batches.py      batches of records through an engine, in worker processes
    shared.py       a finding on a node several records describe, given to each of them
    report.py       per-record reports, an export's report, the summary, text / JSON / CSV
    shaclreport.py  the sh:ValidationReport in Turtle
    html.py         the self-contained HTML report
    formats.py      the formats a report is written in, one renderer each
    quarantine.py   the per-source quarantine policy and the logs that keep its records
    recordlog.py    those logs: append-only JSON Lines with an index, never rewritten whole
    rdffiles.py     RDF files as records, for `validate --rdf`
"""

from culturedata.validate.batches import EngineSpec, validate_records

# Imported after the engines it builds on; `--engine fast` (issue 9) selects it.
from culturedata.validate.fast import FastValidator  # noqa: E402
from culturedata.validate.formats import FORMATS, MEDIA_TYPES, SUFFIXES, render, render_chunks
from culturedata.validate.html import render_html
from culturedata.validate.quarantine import Policy, QuarantineLog, logged
from culturedata.validate.rdffiles import rdf_files, read_rdf
from culturedata.validate.report import (
    ExportReport,
    RecordReport,
    Summary,
    groups,
    located,
    render_csv,
    render_json,
    render_text,
    spreadsheet_csv,
    summarise,
    summary_line,
)
from culturedata.validate.shaclreport import render_turtle
from culturedata.validate.shapes import ShapeSet, configured_dirs, load_shapes
from culturedata.validate.validator import ENGINES, PyshaclValidator, Validator, make_validator

ENGINES.setdefault("fast", FastValidator)
# The compiled engine gives pySHACL's findings (tests/validate_fast) about ten times faster.
DEFAULT_ENGINE = "fast"

__all__ = [
    "DEFAULT_ENGINE",
    "ENGINES",
    "FORMATS",
    "MEDIA_TYPES",
    "SUFFIXES",
    "EngineSpec",
    "ExportReport",
    "FastValidator",
    "Policy",
    "PyshaclValidator",
    "QuarantineLog",
    "RecordReport",
    "ShapeSet",
    "Summary",
    "Validator",
    "configured_dirs",
    "groups",
    "load_shapes",
    "located",
    "logged",
    "make_validator",
    "rdf_files",
    "read_rdf",
    "render",
    "render_chunks",
    "render_csv",
    "render_html",
    "render_json",
    "render_text",
    "render_turtle",
    "spreadsheet_csv",
    "summarise",
    "summary_line",
    "validate_records",
]
