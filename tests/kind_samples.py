"""One small export per file suffix the harvest's kinds read, with the shipped mapping that reads
it: the command line and the validation page must take each of them the same way."""

from __future__ import annotations

import csv
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

SAMPLES = Path(__file__).resolve().parent.parent / "sample_inputs"
EVENT = {
    "@context": "https://schema.org", "@type": "TheaterEvent", "@id": "https://theatre.example/e/1",
    "name": "Les Belles-sœurs", "startDate": "2026-05-01T20:00",
    "location": {"@type": "Place", "name": "Salle Desjardins",
                 "address": {"@type": "PostalAddress", "addressLocality": "Rimouski"}},
}


# One heritage object in the profile's terms, written in each RDF syntax the `rdf` kind reads.
OBJECT_TTL = """@prefix schema: <http://schema.org/> .
@prefix qcp: <https://w3id.org/culturedata/ns/qcp#> .
<https://musee.example/objet/1> a qcp:HeritageObject, schema:CreativeWork ;
    schema:name "Canot d'écorce"@fr ;
    schema:identifier "1987.12.3" .
"""


def rdf_text(suffix: str) -> str:
    """OBJECT_TTL in the syntax of `suffix`."""
    import pyoxigraph as ox

    if suffix in (".ttl", ".n3"):
        return OBJECT_TTL
    fmt = {".nt": ox.RdfFormat.N_TRIPLES, ".nq": ox.RdfFormat.N_QUADS, ".trig": ox.RdfFormat.TRIG,
           ".rdf": ox.RdfFormat.RDF_XML, ".owl": ox.RdfFormat.RDF_XML}[suffix]
    data = ox.serialize(ox.parse(OBJECT_TTL, format=ox.RdfFormat.TURTLE), format=fmt)
    assert data is not None
    return data.decode("utf-8")


@dataclass(frozen=True)
class Sample:
    path: Path
    mapping: str
    records: int


def kind_samples(folder: Path) -> dict[str, Sample]:
    """Exports written into `folder`, by suffix; built from the demo's sample inputs."""
    organisations = json.loads((SAMPLES / "reseau-culture-laurentides" / "organismes.json").read_text("utf-8"))
    organisations = organisations["data"]["organismes"][:3]
    written = {
        ".csv": (SAMPLES / "musee-fjord-bleu" / "collection.csv", "musee-csv", 40),
        ".tsv": (SAMPLES / "musee-fjord-bleu" / "collection.csv", "musee-csv", 40),  # the delimiter is sniffed
        ".xml": (SAMPLES / "musee-anse-aux-brumes" / "lido.xml", "lido", 20),
        ".lido": (SAMPLES / "musee-anse-aux-brumes" / "lido.xml", "lido", 20),
        ".json": (json.dumps(organisations, ensure_ascii=False), "organismes-json", 3),
        ".jsonl": ("\n".join(json.dumps(o, ensure_ascii=False) for o in organisations), "organismes-json", 3),
        ".jsonld": (json.dumps(EVENT, ensure_ascii=False), "schema-events", 1),
        **{suffix: (rdf_text(suffix), "sparql-graph", 1) for suffix in (".ttl", ".nt", ".nq", ".trig", ".n3", ".rdf",
                                                                       ".owl")},
    }
    samples = {}
    for suffix, (content, mapping, records) in written.items():
        path = folder / f"export{suffix}"
        if isinstance(content, Path):
            shutil.copy(content, path)
        else:
            path.write_text(content, encoding="utf-8")
        samples[suffix] = Sample(path, mapping, records)
    path = folder / "export.xlsx"
    path.write_bytes(workbook(demo_rows()))
    samples[".xlsx"] = Sample(path, "musee-csv", 40)
    return samples


def demo_rows() -> list[list[str]]:
    """The demo museum's export (sample_inputs/musee-fjord-bleu/collection.csv), as rows."""
    text = (SAMPLES / "musee-fjord-bleu" / "collection.csv").read_bytes().decode("cp1252")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def workbook(rows: list[list[object]], title: str = "Collection", *others: str) -> bytes:
    """An .xlsx whose first sheet, `title`, holds `rows` (and empty sheets named `others`), as Excel saves it."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    for row in rows:
        sheet.append(row)
    for name in others:
        book.create_sheet(name)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
