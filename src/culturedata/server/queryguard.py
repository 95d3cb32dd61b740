"""A visitor's SPARQL text is checked before pyoxigraph parses it.

pyoxigraph 0.5 parses and plans a query by recursion over its structure. Past a few thousand
levels the thread's stack overflows and the whole process dies (SIGSEGV): there is no exception
to catch. Measured on 0.5.13: 3,000 nested groups, 1,000 nested EXISTS, 4,000 MINUS in a row,
8,000 UNIONs or `+` in a row each kill it. So the text is scanned, without being parsed, for what
could recurse (its size, how deep its brackets nest, how long its chains of operators run) and
refused past limits far above any query a person writes and far below any that crashes
(docs/endpoint.md lists them).

SERVICE is refused here as well, unless the configuration names the endpoint: evaluating it makes
the server itself connect to whatever address a visitor writes.

The scan is lexical: brackets, keywords and operators inside strings, IRIs and comments do not
count, and a variable or prefixed name spelled `?service` or `ex:SERVICE` is not the keyword.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

# One alternative per kind of token; the first that matches at a position wins, so longer
# forms come first (long strings before short ones, an IRI before the `<` operator).
TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][^\W]+)
  | (?P<pname>(?:[^\W\d_][\w.\-]*)?:(?:[\w.:%\-]|\\.)*)
  | (?P<word>[^\W\d][\w\-]*)
  | (?P<number>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)
  | (?P<open>[({\[])
  | (?P<close>[)}\]])
  | (?P<operator>&&|\|\||!=|<=|>=|\^\^|[-+*/=<>!|^])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
# Keywords that chain the group or expression around them, as the operators do.
CHAINING = frozenset({"UNION", "MINUS", "OPTIONAL", "IN", "NOT"})


@dataclass(frozen=True, slots=True)
class QueryLimits:
    """What an anonymous query may be; the defaults are documented in docs/endpoint.md."""

    max_bytes: int = 100_000
    max_depth: int = 100
    max_chain: int = 2_000
    services: frozenset[str] = field(default_factory=frozenset)  # endpoints SERVICE may call


class QueryRefused(Exception):
    """A query the guard will not hand to the store; `code` is a message in messages/server.toml."""

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(code)


def check_query(text: str, limits: QueryLimits) -> None:
    """Raise `QueryRefused` when `text` is past a limit or calls a service not allowed."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limits.max_bytes:
        raise QueryRefused("server.query.too_long", size=size, limit=limits.max_bytes)
    if _plainly_within(text, limits):
        return
    depth = deepest = chain = 0
    prefixes: dict[str, str] = {}
    tokens = _tokens(text)
    for kind, value in tokens:
        if kind == "open":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limits.max_depth:
                    raise QueryRefused("server.query.too_deep", limit=limits.max_depth)
        elif kind == "close":
            depth -= 1
        elif kind == "operator" or (kind == "word" and value.upper() in CHAINING):
            chain += 1
            if chain > limits.max_chain:
                raise QueryRefused("server.query.too_complex", limit=limits.max_chain)
        elif kind == "word" and value.upper() == "PREFIX":
            _declare(tokens, prefixes)
        elif kind == "word" and value.upper() == "SERVICE":
            _check_service(tokens, prefixes, limits.services)


def _plainly_within(text: str, limits: QueryLimits) -> bool:
    """True when counting characters already proves the scan would find nothing: every bracket
    token is one character, every chain link at least one. Most queries end here, in a
    microsecond instead of the scan's tens (the point lookups of the hot path among them)."""
    brackets = text.count("{") + text.count("(") + text.count("[")
    return (brackets <= limits.max_depth and len(text) <= limits.max_chain
            and "service" not in text.lower())


def _tokens(text: str) -> Iterator[tuple[str, str]]:
    for match in TOKEN.finditer(text):
        kind = match.lastgroup
        if kind not in ("space", "comment") and kind is not None:
            yield kind, match.group()


def _declare(tokens: Iterator[tuple[str, str]], prefixes: dict[str, str]) -> None:
    """Read `pname: <iri>` after PREFIX, so that `SERVICE ex:endpoint` can be resolved."""
    name = next(tokens, ("", ""))
    iri = next(tokens, ("", ""))
    if name[0] == "pname" and iri[0] == "iri":
        prefixes[name[1].split(":", 1)[0]] = iri[1][1:-1]


def _check_service(tokens: Iterator[tuple[str, str]], prefixes: dict[str, str], allowed: frozenset[str]) -> None:
    kind, value = next(tokens, ("", ""))
    if kind == "word" and value.upper() == "SILENT":
        kind, value = next(tokens, ("", ""))
    endpoint = None
    if kind == "iri":
        endpoint = value[1:-1]
    elif kind == "pname" and value.split(":", 1)[0] in prefixes:
        prefix, local = value.split(":", 1)
        endpoint = prefixes[prefix] + local
    if endpoint is None or endpoint not in allowed:
        raise QueryRefused("server.query.service", endpoint=endpoint or value or "-")
