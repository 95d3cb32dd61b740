"""Hypothesis strategies that turn a real input into a broken one, the way exports break.

Two families: `mutated_bytes` works on any file (flips, truncation, splicing, encodings, BOMs,
NULs, invalid UTF-8, huge fields, deep nesting), and `mutated_tree` works on a parsed JSON, YAML
or TOML document (a node replaced by another type, removed, wrapped a thousand times, made huge)
before it is written back, so that most cases still parse and reach the code behind the parser.
Every size is bounded: the invariant is about bounded inputs, not about the machine's memory.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable

import yaml
from hypothesis import strategies as st

# Openers that nest in each syntax; a deep run of one of them is the cheapest hostile input.
NESTERS: dict[str, tuple[bytes, bytes]] = {
    "json": (b"[", b"]"),
    "jsonobj": (b'{"a":', b"}"),
    "xml": (b"<a>", b"</a>"),
    "html": (b"<div>", b"</div>"),
    "yaml": (b"- ", b""),
    "yamlflow": (b"[", b"]"),
    "sparql": (b"{", b"}"),
    "sparqlexpr": (b"(", b")"),
    "turtle": (b"[ <p> ", b"]"),
    "toml": (b"[", b"]"),
}

SPECIAL = [
    b"\x00", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
    b"\r", b"\r\n", b"\n\n", b'"', b"'", b";", b",", b"\t", b"\\", b"%", b"{", b"}", b"<", b"&", b"&amp;",
    b"]]>", b"<!--", b"\x1b[31m", "\u202e".encode(), "\ufeff".encode(), "é".encode("cp1252"), b"=cmd|' /C calc'!A0",
    b"javascript:alert(1)", b"http://", b"_:b", b"\"\"\"", b"\\u0000", b"\\ud800", b"NaN", b"1e999999",
    b"-9223372036854775809", b"99999999999999999999999999",
]
ENCODINGS = ["utf-16", "utf-16-le", "utf-32", "latin-1", "cp1252", "utf-8-sig"]


def _flip(data: bytes, draw: st.DrawFn) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        out[draw(st.integers(0, len(out) - 1))] ^= 1 << draw(st.integers(0, 7))
    return bytes(out)


def _truncate(data: bytes, draw: st.DrawFn) -> bytes:
    return data[: draw(st.integers(0, len(data)))]


def _splice(data: bytes, draw: st.DrawFn) -> bytes:
    """Cut a range out, or copy one elsewhere (repeated records, half a row inside another)."""
    if not data:
        return data
    a = draw(st.integers(0, len(data)))
    b = draw(st.integers(a, min(len(data), a + 4096)))
    at = draw(st.integers(0, len(data)))
    if draw(st.booleans()):
        return data[:a] + data[b:]
    return data[:at] + data[a:b] * draw(st.integers(1, 3)) + data[at:]


def _insert_special(data: bytes, draw: st.DrawFn) -> bytes:
    at = draw(st.integers(0, len(data)))
    return data[:at] + draw(st.sampled_from(SPECIAL)) * draw(st.integers(1, 3)) + data[at:]


def _random_bytes(data: bytes, draw: st.DrawFn) -> bytes:
    at = draw(st.integers(0, len(data)))
    return data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]


def _huge_field(data: bytes, draw: st.DrawFn) -> bytes:
    """A value past the readers' field limits (a CSV cell over 131,072 characters broke `run`)."""
    at = draw(st.integers(0, len(data)))
    size = draw(st.sampled_from([1_000, 70_000, 140_000, 300_000]))
    unit = draw(st.sampled_from([b"A", "é".encode(), b"\"", b" ", b"\n"]))
    return data[:at] + unit * (size // len(unit)) + data[at:]


def nesting(syntax: str, depth: int) -> bytes:
    opener, closer = NESTERS[syntax]
    return opener * depth + closer * depth


def _deep(data: bytes, draw: st.DrawFn) -> bytes:
    at = draw(st.integers(0, len(data)))
    depth = draw(st.sampled_from([64, 1_000, 3_000, 20_000]))
    return data[:at] + nesting(draw(st.sampled_from(sorted(NESTERS))), depth) + data[at:]


def _reencode(data: bytes, draw: st.DrawFn) -> bytes:
    text = data.decode("utf-8", errors="replace")
    return text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")


OPERATIONS = [_flip, _truncate, _splice, _insert_special, _random_bytes, _huge_field, _deep, _reencode]


# Pieces of SPARQL that reach past the parser: costly operators, SERVICE, odd literals, deep groups.
SPARQL_FRAGMENTS = [
    b" OPTIONAL { ?s ?p ?o } ", b" SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } ", b" SERVICE SILENT <file:///etc/passwd> {} ",
    b' FILTER(REGEX(STR(?s), "(a+)+$")) ', b" ORDER BY DESC(?s) ", b" LIMIT 99999999999999999999 ", b" OFFSET -1 ",
    b" GRAPH ?g { ?s ?p ?o } ", b" { ?a ?b ?c } { ?d ?e ?f } { ?g ?h ?i } ", b' BIND(STRLEN("x") AS ?n) ',
    b" VALUES ?x { 1 2 3 } ", b" ?s (<p>|^<q>)* ?o . ", b" MINUS { ?s ?p ?o } ", b" FILTER EXISTS { ?s ?p ?o } ",
    b" GROUP BY ?s HAVING(COUNT(*) > 1) ", b' "\u0000"@fr ', b" <javascript:alert(1)> ", b" _:b1 ", b" BASE <x:> ",
    b" PREFIX : <http://x/> ", b" INSERT DATA { <a> <b> <c> } ", b" LOAD <http://127.0.0.1:9/> ", b" DROP ALL ",
    b" CLEAR DEFAULT ", b' SELECT (SHA512(STR(?o)) AS ?h) ', b" 1e400 ", b' "x"^^<http://www.w3.org/2001/XMLSchema#date> ',
]


def _insert_fragment(data: bytes, draw: st.DrawFn) -> bytes:
    at = draw(st.integers(0, len(data)))
    return data[:at] + draw(st.sampled_from(SPARQL_FRAGMENTS)) * draw(st.integers(1, 3)) + data[at:]


@st.composite
def mutated_query(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A query with SPARQL fragments spliced in (mostly still parses), or byte-level mutations."""
    if draw(st.booleans()):
        data = draw(st.sampled_from(seeds))
        for _ in range(draw(st.integers(1, 4))):
            data = _insert_fragment(data, draw)
        return data
    return draw(mutated_bytes(seeds))


@st.composite
def mutated_bytes(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """One of `seeds` with one to three mutations, or spliced with another seed."""
    data = draw(st.sampled_from(seeds))
    if len(seeds) > 1 and draw(st.integers(0, 9)) == 0:
        other = draw(st.sampled_from(seeds))
        data = data[: draw(st.integers(0, len(data)))] + other[draw(st.integers(0, len(other))):]
    for _ in range(draw(st.integers(1, 3))):
        data = draw(st.sampled_from(OPERATIONS))(data, draw)
    return data


# Values that replace a node of a parsed document: other types, extremes, deep and huge ones.
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.sampled_from([0, -1, 2**63, -(2**63) - 1, 10**40]),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.sampled_from(["", " ", "{", "}", "{id}", "{{", "$.x", "..", "/", "\x00", "\ud800", "é" * 3,
                     "javascript:alert(1)", "http://", "x" * 140_000, "=1+1", "a.b.c.d.e", "*", "[0]",
                     "-1", "true", "null", "1e309", "<a>", "?s ?p ?o", "@context", "@graph", "@id"]),
)


def _deep_value(depth: int, kind: str) -> str:
    """A placeholder the writers below replace by `depth` nested lists or tables (written as text:
    a tree that deep would exhaust the recursion of the mutator and of json.dumps)."""
    return f"@@DEEP-{depth}-{kind}@@"


_DEEP = re.compile(r"""["']?@@DEEP-([0-9]+)-(list|dict)@@["']?""")


def _expand(text: str, table: Callable[[int], str]) -> str:
    def nested(match: re.Match[str]) -> str:
        depth = int(match.group(1))
        return "[" * depth + '"x"' + "]" * depth if match.group(2) == "list" else table(depth)

    return _DEEP.sub(nested, text)


def _json_tables(depth: int) -> str:
    return '{"a": ' * depth + '"x"' + "}" * depth


def _toml_tables(depth: int) -> str:
    return '{"a" = ' * depth + '"x"' + "}" * depth


WEIRD = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=4),
    st.dictionaries(st.text(max_size=10), SCALARS, max_size=4),
    st.builds(_deep_value, st.sampled_from([50, 1_000, 3_000]), st.sampled_from(["list", "dict"])),
)


def _paths(tree: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix]
    if len(prefix) > 40:
        return found
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found += _paths(value, (*prefix, index))
    return found


def _replace(tree: object, path: tuple[object, ...], value: object, delete: bool) -> object:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(tree, dict):
        copy = dict(tree)
        if delete and not rest:
            copy.pop(head, None)
        else:
            copy[head] = _replace(tree[head], rest, value, delete)
        return copy
    assert isinstance(tree, list) and isinstance(head, int)
    items = list(tree)
    if delete and not rest:
        del items[head]
    else:
        items[head] = _replace(items[head], rest, value, delete)
    return items


@st.composite
def mutated_tree(draw: st.DrawFn, tree: object) -> object:
    """`tree` with one to three nodes replaced, removed, renamed or wrapped deep."""
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(tree)
        path = draw(st.sampled_from(paths))
        action = draw(st.sampled_from(["replace", "delete", "wrap", "rename"]))
        if action == "wrap":
            tree = _replace(tree, path, _deep_value(draw(st.sampled_from([10, 1_000])), "list"), False)
        elif action == "rename" and path and isinstance(path[-1], str):
            parent = path[:-1]
            node = tree
            for step in parent:
                node = node[step]  # type: ignore[index]
            assert isinstance(node, dict)
            renamed = {(draw(st.text(max_size=12)) if k == path[-1] else k): v for k, v in node.items()}
            tree = _replace(tree, parent, renamed, False)
        else:
            tree = _replace(tree, path, draw(WEIRD), action == "delete" and bool(path))
    return tree


def to_json(tree: object) -> bytes:
    text = json.dumps(tree, ensure_ascii=False)
    return _expand(text, _json_tables).encode("utf-8", errors="surrogatepass")


def to_yaml(tree: object) -> bytes:
    """Block YAML; the deep parts in flow style, which YAML reads as well."""
    text = yaml.safe_dump(tree, allow_unicode=True, sort_keys=False, width=10**9)
    return _expand(text, _json_tables).encode("utf-8", errors="surrogatepass")


def _toml_value(value: object, depth: int = 0) -> str:
    """TOML's inline forms; the emitter is the tests' own (no TOML writer in the dependencies)."""
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf") if math.isinf(value) else repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v, depth + 1) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_toml_value(v, depth + 1)}" for k, v in value.items()) + "}"
    return json.dumps(str(value))


def to_toml(tree: object) -> bytes:
    return _expand(_toml_text(tree), _toml_tables).encode("utf-8", errors="surrogatepass")


def _toml_text(tree: object) -> str:
    if not isinstance(tree, dict):
        return "value = " + _toml_value(tree) + "\n"
    lines: list[str] = []
    tables: list[str] = []
    for key, value in tree.items():
        name = json.dumps(str(key))
        if isinstance(value, dict) and value:
            tables.append(f"[{name}]\n" + "".join(f"{json.dumps(str(k))} = {_toml_value(v)}\n"
                                                for k, v in value.items()))
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                assert isinstance(item, dict)
                tables.append(f"[[{name}]]\n" + "".join(f"{json.dumps(str(k))} = {_toml_value(v)}\n"
                                                      for k, v in item.items()))
        else:
            lines.append(f"{name} = {_toml_value(value)}\n")
    return "".join(lines) + "\n".join(tables)
