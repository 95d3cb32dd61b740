"""Render docs/profile.md (en) and docs/profile.fr.md (fr) from the shapes and the vocabularies.

The documentation a museum reads is computed from the rules that judge its records, so the two
cannot drift. Output is deterministic (sorted, no dates) so regenerating it gives no diff.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS
from rdflib.term import Identifier, Node

from culturedata.messages import catalogue, t

CDS = "https://w3id.org/culturedata/shapes/"
PREFIXES = {
    "http://schema.org/": "schema:",
    "https://w3id.org/culturedata/ns/qcp#": "qcp:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://purl.org/dc/terms/": "dcterms:",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
    "http://www.w3.org/2001/XMLSchema#": "xsd:",
    "http://kg.artsdata.ca/resource/": "adr:",
    "http://www.wikidata.org/prop/direct/": "wdt:",
    "http://www.wikidata.org/entity/": "wd:",
    "http://vocab.getty.edu/aat/": "aat:",
    "http://www.cidoc-crm.org/cidoc-crm/": "crm:",
    "http://www.europeana.eu/schemas/edm/": "edm:",
    "http://www.w3.org/ns/shacl#": "sh:",
    CDS: "cds:",
}
# Section order: entity files first, in the order a provider meets them, shared rules last.
SHAPE_FILES = (
    "heritage-object.ttl", "person.ttl", "organization.ttl", "place.ttl", "event.ttl",
    "media-object.ttl", "concept.ttl", "common.ttl",
)
OBLIGATION: dict[Node | None, str] = {SH.Violation: "R", SH.Warning: "Rc", SH.Info: "hint"}
RANK = {"R": 0, "Rc": 1, "hint": 2}


def curie(node: Node) -> str:
    text = str(node)
    for base, prefix in PREFIXES.items():
        if text.startswith(base):
            return prefix + text[len(base):]
    return f"<{text}>"


def pick(graph: Graph, subject: Node, prop: URIRef, lang: str) -> str:
    """The literal in the wanted language, else an untagged one, else ''."""
    values = [v for v in graph.objects(subject, prop) if isinstance(v, Literal)]
    for wanted in (lang, None):
        for value in sorted(values):
            if value.language == wanted:
                return str(value)
    return str(sorted(values)[0]) if values else ""


def _sorted(nodes: Iterable[Node]) -> list[Identifier]:
    """Graph values in rdflib's order of terms (every value a parsed graph holds is an Identifier)."""
    return sorted(n for n in nodes if isinstance(n, Identifier))


def cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


class Profile:
    """The shapes and vocabularies, read once, with the queries the document needs."""

    def __init__(self, shapes_dir: Path, ontologies_dir: Path) -> None:
        self.files = {name: Graph().parse(shapes_dir / name, format="turtle") for name in SHAPE_FILES
                      if (shapes_dir / name).is_file()}
        self.shapes = Graph()
        for graph in self.files.values():
            self.shapes += graph
        self.vocab_files = sorted((ontologies_dir / "vocab").glob("*.ttl"))
        self.artsdata_files = sorted((ontologies_dir / "artsdata").glob("*.ttl"))
        self.vocab = Graph()
        for path in [*self.vocab_files, *self.artsdata_files]:
            self.vocab.parse(path, format="turtle")
        self.qcp = Graph().parse(ontologies_dir / "qcp.ttl", format="turtle")

    # ------------------------------------------------------------ rules

    def rules(self, file: str) -> list[URIRef]:
        graph = self.files[file]
        return sorted({s for s in graph.subjects(SH.message, None) if isinstance(s, URIRef)})

    def entity(self, file: str) -> URIRef | None:
        found = sorted(s for s in self.files[file].subjects(SKOS.definition, None) if isinstance(s, URIRef))
        return found[0] if found else None

    def obligation(self, rule: URIRef) -> str:
        return OBLIGATION.get(self.shapes.value(rule, SH.severity), "R")

    def path(self, rule: URIRef) -> str:
        path = self.shapes.value(rule, SH.path)
        if path is not None:
            return self._path(path)
        # A node-level rule: the properties its alternatives look at.
        paths = sorted({self._path(p) for p in self._nested(rule, SH.path)})
        return " \\| ".join(paths) if paths else "—"

    def _path(self, path: Node) -> str:
        if isinstance(path, BNode) and (path, RDF.first, None) in self.shapes:
            return " / ".join(curie(p) for p in Collection(self.shapes, path))
        return curie(path)

    def _nested(self, shape: Node, prop: URIRef, depth: int = 0) -> list[Node]:
        """Values of prop on the shape's sh:or / sh:not / sh:property members (not on the shape)."""
        found: list[Node] = []
        if depth > 4:
            return found
        for link in (SH["or"], SH["and"]):
            for lst in self.shapes.objects(shape, link):
                for member in Collection(self.shapes, lst):
                    found += list(self.shapes.objects(member, prop)) + self._nested(member, prop, depth + 1)
        for member in self.shapes.objects(shape, SH.property):
            found += list(self.shapes.objects(member, prop)) + self._nested(member, prop, depth + 1)
        return found

    def cardinality(self, rule: URIRef) -> str:
        low = self.shapes.value(rule, SH.minCount) or self.shapes.value(rule, SH.qualifiedMinCount)
        high = self.shapes.value(rule, SH.maxCount) or self.shapes.value(rule, SH.qualifiedMaxCount)
        if low is None and high is None:
            return ""
        return f"{low if low is not None else 0}..{high if high is not None else '*'}"

    def expected(self, shape: Node, lang: str, depth: int = 0) -> str:
        parts: list[str] = []
        for datatype in _sorted(self.shapes.objects(shape, SH.datatype)):
            parts.append(curie(datatype))
        for kind in _sorted(self.shapes.objects(shape, SH.nodeKind)):
            parts.append(_name("kind", curie(kind), lang))
        for cls in _sorted(self.shapes.objects(shape, SH["class"])):
            parts.append(_text("instance_of", lang, cls=curie(cls)))
        for lst in self.shapes.objects(shape, SH["in"]):
            parts.append(_text("one_of", lang, values=", ".join(curie(v) for v in Collection(self.shapes, lst))))
        for lst in self.shapes.objects(shape, SH.languageIn):
            parts.append(_text("language", lang, languages=", ".join(str(v) for v in Collection(self.shapes, lst))))
        for pattern in _sorted(self.shapes.objects(shape, SH.pattern)):
            parts.append(_text("pattern", lang, pattern=pattern))
        for value in _sorted(self.shapes.objects(shape, SH.hasValue)):
            parts.append(_text("equals", lang, value=curie(value)))
        if (shape, SH.uniqueLang, Literal(True)) in self.shapes:
            parts.append(_text("unique_lang", lang))
        if (shape, SH.closed, Literal(True)) in self.shapes:
            parts.append(_text("closed", lang))
        if depth < 3:
            for lst in self.shapes.objects(shape, SH["or"]):
                options = [self._option(m, lang, depth + 1) for m in Collection(self.shapes, lst)]
                parts.append("(" + _text("or", lang).join(o or "…" for o in options) + ")")
            for negated in self.shapes.objects(shape, SH["not"]):
                inner = self._option(negated, lang, depth + 1)
                parts.append(_text("not", lang, inner=inner or "…"))
            for link in (SH.node, SH.qualifiedValueShape):
                for target in self.shapes.objects(shape, link):
                    inner = self.expected(target, lang, depth + 1)
                    if inner:
                        parts.append(inner)
            props = sorted(self.shapes.objects(shape, SH.property), key=lambda p: self._path_key(p))
            parts += [o for o in (self._option(p, lang, depth + 1) for p in props) if o]
        return "; ".join(parts)

    def _path_key(self, shape: Node) -> str:
        path = self.shapes.value(shape, SH.path)
        return self._path(path) if path is not None else ""

    def _option(self, shape: Node, lang: str, depth: int) -> str:
        """An alternative of sh:or: a property check reads "path: value", a node check its value."""
        inner = self.expected(shape, lang, depth)
        path = self.shapes.value(shape, SH.path)
        if path is None:
            return inner
        card = ""
        low = self.shapes.value(shape, SH.minCount) or self.shapes.value(shape, SH.qualifiedMinCount)
        high = self.shapes.value(shape, SH.maxCount) or self.shapes.value(shape, SH.qualifiedMaxCount)
        if low is not None or high is not None:
            card = f" [{low if low is not None else 0}..{high if high is not None else '*'}]"
        return f"{self._path(path)}{card}" + (f": {inner}" if inner else "")

    def schemes(self, rule: URIRef) -> list[URIRef]:
        """Concept schemes whose membership the rule checks (sh:hasValue on skos:inScheme)."""
        found: set[URIRef] = set()
        todo: list[Node] = [rule]
        seen: set[Node] = set()
        while todo:
            shape = todo.pop()
            if shape in seen:
                continue
            seen.add(shape)
            if self.shapes.value(shape, SH.path) == SKOS.inScheme:
                found.update(v for v in self.shapes.objects(shape, SH.hasValue) if isinstance(v, URIRef))
            for link in (SH.node, SH.qualifiedValueShape, SH.property, SH["not"]):
                todo += list(self.shapes.objects(shape, link))
            for lst in self.shapes.objects(shape, SH["or"]):
                todo += list(Collection(self.shapes, lst))
        return sorted(found)

    def concepts(self, scheme: URIRef) -> list[URIRef]:
        return sorted(c for c in self.vocab.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef))


def _text(key: str, lang: str, **params: object) -> str:
    """A sentence of the profile documents (`messages/profile.toml`)."""
    return t(f"profile.{key}", lang, **params)


def _name(group: str, term: str, lang: str) -> str:
    """The name of an entity type or a value kind (`cds:Place`, `sh:IRI`), or the term itself."""
    code = f"profile.{group}.{term.split(':', 1)[-1]}"
    return t(code, lang) if code in catalogue() else term


def render_profile_doc(lang: str, shapes_dir: Path | None = None, ontologies_dir: Path | None = None) -> str:
    """The profile document in lang ("en" or "fr"), as Markdown."""
    from culturedata.resources import ontologies_dir as default_ontologies
    from culturedata.resources import shapes_dir as default_shapes

    profile = Profile(shapes_dir or default_shapes(), ontologies_dir or default_ontologies())
    out: list[str] = [f"# {_text('title', lang)}", "", _text("generated", lang), "", _text("intro", lang), ""]
    out += _minimal_records(profile, lang)
    out += [f"## {_text('obligations_title', lang)}", "", _text("obligations", lang), ""]
    for file in profile.files:
        out += _rule_section(profile, file, lang)
    out += _vocabularies(profile, lang)
    out += _terms(profile, lang)
    out += _deviations(profile, lang)
    return "\n".join(out).rstrip() + "\n"


def _minimal_records(profile: Profile, lang: str) -> list[str]:
    out = [f"## {_text('minimal_title', lang)}", "", _text("minimal_intro", lang), ""]
    for file in profile.files:
        entity = profile.entity(file)
        if entity is None:
            continue
        out += [f"### {_name('entity', curie(entity), lang)}", "",
                pick(profile.shapes, entity, SKOS.definition, lang), "",
                "```turtle", pick(profile.shapes, entity, SKOS.example, lang), "```", ""]
    return out


def _rule_section(profile: Profile, file: str, lang: str) -> list[str]:
    entity = profile.entity(file)
    title = _name("entity", curie(entity), lang) if entity is not None else _text("shared_rules", lang)
    out = [f"## {title}", ""]
    if entity is not None:
        targets = ", ".join(curie(c) for c in _sorted(profile.shapes.objects(entity, SH.targetClass)))
        out += [_text("applies_to", lang, types=targets), ""]
    out += [_text("table_header", lang), "|---|---|---|---|---|---|---|---|"]
    rows = []
    for rule in profile.rules(file):
        obligation = profile.obligation(rule)
        vocab = ", ".join(
            f"{pick(profile.vocab, s, SKOS.prefLabel, lang) or curie(s)} (`{curie(s)}`)" for s in profile.schemes(rule)
        )
        example = pick(profile.shapes, rule, SKOS.example, lang)
        rows.append((RANK[obligation], str(rule), "| " + " | ".join([
            f"`{curie(rule)}`",
            f"`{profile.path(rule)}`",
            _text(f"obligation.{obligation}", lang),
            profile.cardinality(rule),
            cell(profile.expected(rule, lang)),
            cell(vocab),
            f"`{cell(example)}`" if example else "",
            cell(pick(profile.shapes, rule, SH.message, lang)),
        ]) + " |"))
    out += [row for _, _, row in sorted(rows)]
    return out + [""]


def _vocabularies(profile: Profile, lang: str) -> list[str]:
    out = [f"## {_text('vocab_title', lang)}", "", _text("vocab_intro", lang), "",
           _text("vocab_header", lang), "|---|---|---|---|---|---|"]
    schemes = sorted(s for s in profile.vocab.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef))
    for scheme in schemes:
        # Artsdata keeps the number in schema:version and a change note in owl:versionInfo.
        version = profile.vocab.value(scheme, URIRef("http://schema.org/version")) or pick(
            profile.vocab, scheme, OWL.versionInfo, lang)
        licence = profile.vocab.value(scheme, DCTERMS.license)
        source = profile.vocab.value(scheme, DCTERMS.source) or profile.vocab.value(scheme, DCTERMS.hasFormat)
        out.append("| " + " | ".join([
            cell(pick(profile.vocab, scheme, SKOS.prefLabel, lang)),
            f"`{scheme}`",
            cell(str(version or "")),
            str(len(profile.concepts(scheme))),
            f"<{licence}>" if licence else _text("licence_artsdata", lang),
            f"<{source}>" if source else "",
        ]) + " |")
    out.append("")
    for name in ("regions", "collection-domains", "heritage-statuses", "organization-types"):
        scheme = URIRef(f"https://w3id.org/culturedata/vocab/{name}")
        out += [f"### {pick(profile.vocab, scheme, SKOS.prefLabel, lang)}", "",
                _text("concept_header", lang), "|---|---|---|---|"]
        for concept in sorted(profile.concepts(scheme), key=lambda c: str(profile.vocab.value(c, SKOS.notation))):
            out.append("| " + " | ".join([
                str(profile.vocab.value(concept, SKOS.notation) or ""),
                f"`{concept}`",
                cell(pick(profile.vocab, concept, SKOS.prefLabel, "fr")),
                cell(pick(profile.vocab, concept, SKOS.prefLabel, "en")),
            ]) + " |")
        out.append("")
    municipalities = URIRef("https://w3id.org/culturedata/vocab/municipalities")
    out += [f"### {pick(profile.vocab, municipalities, SKOS.prefLabel, lang)}", "",
            _text("municipalities", lang, count=len(profile.concepts(municipalities))), ""]
    return out


def _terms(profile: Profile, lang: str) -> list[str]:
    out = [f"## {_text('terms_title', lang)}", "", _text("terms_header", lang), "|---|---|---|---|"]
    for term in sorted(s for s in profile.qcp.subjects(RDFS.label, None) if isinstance(s, URIRef)):
        if (term, RDF.type, OWL.Ontology) in profile.qcp:
            continue
        matches = sorted(curie(m) for p in (SKOS.closeMatch, RDFS.subClassOf, RDFS.seeAlso)
                         for m in profile.qcp.objects(term, p))
        out.append("| " + " | ".join([
            f"`{curie(term)}`", cell(pick(profile.qcp, term, RDFS.label, lang)),
            cell(pick(profile.qcp, term, RDFS.comment, lang)), ", ".join(f"`{m}`" for m in matches),
        ]) + " |")
    return out + [""]


def _deviations(profile: Profile, lang: str) -> list[str]:
    ontology = URIRef(CDS)
    notes = sorted(str(n) for n in profile.shapes.objects(ontology, SKOS.editorialNote)
                   if isinstance(n, Literal) and n.language == lang)
    return [f"## {_text('artsdata_title', lang)}", "", _text("artsdata_intro", lang), "",
            *[f"- {n}" for n in notes], ""]


def write_profile_docs(docs_dir: Path) -> list[Path]:
    """Write docs/profile.md (English) and docs/profile.fr.md (French); return their paths."""
    docs_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for lang, name in (("en", "profile.md"), ("fr", "profile.fr.md")):
        path = docs_dir / name
        path.write_text(render_profile_doc(lang), encoding="utf-8")
        written.append(path)
    return written
