"""The kinds of source, one entry each: everything the rest of culturedata knows about a kind.

A source's `kind` (in `culturedata.toml`), the suffix of a file given to `culturedata validate`,
`map` or the validation page, whether the nightly run may treat a harvest as the whole
source, and which mappings can read its records are all answered here. Adding a kind is one
`Kind` in `KINDS` (and its section in docs/harvesting.md); nothing else lists kinds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from culturedata.config import Source
from culturedata.harvest import jsonfile, jsonld, oaipmh, rdfdump, rest, sparql, spreadsheet, tabular, xmldump
from culturedata.records import SourceRecord

if TYPE_CHECKING:
    from culturedata.harvest import HarvestOptions

Harvester = Callable[[Source, "HarvestOptions"], Iterator[SourceRecord]]


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of source.

    `whole`: every harvest that gives records gives all of them (a file is read whole, a
    downloaded one gives nothing when the server answers "not modified"; a SPARQL query is run
    whole), so a record not seen is a deletion. Other kinds harvest from a watermark: only a
    `--full` (or first) harvest is whole. `suffixes`: the file endings read as this kind when a
    file is given without a configured source. `mapping_formats`: the mapping `format`s that
    read its records, the first being the usual one; empty when no check applies. `id_option`:
    the option naming what identifies a record (a column, a path), which a mapping's `id` can
    stand in for when a file is given without a configured source.
    """

    name: str
    harvester: Harvester
    options: Mapping[str, tuple[Any, Any]]
    whole: bool
    suffixes: tuple[str, ...] = ()
    mapping_formats: tuple[str, ...] = ()
    id_option: str | None = None


KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("csv", tabular.harvest_csv, tabular.OPTIONS, whole=True, suffixes=(".csv", ".tsv"),
         mapping_formats=("csv",), id_option="id_column"),
    # A row reads as a CSV row would: the CSV mappings read spreadsheets of the same columns.
    Kind("xlsx", spreadsheet.harvest_xlsx, spreadsheet.OPTIONS, whole=True, suffixes=(".xlsx",),
         mapping_formats=("csv",), id_option="id_column"),
    Kind("json", jsonfile.harvest_json, jsonfile.OPTIONS, whole=True, suffixes=(".json", ".jsonl", ".jsonld"),
         mapping_formats=("json", "jsonld"), id_option="id_field"),
    Kind("xml", xmldump.harvest_xml, xmldump.OPTIONS, whole=True, suffixes=(".xml", ".lido"),
         mapping_formats=("xml",)),
    # An RDF mapping (`format: sparql`) reads an OAI-PMH payload that is rdf:RDF (metadataPrefix=edm).
    Kind("oai-pmh", oaipmh.harvest_oaipmh, oaipmh.OPTIONS, whole=False, mapping_formats=("xml", "sparql")),
    Kind("rest", rest.harvest_rest, rest.OPTIONS, whole=False, mapping_formats=("json", "jsonld")),
    Kind("jsonld-pages", jsonld.harvest_jsonld_pages, jsonld.OPTIONS, whole=False,
         mapping_formats=("jsonld", "json")),
    # Its records are pages of N-Triples, which RDF mappings read (`sparql-graph` keeps them as they are).
    Kind("sparql", sparql.harvest_sparql, sparql.OPTIONS, whole=True, mapping_formats=("sparql",)),
    Kind("rdf", rdfdump.harvest_rdf, rdfdump.OPTIONS, whole=True,
         suffixes=(".ttl", ".nt", ".nq", ".trig", ".n3", ".rdf", ".owl"), mapping_formats=("sparql",)),
)}

# A file's suffix (lower case) to the kind that reads it.
KINDS_BY_SUFFIX: dict[str, Kind] = {suffix: kind for kind in KINDS.values() for suffix in kind.suffixes}


def kind_of_file(path: Path | str) -> Kind | None:
    """The kind that reads this file, from its suffix; None for a file no kind reads."""
    return KINDS_BY_SUFFIX.get(Path(path).suffix.lower())
