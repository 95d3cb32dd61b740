"""Mapping speed: the LIDO mapping on a >= 100 MB dump beside a hand-written lxml mapper that
makes the same triples (the limit), and the museum CSV mapping beside the bare cost of writing
its triples. Issue #5 asks for >= 0.8 of the hand-written mapper on LIDO (about 250k triples/s
per core) and >= 400k triples/s per core on CSV, in memory O(one record).

The engine writes each record's graph as N-Triples text, so the hand-written mapper does too
(same XPaths, transforms and writers). Both LIDO mappers see the same records in the same pass
(iterparse + tostring, as the XML harvester hands them over, not timed), each timed around its
own call; their outputs are parsed and compared as sets of triples on every record (not timed).
Inputs are generated under bench/out/ from the demo exports, with ids and dates varied so that
records differ from one another.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import resource
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import yaml
from lxml import etree
from pyoxigraph import NamedNode, Triple

from culturedata.iris import slug
from culturedata.mapping import Coverage, Identities, MappingContext, load_mapping, map_record
from culturedata.mapping import ntriples as nt
from culturedata.mapping.selectors import lang_of
from culturedata.mapping.transforms import IRI, TRANSFORMS, Unreadable, Value
from culturedata.records import SourceRecord, content_hash
from culturedata.resources import mappings_dir

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
LIDO_NS = "http://www.lido-schema.org"
LIDO_TAG = f"{{{LIDO_NS}}}lido"
# BENCH_MAPPING_MB / BENCH_MAPPING_ROWS shrink the inputs for a quick check; the figures use the defaults.
TARGET_BYTES = int(float(os.environ.get("BENCH_MAPPING_MB", "100")) * 1024 * 1024)
CSV_ROWS = int(os.environ.get("BENCH_MAPPING_ROWS", "60000"))
CONTEXT = MappingContext.for_source("http://127.0.0.1:8000/", "bench", "fr")


# --- inputs -----------------------------------------------------------------------------------

def lido_dump() -> Path:
    path = OUT / f"lido-{TARGET_BYTES // 1024 // 1024}mb.xml"
    if path.exists() and path.stat().st_size >= TARGET_BYTES:
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    text = (ROOT / "sample_inputs" / "musee-anse-aux-brumes" / "lido.xml").read_text(encoding="utf-8")
    records = re.findall(r"<lido:lido>.*?</lido:lido>", text, flags=re.S)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(f'<?xml version="1.0" encoding="UTF-8"?>\n<lido:lidoWrap xmlns:lido="{LIDO_NS}">\n')
        copy = 0
        while written < TARGET_BYTES:
            for record in records:
                varied = re.sub(r"(MMAB-\d+)", rf"\1-{copy}", record)
                varied = re.sub(r"<lido:workID([^>]*)>\s*([^<]+?)\s*</lido:workID>",
                                rf"<lido:workID\1>\2.{copy}</lido:workID>", varied)
                varied = re.sub(r"<lido:earliestDate>\d{4}", f"<lido:earliestDate>{1800 + copy % 100}", varied, count=1)
                out.write(varied + "\n")
                written += len(varied.encode())
            copy += 1
        out.write("</lido:lidoWrap>\n")
    return path


def csv_rows() -> list[dict[str, str]]:
    text = (ROOT / "sample_inputs" / "musee-fjord-bleu" / "collection.csv").read_bytes().decode("cp1252")
    rows = [{k: v or "" for k, v in row.items()} for row in csv.DictReader(io.StringIO(text), delimiter=";")]
    rows = [r for r in rows if r.get("id", "").strip()]
    out = []
    for n in range(CSV_ROWS):
        row = dict(rows[n % len(rows)])
        row["id"] = f"{row['id'].strip()}-{n}"
        row["numero_accession"] = f"{row['numero_accession'].strip()}.{n}"
        if row.get("date_debut", "").strip().isdigit():
            row["date_debut"] = str(1700 + n % 300)
        out.append(row)
    return out


# --- the hand-written LIDO mapper ---------------------------------------------------------------

class HandLido:
    """mappings/lido.yaml written out by hand with lxml: the same XPaths and value rules, no
    engine. It writes the same output form as the engine, N-Triples text (one checked line per
    triple, duplicates dropped), with the same small writers (culturedata.mapping.ntriples)."""

    def __init__(self) -> None:
        spec = yaml.safe_load((mappings_dir() / "lido.yaml").read_text(encoding="utf-8"))
        ns = spec["namespaces"]
        self.nulls = {str(v).casefold() for v in spec.get("null_values", ())}
        self.f = {k: etree.XPath(v, namespaces=ns) for k, v in spec["fields"].items()}
        ents = spec["entities"]
        self.each = {k: etree.XPath(e["each"], namespaces=ns) for k, e in ents.items() if "each" in e}
        self.ef = {k: {n: etree.XPath(x, namespaces=ns) for n, x in e.get("fields", {}).items()}
                   for k, e in ents.items()}
        self.parser = etree.XMLParser(resolve_entities=False, no_network=True)
        s, q, d = "http://schema.org/", "https://w3id.org/culturedata/ns/qcp#", "http://purl.org/dc/terms/"
        self.p = {n: f" <{s}{n}> " for n in (
            "name", "alternateName", "identifier", "description", "keywords", "genre", "size", "creator",
            "dateCreated", "artMedium", "material", "height", "width", "depth", "url", "sameAs", "image",
            "propertyID", "value", "birthDate", "deathDate", "unitCode", "contentUrl", "caption", "license",
            "creditText")}
        self.p.update(heldBy=f" <{q}heldBy> ", dateStatement=f" <{q}dateStatement> ",
                      inscription=f" <{q}inscription> ", technique=f" <{q}technique> ", created=f" <{d}created> ")
        rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
        self.a = {n: f" {rdf_type} <{s}{n}> .\n" for n in ("CreativeWork", "PropertyValue", "Person",
                                                            "Organization", "QuantitativeValue", "ImageObject")}
        self.a["HeritageObject"] = f" {rdf_type} <{q}HeritageObject> .\n"
        self.aat = nt.plain("http://vocab.getty.edu/aat/300312355")

    def items(self, xpath: etree.XPath, node: etree._Element) -> list[tuple[str, object]]:
        found = xpath(node)
        found = found if isinstance(found, list) else [found]
        out = []
        for item in found:
            if isinstance(item, etree._Element):
                raw = (item.text or "") if len(item) == 0 else "".join(item.itertext())
            else:
                raw = str(item)
            text = " ".join(raw.split())
            if text and text.casefold() not in self.nulls:
                out.append((text, item))
        return out

    @staticmethod
    def tagged(found: list[tuple[str, object]], lang: str) -> list[str]:
        return [nt.tagged(text, nt.language(lang_of(item) or lang)) for text, item in found]

    @staticmethod
    def apply(names: list[str], text: str) -> list[Value]:
        values = [Value(text)]
        for name in names:
            out = []
            for value in values:
                with contextlib.suppress(Unreadable):
                    out.extend(TRANSFORMS[name](value))
            values = out
        return values

    def terms(self, names: list[str], text: str) -> list[str]:
        out: list[str] = []
        for v in self.apply(names, text):
            if v.datatype == IRI:
                term = nt.iri(v.text)
                if term is not None:
                    out.append(term)
            elif v.datatype:
                out.append(nt.typed(v.text, nt.datatype_suffix(v.datatype)))
            else:
                out.append(nt.tagged(v.text, nt.language(v.lang)) if v.lang else nt.plain(v.text))
        return out

    def map(self, payload: bytes, ctx: MappingContext) -> str:
        root = etree.fromstring(payload, self.parser)
        f, p, lang, out = self.f, self.p, ctx.language, []
        rid = self.items(f["id"], root)
        if not rid:
            return ""
        obj = f"{ctx.base_iri}id/{ctx.source_id}/objet/{slug(rid[0][0])}"
        s = nt.iri(obj)
        if s is None:
            return ""
        add = out.append
        add(s + self.a["HeritageObject"])
        add(s + self.a["CreativeWork"])
        title = self.items(f["title"], root)
        for o in self.tagged(title or self.items(f["object_type"], root), lang):
            add(f"{s}{p['name']}{o} .\n")
        for key, pred in (("alternate_title", "alternateName"), ("object_type", "keywords"), ("subject", "keywords"),
                          ("classification", "genre"), ("inscription", "inscription"), ("measurements", "size"),
                          ("production_display_date", "dateStatement"), ("materials_display", "artMedium"),
                          ("material", "material"), ("technique", "technique")):
            head = s + p[pred]
            for o in self.tagged(self.items(f[key], root), lang):
                add(f"{head}{o} .\n")
        for text, item in self.items(f["description"], root):
            for v in self.apply(["html"], text):
                add(f"{s}{p['description']}{nt.tagged(v.text, nt.language(lang_of(item) or lang))} .\n")
        work = self.items(f["work_id"], root)
        if work:
            acc = nt.iri(obj + "#accession")
            add(f"{s}{p['identifier']}{acc} .\n")
            add(f"{acc}{self.a['PropertyValue']}")
            add(f"{acc}{p['propertyID']}{self.aat} .\n")
            add(f"{acc}{p['value']}{nt.plain(work[0][0])} .\n")
        add(f"{s}{p['heldBy']}<{ctx.institution}> .\n")
        early, late = self.items(f["production_earliest"], root), self.items(f["production_latest"], root)
        if early and late:
            span = f"{early[0][0]}/{late[0][0]}"
            for o in self.terms(["date"], span):
                add(f"{s}{p['created']}{o} .\n")
            for o in self.terms(["date", "precise"], span):
                add(f"{s}{p['dateCreated']}{o} .\n")
        for text, _ in self.items(f["record_link"], root):
            for o in self.terms(["url"], text):
                add(f"{s}{p['url']}{o} .\n")
        for text, _ in self.items(f["published_id"], root):
            for o in self.terms(["url"], text):
                add(f"{s}{p['sameAs']}{o} .\n")
        self.creators(root, ctx, s, out)
        for kind in ("height", "width", "depth"):
            self.quantities(root, obj, kind, s, out)
        self.images(root, obj, lang, s, out)
        return "".join(dict.fromkeys(out))

    def creators(self, root: etree._Element, ctx: MappingContext, s: str, out: list[str]) -> None:
        ef, p = self.ef["creator"], self.p
        for actor in self.each["creator"](root):
            names = self.items(ef["actor_name"], actor)
            if not names:
                continue
            ids = self.items(ef["actor_id"], actor)
            iri = None
            for text, _ in ids:
                code = self.apply(["wikidata", "localname", "slug"], text)
                if code and code[0].text:
                    iri = f"{ctx.base_iri}id/personne/wikidata/{code[0].text}"
                    break
            a = nt.iri(iri or f"{ctx.base_iri}id/{ctx.source_id}/agent/{slug(names[0][0])}")
            if a is None:
                continue
            out.append(f"{s}{p['creator']}{a} .\n")
            corporate = actor.get(f"{{{LIDO_NS}}}type") in ("corporation", "organization", "Körperschaft")
            out.append(a + self.a["Organization" if corporate else "Person"])
            for text, item in names:
                for v in self.apply(["name"], text):
                    out.append(f"{a}{p['name']}{nt.tagged(v.text, nt.language(lang_of(item) or ctx.language))} .\n")
            for text, _ in ids:
                for o in self.terms(["sameas"], text):
                    out.append(f"{a}{p['sameAs']}{o} .\n")
            for key, pred in (("birth", "birthDate"), ("death", "deathDate")):
                for text, _ in self.items(ef[key], actor):
                    for o in self.terms(["date"], text):
                        out.append(f"{a}{p[pred]}{o} .\n")

    def quantities(self, root: etree._Element, obj: str, kind: str, s: str, out: list[str]) -> None:
        ef, p = self.ef[kind], self.p
        for index, node in enumerate(self.each[kind](root), start=1):
            amounts = self.items(ef["amount"], node)
            if not amounts:
                continue
            q = f"<{obj}#{kind}-{index}>"
            out.append(f"{s}{p[kind]}{q} .\n")
            out.append(q + self.a["QuantitativeValue"])
            for text, _ in amounts:
                for o in self.terms(["number"], text):
                    out.append(f"{q}{p['value']}{o} .\n")
            for text, _ in self.items(ef["unit_name"], node):
                for o in self.terms(["unit"], text):
                    out.append(f"{q}{p['unitCode']}{o} .\n")

    def images(self, root: etree._Element, obj: str, lang: str, s: str, out: list[str]) -> None:
        ef, p = self.ef["image"], self.p
        for index, node in enumerate(self.each["image"](root), start=1):
            links = self.items(ef["link"], node)
            if not links:
                continue
            i = f"<{obj}#image-{index}>"
            out.append(f"{s}{p['image']}{i} .\n")
            out.append(i + self.a["ImageObject"])
            for text, _ in links:
                for o in self.terms(["url"], text):
                    out.append(f"{i}{p['contentUrl']}{o} .\n")
            for key, pred in (("caption", "caption"), ("credit", "creditText")):
                for o in self.tagged(self.items(ef[key], node), lang):
                    out.append(f"{i}{p[pred]}{o} .\n")
            rights = self.items(ef["rights"], node) or self.items(ef["rights_name"], node)
            for text, _ in rights:
                for o in self.terms(["licence"], text):
                    out.append(f"{i}{p['license']}{o} .\n")


# --- runs -------------------------------------------------------------------------------------

def bench_lido() -> None:
    path = lido_dump()
    mapping = load_mapping("lido")
    hand = HandLido()
    # As the pipeline maps a source: watching what it finds and the IRIs each record mints.
    watch = {"coverage": Coverage(mapping), "identities": Identities()}
    engine_time = hand_time = terms_time = 0.0
    triples = records = mismatched = 0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _, element in etree.iterparse(str(path), tag=LIDO_TAG, resolve_entities=False, no_network=True):
        payload = etree.tostring(element)
        record = SourceRecord("bench", str(records), payload, "application/xml", content_hash(payload))
        # Each mapper goes first on every other record: the one that parses a record second finds
        # it warm in the CPU's caches.
        if records % 2:
            started = time.process_time()
            expected = hand.map(payload, CONTEXT)
            middle = time.process_time()
            mapped = map_record(mapping, record, CONTEXT, **watch)
            ended = time.process_time()
            hand_time += middle - started
            engine_time += ended - middle
        else:
            started = time.process_time()
            mapped = map_record(mapping, record, CONTEXT, **watch)
            middle = time.process_time()
            expected = hand.map(payload, CONTEXT)
            ended = time.process_time()
            engine_time += middle - started
            hand_time += ended - middle
        ours = mapped.triples  # the text parsed into pyoxigraph terms, as record.triples gives them
        terms_time += time.process_time() - ended
        triples += mapped.triple_count
        records += 1
        mismatched += set(ours) != {q.triple for q in ox.parse(expected, format=ox.RdfFormat.N_TRIPLES)}
        element.clear(keep_tail=True)
        while element.getprevious() is not None:
            del element.getparent()[0]
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    size = path.stat().st_size / 1024 / 1024
    print(f"LIDO dump {size:,.0f} MB, {records:,} records, {triples:,} triples; "
          f"records whose triples differ between the two mappers: {mismatched}")
    from bench.report import compare

    compare("LIDO mapping (engine, CPU time)", "triples/s", triples / engine_time, triples / hand_time,
            "hand-written lxml", goal=0.8)
    print(f"  both write N-Triples text; reading the engine's text back as pyoxigraph triples (record.triples, "
          f"off the hot path) adds {terms_time / triples * 1e6:.2f} µs a triple")
    print(f"peak RSS growth while streaming the dump: {(rss_after - rss_before) / 1024:,.1f} MB")


def bench_csv() -> None:
    rows = csv_rows()
    mapping = load_mapping("musee-csv")
    records = [SourceRecord("bench", r["id"], r, "text/csv", "-") for r in rows]
    # As the pipeline maps: a stream, each record handed on (and freed) as soon as it is made.
    best, triples = float("inf"), 0
    for _ in range(3):
        started, triples = time.process_time(), 0
        coverage, identities = Coverage(mapping), Identities()  # as the pipeline maps a source
        for record in records:
            triples += map_record(mapping, record, CONTEXT, coverage=coverage, identities=identities).triple_count
        best = min(best, time.process_time() - started)
    # The same, every mapped record kept in one list: Python's cyclic GC then walks the
    # growing heap again and again, which no streaming consumer pays.
    kept_best, mapped = float("inf"), []
    for _ in range(3):
        del mapped
        started = time.process_time()
        mapped = [map_record(mapping, r, CONTEXT) for r in records]
        kept_best = min(kept_best, time.process_time() - started)
    per_record = [[(str(t.subject), str(t.predicate), t.object) for t in m.triples] for m in mapped]
    objects = [[(s, p, str(o)) for s, p, o in terms] for terms in per_record]
    del mapped
    # Two floors, no reading of rows and no rules: writing the same N-Triples lines from ready
    # term strings (our output form), and building the same pyoxigraph triples (the old one).
    text_floor = float("inf")
    for _ in range(3):
        started = time.process_time()
        built = ["".join([f"{s} {p} {o} .\n" for s, p, o in lines]) for lines in objects]
        text_floor = min(text_floor, time.process_time() - started)
        del built
    floor = float("inf")
    for _ in range(3):
        started = time.process_time()
        terms = [[Triple(NamedNode(s[1:-1]), NamedNode(p[1:-1]), o) for s, p, o in lines] for lines in per_record]
        floor = min(floor, time.process_time() - started)
        del terms
    print(f"CSV: {len(rows):,} rows, {triples:,} triples (musee-csv mapping)")
    from bench.report import compare

    compare("CSV mapping (engine, CPU time)", "triples/s", triples / best, triples / text_floor,
            "bare N-Triples lines")
    print(f"  (the same with all {len(rows):,} mapped records kept in memory: {triples / kept_best:,.0f} triples/s)")
    print(f"  (building the same triples as pyoxigraph Triple objects from ready strings: "
          f"{triples / floor:,.0f} triples/s)")
    # What the engine's fast paths buy: the same rows with every value on the general path
    # (tests/mapping/test_fast_paths.py proves both write the same triples).
    general = load_mapping("musee-csv", fast_paths=False)
    started = time.process_time()
    general_triples = sum(map_record(general, record, CONTEXT).triple_count for record in records)
    general_time = time.process_time() - started
    print(f"  (the general path alone, one pass, fast paths off: {general_triples / general_time:,.0f} triples/s)")
    print(f"goal >= 400,000 triples/s per core: {'met' if triples / best >= 400_000 else 'NOT met'}")


def main() -> None:
    print("(CPU time of this process; the machine is shared, so figures vary between runs)")
    bench_csv()
    bench_lido()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
