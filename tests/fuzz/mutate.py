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
from collections.abc import Callable
from typing import Any

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


def _flip(data: bytes, draw: Callable[..., Any]) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        out[draw(st.integers(0, len(out) - 1))] ^= 1 << draw(st.integers(0, 7))
    return bytes(out)


def _truncate(data: bytes, draw: Callable[..., Any]) -> bytes:
    return data[: draw(st.integers(0, len(data)))]


def _splice(data: bytes, draw: Callable[..., Any]) -> bytes:
    """Cut a range out, or copy one elsewhere (repeated records, half a row inside another)."""
    if not data:
        return data
    a = draw(st.integers(0, len(data)))
    b = draw(st.integers(a, min(len(data), a + 4096)))
    at = draw(st.integers(0, len(data)))
    if draw(st.booleans()):
        return data[:a] + data[b:]
    return data[:at] + data[a:b] * draw(st.integers(1, 3)) + data[at:]


def _insert_special(data: bytes, draw: Callable[..., Any]) -> bytes:
    at = draw(st.integers(0, len(data)))
    return data[:at] + draw(st.sampled_from(SPECIAL)) * draw(st.integers(1, 3)) + data[at:]


def _random_bytes(data: bytes, draw: Callable[..., Any]) -> bytes:
    at = draw(st.integers(0, len(data)))
    return data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]


def _huge_field(data: bytes, draw: Callable[..., Any]) -> bytes:
    """A value past the readers' field limits (a CSV cell over 131,072 characters broke `run`)."""
    at = draw(st.integers(0, len(data)))
    size = draw(st.sampled_from([1_000, 70_000, 140_000, 300_000]))
    unit = draw(st.sampled_from([b"A", "é".encode(), b"\"", b" ", b"\n"]))
    return data[:at] + unit * (size // len(unit)) + data[at:]


def nesting(syntax: str, depth: int) -> bytes:
    opener, closer = NESTERS[syntax]
    return opener * depth + closer * depth


def _deep(data: bytes, draw: Callable[..., Any]) -> bytes:
    at = draw(st.integers(0, len(data)))
    depth = draw(st.sampled_from([64, 1_000, 3_000, 20_000]))
    return data[:at] + nesting(draw(st.sampled_from(sorted(NESTERS))), depth) + data[at:]


def _reencode(data: bytes, draw: Callable[..., Any]) -> bytes:
    text = data.decode("utf-8", errors="replace")
    return text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")


OPERATIONS = [_flip, _truncate, _splice, _insert_special, _random_bytes, _huge_field, _deep, _reencode]


@st.composite
def mutated_bytes(draw: Callable[..., Any], seeds: list[bytes]) -> bytes:
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


def _deep_value(depth: int, kind: str) -> object:
    value: object = "x"
    for _ in range(depth):
        value = [value] if kind == "list" else {"a": value}
    return value


WEIRD = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=4),
    st.dictionaries(st.text(max_size=10), SCALARS, max_size=4),
    st.builds(_deep_value, st.sampled_from([50, 1_000, 3_000]), st.sampled_from(["list", "dict"])),
)


def _paths(tree: object, prefix: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    found = [prefix]
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
def mutated_tree(draw: Callable[..., Any], tree: object) -> object:
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
    try:
        return json.dumps(tree, ensure_ascii=False).encode("utf-8", errors="surrogatepass")
    except (ValueError, RecursionError):
        return b"[]"


def to_yaml(tree: object) -> bytes:
    try:
        return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False).encode("utf-8", errors="surrogatepass")
    except (yaml.YAMLError, RecursionError):
        return json.dumps(tree, ensure_ascii=True, default=str).encode() if _shallow(tree) else b"{}"


def _shallow(tree: object, depth: int = 0) -> bool:
    if depth > 500:
        return False
    if isinstance(tree, dict):
        return all(_shallow(v, depth + 1) for v in tree.values())
    if isinstance(tree, list):
        return all(_shallow(v, depth + 1) for v in tree)
    return True


def _toml_value(value: object, depth: int = 0) -> str:
    """TOML's inline forms; the emitter is the tests' own (no TOML writer in the dependencies)."""
    if depth > 2_000:
        return '"deep"'
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
    if not isinstance(tree, dict):
        return ("value = " + _toml_value(tree) + "\n").encode("utf-8", errors="surrogatepass")
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
    return ("".join(lines) + "\n".join(tables)).encode("utf-8", errors="surrogatepass")
