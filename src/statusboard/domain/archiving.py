"""Which work items may be archived: old ones, never half a tree, never half a dependency.

An item qualifies when it was last changed before the cutoff and nobody holds a live
claim on it. It is archived only if everything that points at it would be archived
too: all its children, and every item it shares a dependency with. Taking an item
out of the set can disqualify its parent and its dependency partners, so this runs
to a fixed point.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable


def archivable(
    parents: dict[str, str | None],
    old: set[str],
    links: Iterable[tuple[str, str]],
) -> set[str]:
    """`parents`: every item's parent; `old`: items that qualify on their own; `links`: dependency pairs."""
    children: dict[str, list[str]] = defaultdict(list)
    for item, parent in parents.items():
        if parent is not None:
            children[parent].append(item)
    partners: dict[str, set[str]] = defaultdict(set)
    for a, b in links:
        partners[a].add(b)
        partners[b].add(a)
    chosen = set(old)
    pending = list(chosen)
    while pending:
        item = pending.pop()
        if item not in chosen:
            continue
        if all(c in chosen for c in children[item]) and all(p in chosen for p in partners[item]):
            continue
        chosen.discard(item)
        parent = parents.get(item)
        pending += [*([parent] if parent is not None else []), *partners[item]]
    return chosen
