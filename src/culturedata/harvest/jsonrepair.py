"""Reading the JSON-LD blocks that web sites actually publish, broken in the usual ways.

Content-management plugins leave `/* … */` and `// …` comments, trailing commas, an HTML
comment around the block, and HTML entities (`&eacute;`, `&amp;`) inside strings. `load`
tries the text as it is, then with those repaired; a block that still does not parse is
None (the caller skips it with a warning). Comments are only removed outside strings, so
`"https://…"` survives. A block nested deeper than `max_depth` raises `TooDeep` before anything
recursive walks it (limits.py).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from culturedata.harvest.limits import DEPTH, TooDeep, depth_exceeds

ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")


def load(text: str, max_depth: int = DEPTH) -> Any | None:
    """The parsed block, repaired if needed, with HTML entities in strings decoded; or None.
    `TooDeep` when it nests lists and objects more than `max_depth` levels."""
    text = text.strip()
    if text.startswith("<!--") and text.endswith("-->"):
        text = text[4:-3]
    for candidate in (text, clean(text), clean(html.unescape(text))):
        try:
            value = json.loads(candidate)
        except ValueError:
            continue
        except RecursionError:
            raise TooDeep() from None
        if depth_exceeds(value, max_depth):
            raise TooDeep()
        return unescape_strings(value)
    return None


def clean(text: str) -> str:
    """Remove comments and trailing commas outside strings."""
    out: list[str] = []
    i, n, in_string = 0, len(text), False
    while i < n:
        c = text[i]
        if in_string:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            in_string = c != '"'
            i += 1
            continue
        if c == '"':
            in_string = True
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif c in "}]":
            k = len(out) - 1
            while k >= 0 and out[k].isspace():
                k -= 1
            if k >= 0 and out[k] == ",":
                del out[k]
        out.append(c)
        i += 1
    return "".join(out)


def unescape_strings(value: Any) -> Any:
    if isinstance(value, str):
        return ENTITY.sub(lambda m: html.unescape(m.group(0)), value) if "&" in value else value
    if isinstance(value, list):
        return [unescape_strings(v) for v in value]
    if isinstance(value, dict):
        return {k: unescape_strings(v) for k, v in value.items()}
    return value
