"""The DCAT description at /catalog passes DCAT-AP 2.1.1's own SHACL shapes (vendored in
schemas/, CC BY 4.0, see schemas/README.md): before, the catalogue had no description or
publisher, the service no title and the dumps no accessURL, and byteSize was an xsd:integer."""

from __future__ import annotations

from pathlib import Path

import httpx
import pyshacl
from rdflib import Graph, Literal, Namespace

SHAPES = Path(__file__).parent / "schemas" / "dcat-ap_2.1.1_shacl_shapes.ttl"
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCT = Namespace("http://purl.org/dc/terms/")


def catalogue(base: str, client: httpx.Client) -> Graph:
    answer = client.get(base + "/catalog", headers={"Accept": "text/turtle"})
    assert answer.status_code == 200
    return Graph().parse(data=answer.text, format="turtle")


def test_the_catalogue_passes_dcat_ap(demo_server: str, client: httpx.Client, demo_snapshots) -> None:  # type: ignore[no-untyped-def]
    dumps = demo_snapshots.root / "dumps"
    dumps.mkdir()
    (dumps / "culturedata.nq.gz").write_bytes(b"\x1f\x8b")
    graph = catalogue(demo_server, client)
    conforms, _, text = pyshacl.validate(graph, shacl_graph=Graph().parse(SHAPES, format="turtle"))
    assert conforms, text
    # what a portal shows: titles and descriptions in both languages, the dump's media type
    for kind in (DCAT.Catalog, DCAT.Dataset, DCAT.DataService):
        [node] = list(graph.subjects(predicate=None, object=kind))
        for part in (DCT.title, DCT.description):
            assert {o.language for o in graph.objects(node, part) if isinstance(o, Literal)} == {"fr", "en"}
    [media] = list(graph.objects(None, DCAT.mediaType))
    assert str(media) == "https://www.iana.org/assignments/media-types/application/n-quads"


def test_a_missing_description_is_what_the_shapes_catch() -> None:
    """The shapes are live: the catalogue without its description does not conform."""
    graph = Graph().parse(data="""@prefix dcat: <http://www.w3.org/ns/dcat#> . @prefix dct: <http://purl.org/dc/terms/> .
        <http://e/c> a dcat:Catalog ; dct:title "t"@en ; dct:publisher <http://e/p> .""", format="turtle")
    conforms, _, _ = pyshacl.validate(graph, shacl_graph=Graph().parse(SHAPES, format="turtle"))
    assert not conforms
