"""Keeps the local cache up to date with what the primary returned.

The cache must hold what was just read or written the moment the primary goes away, so a
body goes into it before the request is answered whenever the cache's copy is older: after
every write, and after a read that saw a version this process has not stored. A read that
sees what is already stored, the common case for an item read over and over, costs nothing
but a look-up in memory. Such a body is only written again, off the request's path, once its
copy has aged TOUCH_AFTER_S, so that the cache's age (which the TTL bounds) is the time since
the primary last confirmed it, not since it last changed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from functools import partial
from typing import Any

from statusboard.domain.entities import WorkItem
from statusboard.resilience.kinds import WORK_ITEM, Body, Holds, lookup_key
from statusboard.resilience.local_store import LocalStore

TOUCH_AFTER_S = 60.0
TOUCH_EVERY_S = 1.0
log = logging.getLogger(__name__)
Key = tuple[str, str]  # (kind, id)


class CacheWriter:
    def __init__(self, store: Callable[[], LocalStore], now: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._now = now
        # What this process last put in the cache for an entity: its marker, and when.
        self._stored: dict[Key, tuple[Hashable, float]] = {}
        self._aging: dict[Key, Body] = {}  # unchanged bodies whose copy is to be renewed
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def remember(self, holds: Holds | None, result: dict[str, Any], *, wrote: bool = False) -> None:
        """Puts the bodies a tool's `result` `holds` in the cache now if the cache's copy is older
        (always after a write: `wrote`), or later if it is only ageing."""
        if holds is None:
            return
        kind, key = holds.kind, holds.key
        bodies = [result] if key is None else [body for body in result[key] if _whole(kind, body)]
        now = self._now()
        newer: list[Body] = []
        with self._lock:
            for body in bodies:
                stored = self._stored.get((kind, body["id"]))
                if wrote or stored is None or stored[0] != _marker(body):
                    newer.append(body)
                elif now - stored[1] > TOUCH_AFTER_S:
                    self._aging[(kind, body["id"])] = body
                    self._start_toucher()
        if newer:
            self._put(kind, newer, now)

    def peek(self, kind: str, *, id: str | None = None, name_key: str | None = None) -> Body | None:
        """A body waiting to be written again (the same as the cache's copy, which is older)."""
        with self._lock:
            if id is not None:
                return self._aging.get((kind, id))
            return next(
                (body for (k, _), body in self._aging.items() if k == kind and lookup_key(k, body) == name_key),
                None,
            )

    def flush(self) -> None:
        """Writes the ageing bodies now."""
        with self._lock:
            batch, self._aging = self._aging, {}
        by_kind: dict[str, list[Body]] = {}
        for (kind, _), body in batch.items():
            by_kind.setdefault(kind, []).append(body)
        now = self._now()
        for kind, bodies in by_kind.items():
            self._put(kind, bodies, now)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._aging:
            self.flush()

    def _put(self, kind: str, bodies: list[Body], now: float) -> None:
        if kind == WORK_ITEM:
            bodies = [{k: v for k, v in body.items() if k not in _NESTED_VIEWS} for body in bodies]
        try:
            self._store().put_entities(kind, bodies, partial(lookup_key, kind))
        except Exception:  # a cache may miss an update; nothing else may fail for it
            log.exception("could not update the local cache")
            return
        with self._lock:
            for body in bodies:
                self._stored[(kind, body["id"])] = (_marker(body), now)

    def _start_toucher(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="statusboard-cache-writer", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(TOUCH_EVERY_S):
            if self._aging:
                self.flush()


def _marker(body: Body) -> Hashable:
    """What tells two copies of an entity apart: its version (deployments and session prompts never
    change; a dependency is only ever removed)."""
    return body.get("version"), body.get("removed")


_NESTED_VIEWS = ("children", "children_truncated")
_WORK_ITEM_FIELDS = frozenset(WorkItem.__required_keys__)


def _whole(kind: str, body: Body) -> bool:
    """Whether a listed body is the whole entity: a summary row (list_work_items' default) is
    not, and the cache, which answers item reads from what it holds, must not take it for one."""
    return kind != WORK_ITEM or body.keys() >= _WORK_ITEM_FIELDS
