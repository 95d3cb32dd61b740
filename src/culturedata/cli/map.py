"""`culturedata map INPUT --mapping NAME`: a mapping playground that prints RDF.

Each record is printed on its own (Turtle or N-Triples), headed by its id and where it sits in
the provider's file, with the problems found beside it: the mapping's own findings and, when
shapes are installed, the SHACL findings of the profile. JSON-LD and N-Quads/TriG print one
document, with the findings on stderr.

Before the first record is mapped, a CSV header that lacks a column the mapping reads is said
on stderr (with the closest column); after the last, the mapping fields no record had (JSON,
XML) and the records that minted one IRI for different things. `--coverage` prints, instead of
RDF, what the mapping read of the records: each mapping field with the records that gave it a
value, the fields no record had, and each column, key or element of the source that the mapping
never reads (`--format json` for a machine).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import click
import pyoxigraph as ox

from culturedata.cli.i18n import I18nCommand, option
from culturedata.cli.inputs import resolve_input
from culturedata.cli.state import State, state
from culturedata.config import Config, Source
from culturedata.errors import CultureDataError, InputError, UsageError
from culturedata.harvest import HarvestOptions, harvest, is_file_record
from culturedata.mapping import (
    Coverage,
    Identities,
    Mapping,
    MappingContext,
    MissingField,
    load_mapping,
    map_records,
)
from culturedata.messages import current_lang, t, tn
from culturedata.records import Finding, MappedRecord, SourceRecord, content_hash, tuned

FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD,
           "nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}
PER_RECORD = ("ttl", "nt")
DEFAULT_BASE = "http://127.0.0.1:8000/"
JSON_SUFFIXES = {".json": "application/json", ".jsonld": "application/ld+json"}
PREFIXES = {"schema": "http://schema.org/", "qcp": "https://w3id.org/culturedata/ns/qcp#",
            "xsd": "http://www.w3.org/2001/XMLSchema#", "dcterms": "http://purl.org/dc/terms/",
            "vocab": "https://w3id.org/culturedata/vocab/"}


@click.command("map", cls=I18nCommand, help="cli.map.help")
@click.argument("input_name", metavar="INPUT")
@option("--mapping", help="cli.opt.mapping")
@option("--limit", type=click.IntRange(min=1), help="cli.opt.limit")
@option("--format", "fmt", type=click.Choice([*FORMATS, "json"]), default="ttl", help="cli.opt.rdf_format")
@option("--out", type=click.Path(dir_okay=False, path_type=Path), help="cli.opt.out_file")
@option("--coverage", "show_coverage", is_flag=True, help="cli.opt.coverage")
@click.pass_context
def map_command(
    ctx: click.Context, input_name: str, mapping: str | None, limit: int | None, fmt: str, out: Path | None,
    show_coverage: bool,
) -> None:
    if (fmt == "json" and not show_coverage) or (show_coverage and fmt not in ("ttl", "json")):  # ttl: the default
        raise UsageError("mapping.coverage.format", format=fmt)
    current = state()
    config = current.config() if current.has_config() else None
    compiled, records, source_id, language, timezone, severities = _open(current, input_name, mapping, limit)
    context = MappingContext.for_source(base_iri(config), source_id, language, timezone)
    coverage, identities = Coverage(compiled, detailed=show_coverage), Identities()
    lang = current_lang()
    records = before_mapping(coverage, records, severities, lambda f: click.echo(_line(f, lang), err=True))
    if show_coverage:
        for _ in map_records(compiled, records, context, coverage=coverage, identities=identities):
            pass
        _write(_coverage_json(coverage) if fmt == "json" else _coverage_text(coverage, lang).encode(), out)
        ctx.exit(0)
    validate = _validator()
    chunks: list[bytes] = []
    quads: list[ox.Quad] = []
    counts = {"records": 0, "unmappable": 0, "triples": 0}
    for record in map_records(compiled, records, context, coverage=coverage, identities=identities):
        own = tuned(record.findings, severities)
        findings = _unique([*own, *(validate(record) if validate and record.triples else [])])
        counts["records"] += 1
        counts["triples"] += len(record.triples)
        counts["unmappable"] += any(f.rule == "unmappable" for f in record.findings)
        if fmt in PER_RECORD:
            chunks.append(_block(record, findings, FORMATS[fmt], lang))
        else:
            graph = ox.NamedNode(record.graph)
            quads.extend(ox.Quad(q.subject, q.predicate, q.object, graph) for q in record.triples)
            for finding in findings:
                click.echo(f"{record.key} ({record.location or '-'}): {_line(finding, lang)}", err=True)
    data = b"".join(chunks) if fmt in PER_RECORD else _document(quads, FORMATS[fmt])
    _write(data, out)
    for finding in after_mapping(coverage, identities, source_id, severities):
        click.echo(_line(finding, lang), err=True)
    click.echo(t("mapping.preview.summary", current_lang(), **counts), err=True)
    if validate is None:
        click.echo(t("mapping.preview.no_shapes"), err=True)
    ctx.exit(1 if counts["unmappable"] else 0)


def base_iri(config: Config | None) -> str:
    return config.base_iri if config else DEFAULT_BASE


def before_mapping(
    coverage: Coverage, records: Iterator[SourceRecord], severities: dict[str, str], say: Callable[[Finding], None],
) -> Iterator[SourceRecord]:
    """The records, after saying what a CSV header lacks of the mapping's columns (before the
    first record is mapped: the first row is read, not mapped, to know the header). A file's
    own record (its encoding, its columns: harvest's file findings) has no row to read it from."""
    held: list[SourceRecord] = []
    for record in records:
        held.append(record)
        if not is_file_record(record):
            for finding in tuned(tuple(coverage.header(record)), severities):
                say(finding)
            break
    yield from held
    yield from records


def after_mapping(coverage: Coverage, identities: Identities, source_id: str,
                  severities: dict[str, str]) -> tuple[Finding, ...]:
    """What only the whole run shows: mapping fields no record had (a CSV's were said before
    the run), records that minted one IRI for different things."""
    missing = coverage.findings(source_id) if coverage.mapping.format != "csv" else []
    return tuned((*missing, *identities.findings(source_id)), severities)


def _open(
    current: State, name: str, mapping: str | None, limit: int | None
) -> tuple[Mapping, Iterator[SourceRecord], str, str, str | None, dict[str, str]]:
    """The compiled mapping and the records of INPUT: a configured source or a file."""
    path = Path(name)
    if path.suffix.lower() in JSON_SUFFIXES and path.is_file() and not _reads_rdf(mapping):
        if mapping is None:
            raise InputError("input.needs_mapping", path=path)
        from culturedata.iris import slug

        records = _json_records(path, slug(path.stem) or "file", limit)
        return load_mapping(mapping), records, slug(path.stem) or "file", "fr", None, {}
    source: Source = resolve_input(current, name, mapping)
    return (load_mapping(source.mapping), harvest(source, HarvestOptions(limit=limit)), source.id, source.language,
            source.timezone, source.severities)


def _write(data: bytes, out: Path | None) -> None:
    if out:
        out.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


def _coverage_text(coverage: Coverage, lang: str) -> str:
    """The fields found with their counts, those never found, the source's names never read."""
    lines = [t("mapping.coverage.text.records", lang, records=coverage.records), "",
             t("mapping.coverage.text.fields", lang)]
    width = len(str(coverage.records))
    lines += [f"  {count:>{width}}  {name} ({selector})" for name, selector, count in coverage.found_counts()]
    missing = coverage.missing()
    if missing:
        lines += ["", t("mapping.coverage.text.never_found", lang)]
        lines += [f"  {one.selector if one.each else f'{one.name} ({one.selector})'}, {_missing_hint(one, lang)}"
                  for one in missing]
    unread = coverage.unread()
    lines += ["", t("mapping.coverage.text.unread", lang)]
    lines += [f"  {count:>{width}}  {name}" for name, count in unread] or [f"  {t('mapping.coverage.text.none', lang)}"]
    return "\n".join(lines) + "\n"


def _missing_hint(one: MissingField, lang: str) -> str:
    """Who reads it, and what the source says about it."""
    who = tn("mapping.coverage.entity", len(one.entities), lang, names=", ".join(one.entities) or "-")
    if one.each:
        return t("mapping.coverage.text.each", lang, entity=who, fields=one.fields)
    hint = t("mapping.coverage.text.read_by", lang, entity=who)
    if one.alternatives:
        hint += t("mapping.coverage.text.alternatives", lang, alternatives=", ".join(one.alternatives))
    if one.empty:
        hint += t("mapping.coverage.text.empty", lang)
    elif one.elsewhere:
        hint += t("mapping.coverage.text.elsewhere", lang)
    if one.suggestion:
        hint += t("mapping.coverage.text.suggest", lang, suggestion=one.suggestion)
    return hint


def _coverage_json(coverage: Coverage) -> bytes:
    data = {
        "records": coverage.records,
        "fields": [{"field": name, "selector": selector, "records": count}
                   for name, selector, count in coverage.found_counts()],
        "never_found": [{"field": one.name, "selector": one.selector, "suggestion": one.suggestion,
                         "entities": list(one.entities), "alternatives": list(one.alternatives),
                         "elsewhere": one.elsewhere, "empty": one.empty, "each": one.each, "fields": one.fields}
                        for one in coverage.missing()],
        "unread": [{"name": name, "records": count} for name, count in coverage.unread()],
    }
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()


def _reads_rdf(mapping: str | None) -> bool:
    """An RDF mapping reads a JSON-LD file as the `rdf` kind does (contexts, base IRI, repairs)."""
    return mapping is not None and load_mapping(mapping).format == "sparql"


def _json_records(path: Path, source_id: str, limit: int | None) -> Iterator[SourceRecord]:
    """A JSON file is one record; a JSON array of objects (not JSON-LD) is one record per object."""
    data = path.read_bytes()
    media = JSON_SUFFIXES[path.suffix.lower()]
    items: list[bytes] = [data]
    if media == "application/json":
        try:
            parsed = json.loads(data)
        except ValueError:
            parsed = None  # the mapper reports it with the file as the record
        if isinstance(parsed, list) and all(isinstance(i, dict) and "@context" not in i for i in parsed):
            items = [json.dumps(i, ensure_ascii=False).encode() for i in parsed]
    for index, item in enumerate(items[:limit] if limit else items, start=1):
        local_id = path.stem if len(items) == 1 else f"{path.stem}-{index}"
        yield SourceRecord(source_id, local_id, item, media, content_hash(item), origin=str(path),
                           location=f"{path.name} #{index}")


def _validator() -> Callable[[MappedRecord], list[Finding]] | None:
    """SHACL findings for one record when the validation wing and its shapes are installed."""
    try:
        from culturedata.validate import PyshaclValidator, load_shapes

        validator = PyshaclValidator(load_shapes())
    except (ImportError, CultureDataError):
        return None

    def validate(record: MappedRecord) -> list[Finding]:
        return [f for report in validator.validate([record]) for f in report.findings]

    return validate


def _block(record: MappedRecord, findings: list[Finding], rdf_format: ox.RdfFormat, lang: str) -> bytes:
    head = f"# ── {record.key} ({record.location or '-'}) · {len(record.triples)} triples\n"
    notes = "".join(f"# {_line(f, lang)}\n" for f in findings)
    body = _serialized(record.triples, rdf_format) if record.triples else b""
    return (head + notes).encode() + body + b"\n"


def _unique(findings: list[Finding]) -> list[Finding]:
    """The validation report repeats the mapping's own findings: show each once."""
    seen: dict[tuple[str, str | None, str | None, str], Finding] = {}
    for finding in findings:
        seen.setdefault((finding.rule, finding.path, finding.value, finding.text("en")), finding)
    return list(seen.values())


def _line(finding: Finding, lang: str) -> str:
    where = f" [{finding.path}]" if finding.path else ""
    return f"{finding.severity.value.upper()}{where} {finding.text(lang)}"


def _document(quads: list[ox.Quad], rdf_format: ox.RdfFormat) -> bytes:
    if not quads:
        return b""
    if not rdf_format.supports_datasets:
        quads = [ox.Quad(q.subject, q.predicate, q.object) for q in quads]
    return _serialized(quads, rdf_format)


def _serialized(statements: Iterable[ox.Triple] | Iterable[ox.Quad], rdf_format: ox.RdfFormat) -> bytes:
    data = ox.serialize(statements, format=rdf_format, prefixes=PREFIXES)
    assert data is not None  # without an output, pyoxigraph returns the bytes
    return data
