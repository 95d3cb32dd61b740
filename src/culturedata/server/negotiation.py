"""Choosing a media type from an Accept header, as RFC 9110 says: highest q, then order."""

from __future__ import annotations

from functools import lru_cache


def choose(accept: str | None, offered: list[str]) -> str | None:
    """The offered media type the client prefers; the first offered when it accepts anything."""
    return _choose(accept, tuple(offered))


@lru_cache(maxsize=512)
def _choose(accept: str | None, offered: tuple[str, ...]) -> str | None:
    # Clients send the same few Accept headers over and over: parse each once.
    if not accept:
        return offered[0]
    ranges: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept.split(",")):
        parts = [p.strip() for p in item.split(";")]
        quality = 1.0
        for param in parts[1:]:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((quality, position, parts[0].lower()))
    best: tuple[float, int, int, str] | None = None
    for quality, position, pattern in ranges:
        if quality <= 0:
            continue
        for rank, media in enumerate(offered):
            if _matches(pattern, media):
                specificity = 0 if pattern == "*/*" else 1 if pattern.endswith("/*") else 2
                candidate = (quality, specificity, -position * 100 - rank, media)
                if best is None or candidate[:3] > best[:3]:
                    best = candidate
    return best[3] if best else None


def prefers_html(accept: str | None) -> bool:
    """A browser asks for text/html first; RDF clients and curl's */* do not."""
    return bool(accept) and choose(accept, ["text/html", "text/turtle"]) == "text/html" and "text/html" in (
        accept or ""
    )


def language(
    accept_language: str | None, query_lang: str | None, cookie_lang: str | None, default: str = "fr"
) -> str:
    """?lang=, then the cookie the switch sets, then Accept-Language, then `default`."""
    for chosen in (query_lang, cookie_lang):
        if chosen in ("fr", "en"):
            return chosen
    for item in (accept_language or "").split(","):
        tag = item.split(";")[0].strip().lower()[:2]
        if tag in ("fr", "en"):
            return tag
    return default


def _matches(pattern: str, media: str) -> bool:
    if pattern == "*/*":
        return True
    if pattern.endswith("/*"):
        return media.startswith(pattern[:-1])
    return pattern == media
