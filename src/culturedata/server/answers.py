"""Answers named by what they are computed from, so a served snapshot's answers can be reused.

A published snapshot never changes: the same query (its query string), asked of the same
snapshot with the same negotiation (Accept, or ?format=), gets the same answer. That makes
a validator (a weak ETag: blank-node labels may differ between evaluations) and a bounded
cache of answers correct. Queries whose answer differs from one evaluation to the next
(NOW(), RAND(), UUID(), STRUUID(), BNODE(), SERVICE) are never named.
"""

from __future__ import annotations

import re
import zlib
from collections import OrderedDict
from functools import lru_cache

NOT_REPEATABLE = re.compile(r"\b(NOW|RAND|UUID|STRUUID|BNODE|SERVICE)\b", re.IGNORECASE)
# What an entry costs beyond its body: the key, the tuples, the dictionary slot.
ENTRY_OVERHEAD = 300

Key = tuple[str, str, str, str]  # snapshot, base IRI, query string, negotiation
Answer = tuple[str, bytes]  # media type, body


@lru_cache(maxsize=1024)
def repeatable(shape: str) -> bool:
    """Whether a query of this shape (inline.py: IRIs and strings blanked) always gives the same answer."""
    return NOT_REPEATABLE.search(shape) is None


def etag(snapshot: str, negotiation: str) -> str:
    """The answer's validator: its snapshot and its negotiation (the query is in the URL)."""
    return f'W/"{snapshot}-{zlib.crc32(negotiation.encode()):08x}"'


def none_match(if_none_match: str, tag: str) -> bool:
    """True when If-None-Match names `tag` (weak comparison, RFC 9110 13.1.2) or is `*`."""
    opaque = tag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == opaque:
            return True
    return False


class AnswerCache:
    """Least recently used answers up to `max_bytes`; used from the event loop thread only."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._entries: OrderedDict[Key, Answer] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Key) -> Answer | None:
        answer = self._entries.get(key)
        if answer is not None:
            self._entries.move_to_end(key)
        return answer

    def put(self, key: Key, answer: Answer) -> None:
        cost = _cost(key, answer)
        # One answer may not push out more than a quarter of the others.
        if cost > self.max_bytes // 4 or key in self._entries:
            return
        self._entries[key] = answer
        self.size += cost
        while self.size > self.max_bytes:
            old_key, old_answer = self._entries.popitem(last=False)
            self.size -= _cost(old_key, old_answer)


def _cost(key: Key, answer: Answer) -> int:
    return len(answer[1]) + len(key[2]) + len(key[1]) + ENTRY_OVERHEAD
