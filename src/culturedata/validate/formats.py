"""The report formats, each written by one renderer: what `culturedata validate --format` and
the validation page's downloads (`/validate/report.{format}`) both call, so the same export
gives the same bytes from either."""

from __future__ import annotations

from collections.abc import Iterator

from culturedata.validate.html import render_html
from culturedata.validate.report import ExportReport, json_chunks, render_csv, render_json, render_text
from culturedata.validate.shaclreport import render_turtle

FORMATS = ("text", "json", "csv", "ttl", "html")
MEDIA_TYPES = {
    "text": "text/plain; charset=utf-8",
    "json": "application/json",
    "csv": "text/csv; charset=utf-8",
    "ttl": "text/turtle; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
SUFFIXES = {"text": "txt", "json": "json", "csv": "csv", "ttl": "ttl", "html": "html"}


def render_chunks(report: ExportReport, fmt: str, lang: str, title: str, examples: int | None = 3) -> Iterator[str]:
    """`render`'s text in pieces, to be written as they come: JSON, the format that grows
    with every record's findings, is made a record at a time."""
    if fmt == "json":
        yield from json_chunks(report)
    else:  # made when first asked for, as the JSON is (a server sends it from a worker thread)
        yield render(report, fmt, lang, title, examples)


def render(report: ExportReport, fmt: str, lang: str, title: str, examples: int | None = 3) -> str:
    """`report` as `fmt` in `lang`; `title` (the file's name) heads the HTML page, `examples`
    is how many records the text lists per rule (None: all)."""
    if fmt == "json":
        return render_json(report)
    if fmt == "csv":
        return render_csv(report, lang)
    if fmt == "ttl":
        return render_turtle(report)
    if fmt == "html":
        return render_html(report, lang, title)
    if fmt == "text":
        return render_text(report, lang, examples)
    raise ValueError(fmt)
