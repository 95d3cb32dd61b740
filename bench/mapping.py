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

Issue 16's goal lines (`bench/_filed.py`) measure the code of when that issue was filed in the same
run: its tree from git, alternating with ours, on equal work (both engines, the mapping files of
then) and as each ships (its own mappings, ours with a run's watchers; its own `bench_lido`).

Issue 20's "parse once" figure (`bench_lido_run`) times the whole way from the file instead:
the `xml` harvester and the engine, as a run goes, beside `iterparse` and the hand-written mapper
on each streamed element (goal >= 0.5), CPU seconds, best of alternating rounds.
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
from culturedata.records import MappedRecord, SourceRecord, content_hash
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
        crm = "http://www.cidoc-crm.org/cidoc-crm/"
        self.p = {n: f" <{s}{n}> " for n in (
            "name", "alternateName", "identifier", "description", "keywords", "about", "genre", "size", "creator",
            "dateCreated", "artMedium", "material", "height", "width", "depth", "weight", "url", "sameAs", "image",
            "propertyID", "value", "birthDate", "deathDate", "unitCode", "contentUrl", "thumbnailUrl",
            "encodingFormat", "caption", "license", "creditText", "location", "participant", "roleName",
            "additionalType")}
        self.p.update(heldBy=f" <{q}heldBy> ", dateStatement=f" <{q}dateStatement> ",
                      inscription=f" <{q}inscription> ", technique=f" <{q}technique> ", created=f" <{d}created> ",
                      date=f" <{d}date> ", present=f" <{crm}P12i_was_present_at> ", hasType=f" <{crm}P2_has_type> ")
        rdf_type = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
        self.a = {n: f" {rdf_type} <{s}{n}> .\n" for n in ("CreativeWork", "PropertyValue", "Person", "Role",
                                                            "Organization", "QuantitativeValue", "ImageObject")}
        self.a["HeritageObject"] = f" {rdf_type} <{q}HeritageObject> .\n"
        self.a["Event"] = f" {rdf_type} <{crm}E5_Event> .\n"
        self.a["Production"] = f" {rdf_type} <{crm}E12_Production> .\n"
        self.aat = nt.plain("http://vocab.getty.edu/aat/300312355")

    def nodes(self, kind: str, node: etree._Element) -> list[etree._Element]:
        """The elements an entity's `each` selects (as the engine's compile_each keeps them)."""
        found = self.each[kind](node)
        return [n for n in found if isinstance(n, etree._Element)] if isinstance(found, list) else []

    def items(self, xpath: etree.XPath, node: etree._Element) -> list[tuple[str, object]]:
        found: object = xpath(node)
        out: list[tuple[str, object]] = []
        for item in found if isinstance(found, list) else [found]:
            if isinstance(item, etree._Element):
                raw = (item.text or "") if len(item) == 0 else "".join(str(s) for s in item.itertext())
            else:
                raw = str(item)
            text = " ".join(raw.split())
            if text and text.casefold() not in self.nulls:
                out.append((text, item))
        return out

    @staticmethod
    def literal(text: str, item: object, lang: str) -> str:
        """A value with its own language (xml:lang), else the source's."""
        tag = nt.language(lang_of(item) or lang)
        return nt.tagged(text, tag) if tag else nt.plain(text)

    def tagged(self, found: list[tuple[str, object]], lang: str) -> list[str]:
        return [self.literal(text, item, lang) for text, item in found]

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
                tag = nt.language(v.lang) if v.lang else None
                out.append(nt.tagged(v.text, tag) if tag else nt.plain(v.text))
        return out

    def dates(self, node: etree._Element, fields: dict[str, etree.XPath], precise: bool) -> list[str]:
        """The `dcterms:created` (or, precise, `schema:dateCreated`) values of an event's dates."""
        early, late = self.items(fields["earliest"], node), self.items(fields["latest"], node)
        names = ["date", "precise"] if precise else ["date"]
        if early and late:
            return self.terms(names, f"{early[0][0]}/{late[0][0]}")
        if early or late:
            return [o for text, _ in early or late for o in self.terms(names, text)]
        if precise:
            return []
        return [o for text, _ in self.items(fields["display_date"], node) for o in self.terms(names, text)]

    def map(self, payload: bytes, ctx: MappingContext) -> str:
        return self.map_element(etree.fromstring(payload, self.parser), ctx)

    def map_element(self, root: etree._Element, ctx: MappingContext) -> str:
        """The record's triples from its element (parsed from its bytes, or streamed by iterparse)."""
        f, p, lang = self.f, self.p, ctx.language
        out: list[str] = []
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
        subjects = self.items(f["subject"], root)
        for key, pred in (("alternate_title", "alternateName"), ("object_type", "keywords"), ("subject", "keywords"),
                          ("subject_display", "keywords"), ("classification", "genre"),
                          ("inscription", "inscription"), ("measurements", "size"),
                          ("materials_display", "artMedium"), ("material", "material"), ("technique", "technique")):
            head = s + p[pred]
            for o in self.tagged(subjects if key == "subject" else self.items(f[key], root), lang):
                add(f"{head}{o} .\n")
        for text, item in self.items(f["description"], root):
            for v in self.apply(["html"], text):
                add(f"{s}{p['description']}{self.literal(v.text, item, lang)} .\n")
        work = self.items(f["work_id"], root)
        if work:
            acc = nt.iri(obj + "#accession")
            add(f"{s}{p['identifier']}{acc} .\n")
            add(f"{acc}{self.a['PropertyValue']}")
            add(f"{acc}{p['propertyID']}{self.aat} .\n")
            add(f"{acc}{p['value']}{nt.plain(work[0][0])} .\n")
        self.holder(root, ctx, s, out)
        for key, pred, names in (("subject_id", "about", ["iri"]), ("record_link", "url", ["url"]),
                                 ("published_id", "sameAs", ["url"])):
            for text, _ in self.items(f[key], root):
                for o in self.terms(names, text):
                    add(f"{s}{p[pred]}{o} .\n")
        named = self.ef["production"]["named_actor"]
        for event in self.nodes("production", root):
            if self.items(named, event):
                for actor in self.nodes("creator", event):
                    self.actor(actor, ctx, s + p["creator"], out)
        for event in self.nodes("production_date", root):
            for o in self.tagged(self.items(self.ef["production_date"]["display_date"], event), lang):
                add(f"{s}{p['dateStatement']}{o} .\n")
            for precise, pred in ((False, "created"), (True, "dateCreated")):
                for o in self.dates(event, self.ef["production_date"], precise):
                    add(f"{s}{p[pred]}{o} .\n")
        for index, event in enumerate(self.nodes("event", root), start=1):
            self.event(event, f"{obj}#event-{index}", ctx, s, out)
        for kind in ("height", "width", "depth", "weight", "measurement"):
            self.quantities(root, obj, kind, s, lang, out)
        self.images(root, obj, lang, s, out)
        return "".join(dict.fromkeys(out))

    def holder(self, root: etree._Element, ctx: MappingContext, s: str, out: list[str]) -> None:
        names, p = self.items(self.f["holder_name"], root), self.p
        if not names:
            out.append(f"{s}{p['heldBy']}<{ctx.institution}> .\n")
            return
        h = nt.iri(f"{ctx.base_iri}id/{ctx.source_id}/organisation/{slug(names[0][0])}")
        if h is None:
            return
        out.append(f"{s}{p['heldBy']}{h} .\n")
        out.append(h + self.a["Organization"])
        out.extend(f"{h}{p['name']}{o} .\n" for o in self.tagged(names, ctx.language))
        ids = self.items(self.ef["holder"]["holder_id"], root)
        out.extend(f"{h}{p['identifier']}{nt.plain(text)} .\n" for text, _ in ids)
        out.extend(f"{h}{p['sameAs']}{o} .\n" for text, _ in ids for o in self.terms(["sameas"], text))
        out.extend(f"{h}{p['url']}{o} .\n" for text, _ in self.items(self.ef["holder"]["holder_link"], root)
                   for o in self.terms(["url"], text))

    def actor(self, actor: etree._Element, ctx: MappingContext, head: str, out: list[str]) -> None:
        """A creator, role_actor or participant (the same fields), linked from `head`."""
        ef, p = self.ef["creator"], self.p
        names = self.items(ef["actor_name"], actor)
        if not names:
            return
        ids = self.items(ef["actor_id"], actor)
        iri = None
        for text, _ in ids:
            code = self.apply(["wikidata", "localname", "slug"], text)
            if code and code[0].text:
                iri = f"{ctx.base_iri}id/personne/wikidata/{code[0].text}"
                break
        a = nt.iri(iri or f"{ctx.base_iri}id/{ctx.source_id}/agent/{slug(names[0][0])}")
        if a is None:
            return
        out.append(f"{head}{a} .\n")
        corporate = self.items(ef["corporate"], actor)
        out.append(a + self.a["Organization" if corporate else "Person"])
        for text, item in names:
            for v in self.apply(["name"], text):
                out.append(f"{a}{p['name']}{self.literal(v.text, item, ctx.language)} .\n")
        for text, _ in ids:
            for o in self.terms(["sameas"], text):
                out.append(f"{a}{p['sameAs']}{o} .\n")
        for key, pred in (("birth", "birthDate"), ("death", "deathDate")):
            for text, _ in self.items(ef[key], actor):
                for o in self.terms(["date"], text):
                    out.append(f"{a}{p[pred]}{o} .\n")

    def event(self, event: etree._Element, iri: str, ctx: MappingContext, s: str, out: list[str]) -> None:
        ef, p, lang = self.ef["event"], self.p, ctx.language
        e = nt.iri(iri)
        if e is None:
            return
        out.append(f"{s}{p['present']}{e} .\n")
        out.append(e + self.a["Event"])
        if self.items(ef["production"], event):
            out.append(e + self.a["Production"])
        for text, _ in self.items(ef["event_type_id"], event):
            out.extend(f"{e}{p['hasType']}{o} .\n" for o in self.terms(["iri"], text))
        for key, pred in (("event_type", "name"), ("event_name", "alternateName"), ("event_place", "location"),
                          ("event_method", "keywords"), ("display_date", "dateStatement")):
            out.extend(f"{e}{p[pred]}{o} .\n" for o in self.tagged(self.items(ef[key], event), lang))
        for text, item in self.items(ef["event_note"], event):
            for v in self.apply(["html"], text):
                out.append(f"{e}{p['description']}{self.literal(v.text, item, lang)} .\n")
        out.extend(f"{e}{p['date']}{o} .\n" for o in self.dates(event, ef, precise=False))
        if self.items(ef["actor_in_role"], event):
            rf = self.ef["role"]
            for index, node in enumerate(self.nodes("role", event), start=1):
                role_names = self.items(rf["role_name"], node)
                if not role_names or not self.items(rf["role_actor_name"], node):
                    continue
                r = nt.iri(f"{iri}-role-{index}")
                if r is None:
                    continue
                out.append(f"{e}{p['participant']}{r} .\n")
                out.append(r + self.a["Role"])
                out.extend(f"{r}{p['roleName']}{o} .\n" for o in self.tagged(role_names, lang))
                out.extend(f"{r}{p['additionalType']}{o} .\n" for text, _ in self.items(rf["role_id"], node)
                           for o in self.terms(["iri"], text))
                for actor in self.nodes("role_actor", node):
                    self.actor(actor, ctx, r + p["participant"], out)
        if self.items(ef["actor_alone"], event):
            for actor in self.nodes("participant", event):
                self.actor(actor, ctx, e + p["participant"], out)

    def quantities(self, root: etree._Element, obj: str, kind: str, s: str, lang: str, out: list[str]) -> None:
        ef, p = self.ef[kind], self.p
        name = "size" if kind == "measurement" else kind
        for index, node in enumerate(self.nodes(kind, root), start=1):
            amounts = self.items(ef["amount"], node)
            if not amounts:
                continue
            q = f"<{obj}#{name}-{index}>"
            out.append(f"{s}{p[name]}{q} .\n")
            out.append(q + self.a["QuantitativeValue"])
            if kind == "measurement":
                out.extend(f"{q}{p['name']}{o} .\n" for o in self.tagged(self.items(ef["dimension"], node), lang))
            for text, _ in amounts:
                for o in self.terms(["number"], text):
                    out.append(f"{q}{p['value']}{o} .\n")
            for text, _ in self.items(ef["unit_name"], node):
                for o in self.terms(["unit"], text):
                    out.append(f"{q}{p['unitCode']}{o} .\n")

    def images(self, root: etree._Element, obj: str, lang: str, s: str, out: list[str]) -> None:
        ef, p = self.ef["image"], self.p
        for index, node in enumerate(self.nodes("image", root), start=1):
            i = f"<{obj}#image-{index}>"
            out.append(f"{s}{p['image']}{i} .\n")
            out.append(i + self.a["ImageObject"])
            for key, pred, names in (("link", "contentUrl", ["url"]), ("preview", "thumbnailUrl", ["url"])):
                found = self.items(ef[key], node) or (self.items(ef["any_link"], node) if key == "link" else [])
                out.extend(f"{i}{p[pred]}{o} .\n" for text, _ in found for o in self.terms(names, text))
            out.extend(f"{i}{p['encodingFormat']}{nt.plain(text)} .\n"
                       for text, _ in self.items(ef["media_type"], node))
            out.extend(f"{i}{p['caption']}{o} .\n" for o in self.tagged(self.items(ef["caption"], node), lang))
            credit = self.items(ef["credit"], node) or self.items(ef["rights_holder"], node)
            out.extend(f"{i}{p['creditText']}{o} .\n" for o in self.tagged(credit, lang))
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


def harvest_and_map(path: Path) -> tuple[int, int]:
    """Ours, as a run goes through a LIDO dump: the `xml` harvester, then the engine on each record
    (watching coverage and identities as the pipeline does). (records, triples)."""
    from culturedata.config import Source
    from culturedata.harvest import HarvestOptions, harvest

    source = Source(id="bench", name={"en": "bench"}, kind="xml", mapping="lido", path=path)
    mapping = load_mapping("lido")
    watch = {"coverage": Coverage(mapping), "identities": Identities()}
    records = triples = 0
    for record in harvest(source, HarvestOptions()):
        triples += map_record(mapping, record, CONTEXT, **watch).triple_count
        records += 1
    return records, triples


def iterparse_and_map(path: Path) -> tuple[int, int]:
    """The plain lxml mapper through the same dump: iterparse, the hand-written mapper's XPaths on
    each streamed element, N-Triples text, the element freed. (records, triples)."""
    hand = HandLido()
    records = triples = 0
    for _, element in etree.iterparse(str(path), tag=LIDO_TAG, resolve_entities=False, no_network=True):
        triples += hand.map_element(element, CONTEXT).count("\n")
        records += 1
        element.clear(keep_tail=True)
        while element.getprevious() is not None:
            del element.getparent()[0]
    return records, triples


def bench_lido_run(rounds: int = 3) -> None:
    """Issue 20's "parse once": LIDO harvest + map beside iterparse + the hand-written mapper, both
    from the file, CPU seconds, best of alternating rounds (goal >= 0.5)."""
    path = lido_dump()
    best = {"ours": float("inf"), "plain": float("inf")}
    counts: dict[str, tuple[int, int]] = {}
    for round_ in range(rounds):
        order = [("ours", harvest_and_map), ("plain", iterparse_and_map)]
        for name, run in order if round_ % 2 == 0 else order[::-1]:
            started = time.process_time()
            counts[name] = run(path)
            best[name] = min(best[name], time.process_time() - started)
    (records, triples), (_, plain_triples) = counts["ours"], counts["plain"]
    print(f"LIDO harvest + map: {records:,} records, {triples:,} triples (plain lxml mapper: {plain_triples:,}); "
          f"CPU seconds, best of {rounds} alternating rounds: ours {best['ours']:.2f}, plain {best['plain']:.2f}")
    from bench.report import compare

    compare("LIDO harvest + map (CPU time)", "triples/s", triples / best["ours"], plain_triples / best["plain"],
            "iterparse + lxml mapper", goal=0.5)


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
    kept_best, mapped = float("inf"), list[MappedRecord]()
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
    bench_lido_run()
    # Issue 16: not slower than the code of when it was filed, measured beside it (bench/_filed.py).
    from bench import _filed

    _filed.compare()


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
