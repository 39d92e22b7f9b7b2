"""Puts what the primary returned into the local cache, off the request's path."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from statusboard.domain.vendors import name_key
from statusboard.resilience.local_store import LocalStore
from statusboard.resilience.projection import VENDOR, WORK_ITEM

FLUSH_EVERY_S = 0.5
log = logging.getLogger(__name__)


def entity_name_key(body: dict[str, Any]) -> str | None:
    """What a cached body is found by besides its id: a vendor's name, case-folded."""
    return name_key(body["name"]) if "name" in body and "item_type" not in body else None


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
        vendors, items = _entities(tool, result)
        if not vendors and not items:
            return
        with self._lock:
            for body in vendors:
                self._pending[(VENDOR, body["id"])] = body
            for body in items:
                self._pending[(WORK_ITEM, body["id"])] = body
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="statusboard-cache-writer", daemon=True)
                self._thread.start()

    def flush(self) -> None:
        with self._lock:
            batch, self._pending = self._pending, {}
        by_kind: dict[str, list[dict[str, Any]]] = {}
        for (kind, _), body in batch.items():
            by_kind.setdefault(kind, []).append(body)
        try:
            for kind, bodies in by_kind.items():
                self._store().put_entities(kind, bodies, entity_name_key)
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


_ITEM_TOOLS = ("create_work_item", "update_work_item", "delete_work_item", "query_work_item")
_VENDOR_TOOLS = ("create_vendor", "update_vendor_status", "query_vendor_status")


def _entities(tool: str, result: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(vendor bodies, work item bodies) a result holds, without nested views."""
    if tool in _VENDOR_TOOLS:
        return [result], []
    if tool in _ITEM_TOOLS:
        return [], [{k: v for k, v in result.items() if k not in ("children", "children_truncated")}]
    if tool == "list_vendors":
        return list(result["vendors"]), []
    if tool in ("list_work_items", "update_work_items"):
        return [], list(result["items"])
    return [], []
