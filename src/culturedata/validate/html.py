"""The HTML report: one self-contained page (inline CSS, no script, no external asset)
that a museum can open offline or send by e-mail, in the chosen language. Its own
Content-Security-Policy (a <meta>) allows that style sheet, by its hash, and nothing else."""

from __future__ import annotations

import base64
import hashlib

from jinja2 import Environment, PackageLoader, select_autoescape

from culturedata.validate.report import ExportReport, compact, entity, groups, summary_line, where

_ENV = Environment(
    loader=PackageLoader("culturedata.validate", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def csp_hash(text: str) -> str:
    """A Content-Security-Policy source naming exactly `text`, an inline element's content."""
    return "sha256-" + base64.b64encode(hashlib.sha256(str(text).encode("utf-8")).digest()).decode("ascii")


_ENV.filters["csp_hash"] = csp_hash


def render_html(report: ExportReport, lang: str, title: str, examples: int | None = None) -> str:
    """The page; the same bytes for the same report, language and title (no clock in it), so the
    validation page's download is the command's file."""
    from culturedata.messages import t

    def label(code: str, **params: object) -> str:
        return t(f"validate.html.{code}", lang, **params)

    def severity(value: str) -> str:
        return t(f"validate.severity.{value}", lang)

    return _ENV.get_template("report.html").render(
        lang=lang, title=title, summary=report.summary, headline=summary_line(report.summary, lang),
        about=report.findings, groups=groups(report), examples=examples, label=label, severity=severity,
        compact=compact, where=where, entity=entity,
    )
