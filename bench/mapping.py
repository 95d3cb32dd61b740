"""Mapping speed: the LIDO mapping on a >= 100 MB dump beside a hand-written lxml mapper that
makes the same triples (the limit), and the museum CSV mapping beside the bare cost of building
its triples. Issue #5 asks for >= 0.8 of the hand-written mapper on LIDO (about 250k triples/s
per core) and >= 400k triples/s per core on CSV, in memory O(one record).

Both LIDO mappers see the same records in the same pass (iterparse + tostring, as the XML
harvester hands them over, not timed), each timed around its own call; their outputs are
compared as sets of triples on every record. Inputs are generated under bench/out/ from the
demo exports, with ids and dates varied so that nothing is cached across records.
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

import yaml
from lxml import etree
from pyoxigraph import Literal, NamedNode, Triple

from culturedata.mapping import MappingContext, load_mapping, map_record
from culturedata.mapping.iris import slug
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
    """mappings/lido.yaml written out by hand with lxml: the same XPaths and value rules, no engine."""

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
        self.p = {n: NamedNode(s + n) for n in (
            "name", "alternateName", "identifier", "description", "keywords", "genre", "size", "creator",
            "dateCreated", "artMedium", "material", "height", "width", "depth", "url", "sameAs", "image",
            "propertyID", "value", "birthDate", "deathDate", "unitCode", "contentUrl", "caption", "license",
            "creditText")}
        self.p.update(heldBy=NamedNode(q + "heldBy"), dateStatement=NamedNode(q + "dateStatement"),
                      inscription=NamedNode(q + "inscription"), technique=NamedNode(q + "technique"),
                      created=NamedNode(d + "created"))
        self.type = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
        self.c = {n: NamedNode(s + n) for n in ("CreativeWork", "PropertyValue", "Person", "Organization",
                                                 "QuantitativeValue", "ImageObject")}
        self.c["HeritageObject"] = NamedNode(q + "HeritageObject")
        self.aat = Literal("http://vocab.getty.edu/aat/300312355")

    def items(self, xpath: etree.XPath, node: etree._Element) -> list[tuple[str, object]]:
        found = xpath(node)
        found = found if isinstance(found, list) else [found]
        out = []
        for item in found:
            raw = "".join(item.itertext()) if isinstance(item, etree._Element) else str(item)
            text = " ".join(raw.split())
            if text and text.casefold() not in self.nulls:
                out.append((text, item))
        return out

    def tagged(self, found: list[tuple[str, object]], lang: str) -> list[Literal]:
        return [Literal(text, language=lang_of(item) or lang) for text, item in found]

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

    def terms(self, names: list[str], text: str) -> list[object]:
        out: list[object] = []
        for v in self.apply(names, text):
            if v.datatype == IRI:
                out.append(NamedNode(v.text))
            elif v.datatype:
                out.append(Literal(v.text, datatype=NamedNode(v.datatype)))
            else:
                out.append(Literal(v.text, language=v.lang) if v.lang else Literal(v.text))
        return out

    def map(self, payload: bytes, ctx: MappingContext) -> set[Triple]:
        root = etree.fromstring(payload, self.parser)
        f, p, lang, out = self.f, self.p, ctx.language, set()
        rid = self.items(f["id"], root)
        if not rid:
            return out
        obj = f"{ctx.base_iri}id/{ctx.source_id}/objet/{slug(rid[0][0])}"
        s = NamedNode(obj)
        add = out.add
        add(Triple(s, self.type, self.c["HeritageObject"]))
        add(Triple(s, self.type, self.c["CreativeWork"]))
        title = self.items(f["title"], root)
        for o in self.tagged(title or self.items(f["object_type"], root), lang):
            add(Triple(s, p["name"], o))
        for key, pred in (("alternate_title", "alternateName"), ("object_type", "keywords"), ("subject", "keywords"),
                          ("classification", "genre"), ("inscription", "inscription"), ("measurements", "size"),
                          ("production_display_date", "dateStatement"), ("materials_display", "artMedium"),
                          ("material", "material"), ("technique", "technique")):
            for o in self.tagged(self.items(f[key], root), lang):
                add(Triple(s, p[pred], o))
        for text, item in self.items(f["description"], root):
            for v in self.apply(["html"], text):
                add(Triple(s, p["description"], Literal(v.text, language=lang_of(item) or lang)))
        work = self.items(f["work_id"], root)
        if work:
            acc = NamedNode(obj + "#accession")
            add(Triple(s, p["identifier"], acc))
            add(Triple(acc, self.type, self.c["PropertyValue"]))
            add(Triple(acc, p["propertyID"], self.aat))
            add(Triple(acc, p["value"], Literal(work[0][0])))
        add(Triple(s, p["heldBy"], NamedNode(ctx.institution)))
        early, late = self.items(f["production_earliest"], root), self.items(f["production_latest"], root)
        if early and late:
            span = f"{early[0][0]}/{late[0][0]}"
            for o in self.terms(["date"], span):
                add(Triple(s, p["created"], o))
            for o in self.terms(["date", "precise"], span):
                add(Triple(s, p["dateCreated"], o))
        for text, _ in self.items(f["record_link"], root):
            for o in self.terms(["url"], text):
                add(Triple(s, p["url"], o))
        for text, _ in self.items(f["published_id"], root):
            for o in self.terms(["url"], text):
                add(Triple(s, p["sameAs"], o))
        self.creators(root, ctx, s, out)
        for kind in ("height", "width", "depth"):
            self.quantities(root, obj, kind, s, out)
        self.images(root, obj, lang, s, out)
        return out

    def creators(self, root: etree._Element, ctx: MappingContext, s: NamedNode, out: set[Triple]) -> None:
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
            iri = iri or f"{ctx.base_iri}id/{ctx.source_id}/agent/{slug(names[0][0])}"
            a = NamedNode(iri)
            out.add(Triple(s, p["creator"], a))
            corporate = actor.get(f"{{{LIDO_NS}}}type") in ("corporation", "organization", "Körperschaft")
            out.add(Triple(a, self.type, self.c["Organization" if corporate else "Person"]))
            for text, item in names:
                for v in self.apply(["name"], text):
                    out.add(Triple(a, p["name"], Literal(v.text, language=lang_of(item) or ctx.language)))
            for text, _ in ids:
                for o in self.terms(["sameas"], text):
                    out.add(Triple(a, p["sameAs"], o))
            for key, pred in (("birth", "birthDate"), ("death", "deathDate")):
                for text, _ in self.items(ef[key], actor):
                    for o in self.terms(["date"], text):
                        out.add(Triple(a, p[pred], o))

    def quantities(self, root: etree._Element, obj: str, kind: str, s: NamedNode, out: set[Triple]) -> None:
        ef, p = self.ef[kind], self.p
        for index, node in enumerate(self.each[kind](root), start=1):
            amounts = self.items(ef["amount"], node)
            if not amounts:
                continue
            q = NamedNode(f"{obj}#{kind}-{index}")
            out.add(Triple(s, p[kind], q))
            out.add(Triple(q, self.type, self.c["QuantitativeValue"]))
            for text, _ in amounts:
                for o in self.terms(["number"], text):
                    out.add(Triple(q, p["value"], o))
            for text, _ in self.items(ef["unit_name"], node):
                for o in self.terms(["unit"], text):
                    out.add(Triple(q, p["unitCode"], o))

    def images(self, root: etree._Element, obj: str, lang: str, s: NamedNode, out: set[Triple]) -> None:
        ef, p = self.ef["image"], self.p
        for index, node in enumerate(self.each["image"](root), start=1):
            links = self.items(ef["link"], node)
            if not links:
                continue
            i = NamedNode(f"{obj}#image-{index}")
            out.add(Triple(s, p["image"], i))
            out.add(Triple(i, self.type, self.c["ImageObject"]))
            for text, _ in links:
                for o in self.terms(["url"], text):
                    out.add(Triple(i, p["contentUrl"], o))
            for key, pred in (("caption", "caption"), ("credit", "creditText")):
                for o in self.tagged(self.items(ef[key], node), lang):
                    out.add(Triple(i, p[pred], o))
            rights = self.items(ef["rights"], node) or self.items(ef["rights_name"], node)
            for text, _ in rights:
                for o in self.terms(["licence"], text):
                    out.add(Triple(i, p["license"], o))


# --- runs -------------------------------------------------------------------------------------

def bench_lido() -> None:
    path = lido_dump()
    mapping = load_mapping("lido")
    hand = HandLido()
    engine_time = hand_time = 0.0
    triples = records = mismatched = 0
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _, element in etree.iterparse(str(path), tag=LIDO_TAG, resolve_entities=False, no_network=True):
        payload = etree.tostring(element)
        record = SourceRecord("bench", str(records), payload, "application/xml", content_hash(payload))
        started = time.process_time()
        mapped = map_record(mapping, record, CONTEXT)
        middle = time.process_time()
        expected = hand.map(payload, CONTEXT)
        hand_time += time.process_time() - middle
        engine_time += middle - started
        triples += len(mapped.triples)
        records += 1
        mismatched += set(mapped.triples) != expected
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
    print(f"peak RSS growth while streaming the dump: {(rss_after - rss_before) / 1024:,.1f} MB")


def bench_csv() -> None:
    rows = csv_rows()
    mapping = load_mapping("musee-csv")
    records = [SourceRecord("bench", r["id"], r, "text/csv", "-") for r in rows]
    best, triples, strings = float("inf"), 0, []
    for _ in range(3):
        started = time.process_time()
        mapped = [map_record(mapping, r, CONTEXT) for r in records]
        best = min(best, time.process_time() - started)
        triples = sum(len(m.triples) for m in mapped)
        strings = [(t.subject.value, t.predicate.value, t.object) for m in mapped for t in m.triples]
        del mapped
    # The floor: building the same pyoxigraph triples from ready strings, no reading or rules.
    floor = float("inf")
    for _ in range(3):
        started = time.process_time()
        built = [Triple(NamedNode(s), NamedNode(p), o) for s, p, o in strings]
        floor = min(floor, time.process_time() - started)
        del built
    print(f"CSV: {len(rows):,} rows, {triples:,} triples (musee-csv mapping)")
    from bench.report import compare

    compare("CSV mapping (engine, CPU time)", "triples/s", triples / best, triples / floor, "bare Triple()")
    print(f"goal >= 400,000 triples/s per core: {'met' if triples / best >= 400_000 else 'NOT met'}")


def main() -> None:
    print("(CPU time of this process; the machine is shared, so figures vary between runs)")
    bench_csv()
    bench_lido()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
