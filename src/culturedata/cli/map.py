"""`culturedata map INPUT --mapping NAME`: a mapping playground that prints RDF."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pyoxigraph as ox

from culturedata.cli.i18n import I18nCommand, option
from culturedata.cli.inputs import resolve_input
from culturedata.cli.state import state
from culturedata.config import Config
from culturedata.harvest import HarvestOptions, harvest
from culturedata.mapping import MappingContext, load_mapping, map_records
from culturedata.messages import current_lang

FORMATS = {"nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "ttl": ox.RdfFormat.TURTLE,
           "nt": ox.RdfFormat.N_TRIPLES, "jsonld": ox.RdfFormat.JSON_LD}
DEFAULT_BASE = "http://127.0.0.1:8000/"


@click.command("map", cls=I18nCommand, help="cli.map.help")
@click.argument("input_name", metavar="INPUT")
@option("--mapping", help="cli.opt.mapping")
@option("--limit", type=click.IntRange(min=1), help="cli.opt.limit")
@option("--format", "fmt", type=click.Choice(list(FORMATS)), default="ttl", help="cli.opt.rdf_format")
@option("--out", type=click.Path(dir_okay=False, path_type=Path), help="cli.opt.out_file")
def map_command(input_name: str, mapping: str | None, limit: int | None, fmt: str, out: Path | None) -> None:
    current = state()
    source = resolve_input(current, input_name, mapping)
    compiled = load_mapping(source.mapping)
    base = base_iri(current.config() if current.has_config() else None)
    context = MappingContext.for_source(base, source.id, source.language)
    dataset = ox.Dataset()
    for record in map_records(compiled, harvest(source, HarvestOptions(limit=limit)), context):
        graph = ox.NamedNode(record.graph)
        for triple in record.triples:
            dataset.add(ox.Quad(triple.subject, triple.predicate, triple.object, graph))
        for finding in record.findings:
            click.echo(f"{record.key} ({record.location}): {finding.text(current_lang())}", err=True)
    rdf_format = FORMATS[fmt]
    quads = list(dataset)
    if not rdf_format.supports_datasets:
        quads = [ox.Quad(q.subject, q.predicate, q.object) for q in quads]
    data = ox.serialize(quads, format=rdf_format, prefixes=PREFIXES) if quads else b""
    if out:
        out.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)


PREFIXES = {"schema": "http://schema.org/", "qcp": "https://w3id.org/culturedata/ns/qcp#",
            "xsd": "http://www.w3.org/2001/XMLSchema#"}


def base_iri(config: Config | None) -> str:
    return config.base_iri if config else DEFAULT_BASE
