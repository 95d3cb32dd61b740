"""Which SHACL-SPARQL queries this engine can pre-bind the way the SHACL spec (5.3.1) means, and
which the spec forbids outright.

The engine binds `$this` (and the other pre-bound variables) with pyoxigraph's `substitutions`,
which binds the variable in the solutions of the outermost group only. SHACL pre-binding binds it
everywhere, so a `FILTER ($this = …)` in a nested group, a `BIND ($this AS ?x)` or a sub-select
sees it unbound under pyoxigraph and a violation goes unreported (W3C cases pre-binding-003 to
005: "conforms" where the data violates the shape). Such a query, or one naming `$currentShape`
(which the engine does not bind), is handed to pySHACL with its shape; a false "conforms" is never
acceptable. `$shapesGraph`, which neither engine offers (SHACL makes it optional), is refused.

The spec also forbids, in any query with pre-bound variables: MINUS, SERVICE, VALUES, assigning a
pre-bound variable (`BIND (… AS $this)`), and sub-selects that do not return it (W3C cases
unsupported-sparql-001 to -006, pre-binding-006). Such a shape is an error of the shapes graph,
refused before anything is validated (pySHACL runs them).
"""

from __future__ import annotations

import re

_TOKEN = re.compile(r"""
    (?P<string>"\"\"[\s\S]*?\"\"\"|'''[\s\S]*?'''|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<comment>\#[^\n]*)
  | (?P<open>\{) | (?P<close>\}) | (?P<paren>\() | (?P<unparen>\))
  | (?P<var>[?$][A-Za-z_][A-Za-z0-9_]*)
  | (?P<star>\*)
  | (?P<word>[A-Za-z]+)
""", re.VERBOSE)
PRE_BOUND = ("this",)  # what the engine binds by substitution ($PATH is written into the text)
NOT_BOUND_HERE = ("currentShape",)  # pySHACL binds it; this engine does not


def why_not_prebindable(query: str) -> str | None:
    """None when substitution in the outermost group gives SHACL's pre-binding; else the reason."""
    depth, parens, selects = 0, 0, 0
    bind_at: int | None = None  # the parenthesis depth a BIND's expression starts at
    for match in _TOKEN.finditer(query):
        kind, text = match.lastgroup, match.group()
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "paren":
            parens += 1
        elif kind == "unparen":
            parens -= 1
            if bind_at is not None and parens <= bind_at:
                bind_at = None
        elif kind == "word":
            upper = text.upper()
            if upper == "BIND":
                bind_at = parens
            elif upper == "SELECT":
                selects += 1
                if selects > 1:
                    return "a sub-select (pre-bound variables inside it)"
        elif kind == "var":
            name = text[1:]
            if name in NOT_BOUND_HERE:
                return f"${name}"
            if name in PRE_BOUND and depth > 1:
                return f"${name} inside a nested group"
            if name in PRE_BOUND and bind_at is not None:
                return f"${name} in a BIND"
    return None


def why_forbidden(query: str, pre_bound: tuple[str, ...]) -> str | None:
    """None when the query keeps SHACL's rules for pre-bound variables (and names no variable we
    cannot bind); else what breaks them."""
    tokens = [(m.lastgroup, m.group()) for m in _TOKEN.finditer(query)]
    selects = 0
    for index, (kind, text) in enumerate(tokens):
        if kind == "word" and text.upper() in ("MINUS", "SERVICE", "VALUES"):
            return text.upper()
        if kind == "var" and text[1:] == "shapesGraph":
            return "$shapesGraph (not offered here)"
        if kind == "word" and text.upper() == "AS":
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            if following and following[0] == "var" and following[1][1:] in pre_bound:
                return f"BIND … AS {following[1]}"
        if kind == "word" and text.upper() == "SELECT":
            selects += 1
            if selects > 1 and not _projects(tokens[index + 1:], pre_bound):
                return "a sub-select that does not return " + ", ".join(f"${name}" for name in pre_bound)
    return None


def _projects(tokens: list[tuple[str | None, str]], names: tuple[str, ...]) -> bool:
    """Whether a SELECT's projection (the tokens up to WHERE or '{') names each of `names`."""
    projected = set()
    for kind, text in tokens:
        if kind == "open" or (kind == "word" and text.upper() == "WHERE"):
            break
        if kind == "var":
            projected.add(text[1:])
    return all(name in projected for name in names)
