"""Reading the JSON-LD blocks that web sites actually publish, broken in the usual ways.

Content-management plugins leave `/* … */` and `// …` comments, trailing commas, an HTML
comment or a CDATA section before, after or around the block (`<!-- note --> {…}`,
`//<![CDATA[ … //]]>`), raw control characters (a tab, a line break) inside strings, and
HTML entities (`&eacute;`, `&amp;`). `load` tries the text as it is, then with those
repaired; a block that still does not parse raises `Irreparable` (the caller skips it with a
warning), and a `null` block is None (nothing to read, nothing wrong). Comments are only
removed outside strings, so `"https://…"` survives. A block nested deeper than `max_depth`
raises `TooDeep` before anything recursive walks it (limits.py).

Entities: a `<script>` element's text is not HTML-decoded by the browser, so an entity in a
JSON string is text that a plugin escaped by mistake, and is decoded — but only in plain text.
A string holding markup (`"<p>Rock &amp; roll</p>"`) is HTML whose entities belong to it: the
mapping decodes it once, with its tags (`transform: html`); decoding it here as well would
turn `&lt;b&gt;` written as text into a tag. A block escaped as a whole (`{&quot;name&quot;:…}`)
is decoded as a whole, and its strings are not decoded again.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from culturedata.harvest.limits import DEPTH, TooDeep, depth_exceeds

ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
MARKUP = re.compile(r"<(?:[A-Za-z][A-Za-z0-9]*[\s/>]|/[A-Za-z][A-Za-z0-9]*\s*>|!--)")
# What a page may put before its JSON (after optional whitespace), repeatedly.
OPENERS = re.compile(
    r"\s*(?:<!--(?:(?!-->)[^{\[])*-->|<!--|(?://|/\*)?\s*<!\[CDATA\[(?:\s*\*/)?|//[^\n]*(?:\n|$)|/\*(?:(?!\*/).)*\*/)",
    re.DOTALL,
)


class Irreparable(ValueError):
    """A block that does not parse as JSON even repaired."""


def load(text: str, max_depth: int = DEPTH) -> Any:
    """The parsed block, repaired if needed, with HTML entities in its text strings decoded.
    `Irreparable` when it cannot be read; `TooDeep` when it nests lists and objects more than
    `max_depth` levels."""
    text = unwrap(text)
    if not text:
        return None  # an empty element: nothing published
    for candidate, decode in ((text, True), (clean(text), True), (clean(html.unescape(text)), False)):
        try:
            value = json.loads(candidate, strict=False)  # not strict: raw control characters in strings
        except ValueError:
            continue
        except RecursionError:
            raise TooDeep() from None
        if depth_exceeds(value, max_depth):
            raise TooDeep()
        return unescape_strings(value) if decode else value
    raise Irreparable(text[:80])


def unwrap(text: str) -> str:
    """The JSON without the HTML comments, CDATA markers and script comments around it."""
    start = 0
    while (found := OPENERS.match(text, start)) is not None and found.end() > start:
        start = found.end()
    text = text[start:].strip()
    while True:
        before = text
        last = max(text.rfind("}"), text.rfind("]"))
        tail = text[last + 1:]
        if text.endswith("]]>"):  # `]]>` is the end of the JSON only inside the tail after it
            marker = text.rfind("<![CDATA[") if "<![CDATA[" in text else -1
            text = text[: marker if marker > last else -3].rstrip()
        elif tail.rstrip().endswith("*/") and "/*" in tail:
            text = text[: last + 1 + tail.rfind("/*")].rstrip()
        elif "//" in tail:
            text = text[: last + 1 + tail.find("//")].rstrip()
        elif text.endswith("-->"):
            opener = tail.find("<!--")
            text = (text[: last + 1 + opener] if opener >= 0 else text[:-3]).rstrip()
        if text == before:
            return text


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
    """Entities decoded in the plain-text strings of `value` (see the module's docstring)."""
    if isinstance(value, str):
        if "&" not in value or MARKUP.search(value):
            return value
        return ENTITY.sub(lambda m: html.unescape(m.group(0)), value)
    if isinstance(value, list):
        return [unescape_strings(v) for v in value]
    if isinstance(value, dict):
        return {k: unescape_strings(v) for k, v in value.items()}
    return value
