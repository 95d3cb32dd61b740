"""The real inputs the fuzzers start from: the demo's sample exports (cut to a few records, so
that a case costs milliseconds), the shipped mappings, the demo configuration, the query page's
examples, and RDF written from them."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from culturedata.server.pages import EXAMPLES
from kind_samples import EVENT, demo_rows, workbook

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "sample_inputs"
PAGES = SAMPLES / "theatre-deux-rives"


@dataclass(frozen=True)
class FileSeed:
    """Exports of one kind: their bytes, the suffix they are saved under and the mapping that reads them."""

    kind: str
    suffix: str
    mapping: str
    seeds: tuple[bytes, ...]
    options: dict[str, str]
    tree: object = None  # the parsed document, for structure-aware mutation


def _csv() -> list[bytes]:
    lines = (SAMPLES / "musee-fjord-bleu" / "collection.csv").read_bytes().splitlines(keepends=True)
    cp1252 = b"".join(lines[:6])
    return [cp1252, cp1252.decode("cp1252").encode("utf-8")]


def _lido() -> bytes:
    text = (SAMPLES / "musee-anse-aux-brumes" / "lido.xml").read_text(encoding="utf-8")
    cut = [m.end() for m in re.finditer(r"</lido:lido>", text)][1]
    return (text[:cut] + "\n</lido:lidoWrap>\n").encode("utf-8")


def organisations() -> list[object]:
    document = json.loads((SAMPLES / "reseau-culture-laurentides" / "organismes.json").read_text("utf-8"))
    return list(document["data"]["organismes"][:3])


@cache
def file_seeds() -> dict[str, FileSeed]:
    """By kind name as the tests call it (one file suffix each)."""
    orgs = organisations()
    return {
        # Before "csv": the runs' projects take the last seed of each mapping, the CSV one.
        "xlsx": FileSeed("xlsx", ".xlsx", "musee-csv", (workbook(demo_rows()[:6]),), {}),
        "csv": FileSeed("csv", ".csv", "musee-csv", tuple(_csv()), {"delimiter": ";"}),
        "xml": FileSeed("xml", ".xml", "lido", (_lido(),), {}),
        "json": FileSeed("json", ".json", "organismes-json", (json.dumps(orgs, ensure_ascii=False).encode(),),
                         {"id_field": "id"}, orgs),
        "jsonl": FileSeed("json", ".jsonl", "organismes-json",
                          ("\n".join(json.dumps(o, ensure_ascii=False) for o in orgs).encode(),), {"id_field": "id"}),
        "jsonld": FileSeed("json", ".jsonld", "schema-events", (json.dumps(EVENT, ensure_ascii=False).encode(),),
                           {}, EVENT),
    }


def page_names() -> list[str]:
    return ["le-fleuve-en-nous.html", "quatuor-laviolette.html", "brise-glace.html"]


def page_seeds() -> list[bytes]:
    return [(PAGES / "evenements" / name).read_bytes() for name in page_names()]


def sitemap(base: str, names: list[str]) -> bytes:
    urls = "".join(f"<url><loc>{base}evenements/{name}</loc><lastmod>2025-08-20</lastmod></url>" for name in names)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n').encode()


def mapping_names() -> list[str]:
    return sorted(p.stem for p in (ROOT / "mappings").glob("*.yaml"))


@cache
def mapping_trees() -> dict[str, object]:
    return {name: yaml.safe_load((ROOT / "mappings" / f"{name}.yaml").read_text("utf-8")) for name in mapping_names()}


def mapping_texts() -> dict[str, bytes]:
    return {name: (ROOT / "mappings" / f"{name}.yaml").read_bytes() for name in mapping_names()}


# Which seed export each shipped mapping reads, so a mutated mapping meets data it was written for.
MAPPING_INPUTS = {"musee-csv": "csv", "lido": "xml", "organismes-json": "json", "schema-events": "jsonld"}


def config_text() -> bytes:
    return (ROOT / "culturedata.toml").read_bytes()


def config_tree() -> dict[str, object]:
    return tomllib.loads(config_text().decode("utf-8"))


def queries() -> list[bytes]:
    extra = [
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }",
        "ASK { ?s ?p ?o }",
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5",
        "DESCRIBE <http://127.0.0.1:8000/id/musee-test/objet/1>",
        'SELECT ?s WHERE { ?s <http://schema.org/name> ?n FILTER(REGEX(?n, "^Obj", "i")) } LIMIT 3',
    ]
    return [q.encode() for q in [*EXAMPLES.values(), *extra]]


@cache
def rdf_seeds() -> dict[str, list[bytes]]:
    """Turtle and RDF/XML from the repository's own ontology and shapes (cut small), N-Triples
    and JSON-LD written by pyoxigraph from them."""
    import pyoxigraph as ox

    turtle = (ROOT / "shapes" / "place.ttl").read_bytes()
    quads = list(ox.parse(turtle, format=ox.RdfFormat.TURTLE))[:40]
    graph = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    named = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode("http://g.example/1")) for t in graph]

    def written(triples: list[ox.Triple] | list[ox.Quad], fmt: ox.RdfFormat) -> list[bytes]:
        # Fixed text for Hypothesis (blank node labels are random): write once, the seeds are cached.
        text = ox.serialize(triples, format=fmt)
        assert text is not None
        return [text]

    return {
        ".ttl": [turtle],
        ".nt": written(graph, ox.RdfFormat.N_TRIPLES),
        ".jsonld": written(graph, ox.RdfFormat.JSON_LD),
        ".rdf": written(graph, ox.RdfFormat.RDF_XML),
        ".trig": written(named, ox.RdfFormat.TRIG),
    }
