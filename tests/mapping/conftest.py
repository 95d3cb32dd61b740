"""Helpers for the mapping tests: real records from the demo inputs and ../shared/data."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from culturedata.mapping import MappingContext
from culturedata.records import MappedRecord, SourceRecord, content_hash
from shareddata import SHARED_DATA
from shareddata import shared as shared  # the tests of this folder import it from here

ROOT = Path(__file__).resolve().parents[2]
SHARED = SHARED_DATA
SAMPLES = ROOT / "sample_inputs"
BASE = "http://127.0.0.1:8000/"
SCHEMA = "http://schema.org/"
QCP = "https://w3id.org/culturedata/ns/qcp#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"



def sample(*parts: str) -> Path:
    path = SAMPLES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (demo inputs not merged yet)")
    return path


def context(source: str = "s", language: str = "fr") -> MappingContext:
    return MappingContext.for_source(BASE, source, language)


def record(payload: bytes | dict, local_id: str = "r1", source: str = "s", media: str = "application/xml") -> SourceRecord:
    raw = payload if isinstance(payload, bytes) else json.dumps(payload, sort_keys=True).encode()
    return SourceRecord(source, local_id, payload, media, content_hash(raw), location=f"test {local_id}")


def file_record(path: Path, source: str = "s") -> SourceRecord:
    data = path.read_bytes()
    return SourceRecord(source, path.stem, data, "application/json", content_hash(data), origin=str(path))


_SCRIPT = re.compile(r'<script[^>]*type="application/ld\+json"[^>]*>(.*?)</script>', re.S | re.I)


def jsonld_page_record(path: Path, source: str = "theatre-deux-rives") -> SourceRecord | None:
    """A page as the jsonld-pages harvester hands it over: its repaired JSON-LD blocks as one JSON
    array (comments and trailing commas removed, HTML entities decoded); None without any block."""
    blocks = []
    for block in _SCRIPT.findall(path.read_text(encoding="utf-8")):
        text = re.sub(r"/\*.*?\*/", "", block, flags=re.S)
        text = re.sub(r'(?m)^((?:[^"\n]|"(?:[^"\\\n]|\\.)*")*?)\s*//.*$', r"\1", text)
        text = re.sub(r",(\s*[}\]])", r"\1", text)
        try:
            blocks.append(json.loads(html.unescape(text)))
        except ValueError:
            continue  # irreparable: the harvester reports it, the mapper never sees it
    if not blocks:
        return None
    data = json.dumps(blocks, ensure_ascii=False).encode()
    url = f"https://theatre-deux-rives.example/evenements/{path.name}"
    return SourceRecord(source, url, data, "application/ld+json", content_hash(data), origin=url)


def iri(text: str) -> NamedNode:
    return NamedNode(text)


def subjects_of_type(mapped: MappedRecord, cls: str) -> list[str]:
    return [t.subject.value for t in mapped.triples if t.predicate.value == RDF_TYPE and t.object.value == cls]


def objects(mapped: MappedRecord, subject: str, predicate: str) -> list:
    return [t.object for t in mapped.triples if t.subject.value == subject and t.predicate.value == predicate]


def has(mapped: MappedRecord, s: str, p: str, o: NamedNode | Literal) -> bool:
    return Triple(NamedNode(s), NamedNode(p), o) in set(mapped.triples)


def iter_files(folder: Path, pattern: str) -> Iterator[Path]:
    yield from sorted(folder.rglob(pattern))
