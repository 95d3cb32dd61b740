"""The shapes are themselves valid SHACL: they conform to the W3C shapes-for-shapes graph (shsh).

pySHACL ships the shsh graph of the SHACL specification (Appendix C); no network is needed.
"""

from __future__ import annotations

from pathlib import Path

import pyshacl
from profile_shacl import shapes_graph
from pyshacl import validate
from rdflib import Graph

SHSH = Path(pyshacl.__file__).resolve().parent / "assets" / "shacl-shacl.ttl"


def test_shapes_conform_to_shacl_shacl() -> None:
    conforms, _, text = validate(shapes_graph(), shacl_graph=Graph().parse(SHSH, format="turtle"))
    assert conforms, text
