"""Puts what the primary returned into the local cache, off the request's path."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from functools import partial
from typing import Any

from statusboard.resilience.kinds import (
    CONFIGURATION,
    DEPENDENCY,
    DEPLOYMENT,
    ENHANCEMENT,
    SESSION_PROMPT,
    VENDOR,
    WORK_ITEM,
    lookup_key,
)
from statusboard.resilience.local_store import LocalStore

FLUSH_EVERY_S = 0.5
log = logging.getLogger(__name__)


class CacheWriter:
    """Puts what the primary returned into the cache, off the request's path: the newest body
    of each entity is kept in memory and written every FLUSH_EVERY_S, so an item read a
    thousand times a second costs one row write per flush."""

    def __init__(self, store: Callable[[], LocalStore]) -> None:
        self._store = store
        self._pending: dict[tuple[str, str], dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def remember(self, tool: str, result: dict[str, Any]) -> None:
        found = _entities(tool, result)
        if found is None:
            return
        kind, bodies = found
        with self._lock:
            for body in bodies:
                self._pending[(kind, body["id"])] = body
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="statusboard-cache-writer", daemon=True)
                self._thread.start()

    def peek(self, kind: str, *, id: str | None = None, name_key: str | None = None) -> dict[str, Any] | None:
        """A body taken from the primary and not yet written to the cache."""
        with self._lock:
            if id is not None:
                return self._pending.get((kind, id))
            return next(
                (body for (k, _), body in self._pending.items() if k == kind and lookup_key(k, body) == name_key),
                None,
            )

    def flush(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, {}
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for (kind, _), body in batch.items():
            by_kind.setdefault(kind, []).append(body)
        try:
            for kind, bodies in by_kind.items():
                self._store().put_entities(kind, bodies, partial(lookup_key, kind))
        except Exception:  # a cache may miss an update; nothing else may fail for it
            log.exception("could not update the local cache")

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._pending:
            self.flush()

    def _run(self) -> None:
        while not self._stop.wait(FLUSH_EVERY_S):
            if self._pending:
                self.flush()


_NESTED_VIEWS = ("children", "children_truncated")
# tool -> (kind, where its result holds that kind's bodies: None for the result itself, or a list key)
_HOLDS: dict[str, tuple[str, str | None]] = {
    **dict.fromkeys(("create_work_item", "update_work_item", "delete_work_item", "query_work_item"), (WORK_ITEM, None)),
    **dict.fromkeys(("list_work_items", "update_work_items"), (WORK_ITEM, "items")),
    **dict.fromkeys(("create_vendor", "update_vendor_status", "query_vendor_status"), (VENDOR, None)),
    "list_vendors": (VENDOR, "vendors"),
    **dict.fromkeys(("record_deployment", "query_deployment"), (DEPLOYMENT, None)),
    "list_deployments": (DEPLOYMENT, "deployments"),
    **dict.fromkeys(("create_enhancement", "update_enhancement"), (ENHANCEMENT, None)),
    "list_enhancements": (ENHANCEMENT, "enhancements"),
    **dict.fromkeys(("get_project_configuration", "update_project_configuration"), (CONFIGURATION, None)),
    "record_session_prompt": (SESSION_PROMPT, None),
    "list_session_prompts": (SESSION_PROMPT, "prompts"),
    **dict.fromkeys(("add_dependency", "remove_dependency"), (DEPENDENCY, None)),
}


def _entities(tool: str, result: dict[str, Any]) -> tuple[str, list[dict[str, Any]]] | None:
    """The kind of entity a result holds, and its bodies without nested views."""
    holds = _HOLDS.get(tool)
    if holds is None:
        return None
    kind, key = holds
    bodies = [result] if key is None else list(result[key])
    if kind == WORK_ITEM:
        bodies = [{k: v for k, v in body.items() if k not in _NESTED_VIEWS} for body in bodies]
    return kind, bodies
