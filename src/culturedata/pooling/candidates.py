"""Blocking: the pairs worth scoring, so that matching stays near-linear in the entities.

Every entity goes under a few keys (names.py: surname and initial, sorted tokens, an
organisation's significant words); only entities sharing a key are compared. A key shared by
more than `MAX_BLOCK` entities (a common surname at a million entities) is cut again by the
decade of birth, and whatever is still too big is compared only with its neighbours in name
order, so one key never costs a quadratic number of pairs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from culturedata.pooling.entities import Entity
from culturedata.pooling.names import block_keys, tokens

MAX_BLOCK = 60
WINDOW = 20  # neighbours compared within a block still too big


def blocks(entities: Sequence[Entity]) -> dict[str, list[int]]:
    found: defaultdict[str, list[int]] = defaultdict(list)
    for index, entity in enumerate(entities):
        keys: set[str] = set()
        for name in entity.names:
            keys |= block_keys(name, entity.kind)
        for key in keys:
            found[f"{entity.kind}|{key}"].append(index)
    return found


def candidate_pairs(entities: Sequence[Entity], groups: Iterable[list[int]] | None = None) -> Iterator[tuple[int, int]]:
    """Each pair of indexes (smaller first) at most once: of all the blocks, or of those given."""
    # A pair seen is one int (i * n + j), not a tuple: a third of the memory at a million entities.
    size = len(entities)
    seen: set[int] = set()
    for members in blocks(entities).values() if groups is None else groups:
        for group in _cut(entities, members):
            for left, right in _pairs(entities, group):
                code = left * size + right
                if code not in seen:
                    seen.add(code)
                    yield left, right


def _cut(entities: Sequence[Entity], members: list[int]) -> Iterator[list[int]]:
    if len(members) <= MAX_BLOCK:
        yield members
        return
    by_decade: defaultdict[int | None, list[int]] = defaultdict(list)
    for index in members:
        born = entities[index].born
        by_decade[None if born is None else born // 10].append(index)
    undated = by_decade.pop(None, [])
    for decade, group in by_decade.items():
        # A year near a decade's edge (1899/1900) still meets the next decade; the undated meet all.
        yield group + by_decade.get(decade + 1, []) + undated if decade is not None else group
    if undated:
        yield undated


def _pairs(entities: Sequence[Entity], group: list[int]) -> Iterator[tuple[int, int]]:
    if len(group) <= MAX_BLOCK:
        for position, left in enumerate(group):
            for right in group[position + 1:]:
                if left != right:
                    yield (left, right) if left < right else (right, left)
        return
    # In reading order, folded: "Smith, John" sorts beside "John Smith", its likeliest twin.
    ordered = sorted(set(group), key=lambda i: _sort_key(entities[i]))
    for position, left in enumerate(ordered):
        for right in ordered[position + 1:position + 1 + WINDOW]:
            yield (left, right) if left < right else (right, left)


def _sort_key(entity: Entity) -> tuple[str, int]:
    return (" ".join(tokens(entity.names[0], entity.kind)) if entity.names else "", entity.born or 0)
