"""Where every tool call meets degraded mode.

While the primary answers, a call goes there, and what it returns is remembered in the
local cache (by a background writer, off the request's path). When it does not answer, the
tool's policy (`policy.py`) says what happens:
- a read falls back: the cache (entries younger than the TTL), then the status file as
  committed in git, then the status file on disk; the result says which layer served it;
- a journaled write (work items and their dependencies, vendors, deployments, enhancements,
  the configuration, session prompts) is checked, appended to the durable journal, put in
  the cache and the status file, and acknowledged with warnings; it is replayed on the
  primary, in journal order and exactly once, when the primary is back;
- claims, archiving and migration need the primary and say so: a lease granted from a
  local journal could be granted twice, and archiving or a migration works over the whole
  database, which no local layer holds.
"""

from __future__ import annotations

import fcntl
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, assert_never, cast

from pydantic import BaseModel

from statusboard.config import Settings
from statusboard.domain.answers import Refusal, SyncConflict, SyncConflictPage, within_bytes
from statusboard.domain.clock import Clock
from statusboard.domain.errors import DatabaseUnavailableError, StatusboardError
from statusboard.domain.status_markdown import StatusData, render
from statusboard.domain.write_intent import keyed_write
from statusboard.resilience import file_layers, views
from statusboard.resilience.cache_writer import CacheWriter
from statusboard.resilience.journal_write import Write
from statusboard.resilience.kinds import SHOWN_IN_FILE, Body, lookup_key
from statusboard.resilience.local_store import LocalStore
from statusboard.resilience.monitor import PrimaryMonitor
from statusboard.resilience.policy import Journaled, Local, PrimaryOnly, Read, Tool
from statusboard.resilience.snapshot_fields import SnapshotFields
from statusboard.services.status import StatusService
from statusboard.storage.database import Database
from statusboard.storage.repositories import changes as changes_repo
from statusboard.storage.status_file import write_atomically

log = logging.getLogger(__name__)

SNAPSHOT_EVERY_S = 10.0
# Runs a journaled write again, found by the name the journal kept: (actor, arguments) -> its
# policy, and its result.
Runner = Callable[[str, str, dict[str, Any]], tuple[Journaled, dict[str, Any]]]


class Resilience:
    def __init__(self, settings: Settings, db: Database, clock: Clock) -> None:
        self._settings = settings
        self._db = db
        self._clock = clock
        self._store: LocalStore | None = None
        self._ttl_s = settings.cache_ttl_minutes * 60
        self.monitor = PrimaryMonitor(db, sync=self.sync, while_up=self._refresh_snapshot)
        self._monitoring = False
        self._journal_lock = threading.Lock()
        self._snapshot_lock = threading.Lock()  # the monitor's refresh, or a test's
        self._cache_writer = CacheWriter(lambda: self.store)
        self._last_snapshot_try = 0.0
        self._snapshot = SnapshotFields()
        self.runner: Runner | None = None  # runs a journaled write again for replay; set by the MCP server
        self.schema_check: Callable[[], None] | None = None  # set when started without the primary

    @property
    def store(self) -> LocalStore:
        """Opened on first use, so a process that never needs it creates no file."""
        if self._store is None:
            self._store = LocalStore(self._settings.cache_path)
        return self._store

    @property
    def _markdown_lock(self) -> Path:
        """Shared by the project's servers: one rewrites the status file at a time."""
        return self.store.path.with_name(self.store.path.name + ".markdown.lock")

    def start_monitor(self) -> None:
        self._monitoring = True
        self.monitor.start()

    def close(self) -> None:
        self.monitor.stop()
        self._cache_writer.stop()
        if self._store is not None:
            self._store.close()

    # -- the one entry point --------------------------------------------------------

    def call(self, tool: Tool, actor: str, args: BaseModel, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """Runs `tool` as its policy says (its name is only data, for the journal and messages)."""
        policy = tool.policy
        if isinstance(policy, Read):
            return self._read(tool.name, policy, args, run)
        if isinstance(policy, Journaled):
            return self._write(tool.name, policy, actor, args, run)
        if isinstance(policy, Local):
            body = run()
            # The health report knows best whether the primary answers (a one-off command asks it).
            up = body["primary"]["state"] == "up" if "primary" in body else self.monitor.accepting()
            return _served(body, "database") if up else _served(body, "sqlite_cache")
        if isinstance(policy, PrimaryOnly):
            if not self.monitor.accepting():
                raise DatabaseUnavailableError(
                    f"{tool.name} needs the primary database, which is unreachable ({self.monitor.reason})",
                    ["primary"],
                )
            return _served(run(), "database")
        assert_never(policy)

    def _read(self, tool: str, policy: Read, args: BaseModel, run: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        reason = self.monitor.reason or "unreachable"
        if self.monitor.accepting():
            try:
                result = run()
            except DatabaseUnavailableError as exc:
                reason = exc.message
                self._noticed(reason)
            else:
                self._cache_writer.remember(policy.holds, result)
                return _served(result, "database")
        return self._fallback(tool, policy, args.model_dump(mode="json"), reason)

    def _write(
        self, tool: str, policy: Journaled, actor: str, args: BaseModel, run: Callable[[], dict[str, Any]]
    ) -> dict[str, Any]:
        key = str(uuid.uuid4())
        new_id = str(uuid.uuid4()) if policy.creates else None
        failed = False
        if self.monitor.accepting():
            try:
                return self._on_primary(policy, key, new_id, run)
            except DatabaseUnavailableError as exc:
                # The outcome may be unknown (the connection died around the commit): the
                # journal keeps the same key, and the replay checks whether it committed.
                self._noticed(exc.message)
                failed = True
        with self._journal_lock, self.monitor.lock:
            if failed or not self.monitor.accepting():
                arguments = args.model_dump(mode="json", exclude_unset=True)
                return self._journal(tool, policy, actor, arguments, key, new_id)
        return self._on_primary(policy, key, new_id, run)  # back, and the journal replayed, meanwhile

    def _on_primary(
        self, policy: Journaled, key: str, new_id: str | None, run: Callable[[], dict[str, Any]]
    ) -> dict[str, Any]:
        with keyed_write(key, new_id):
            result = run()
        self._cache_writer.remember(policy.holds, result, wrote=True)
        return _served(result, "database")

    # -- reads when the primary does not answer ---------------------------------------

    def _fallback(self, tool: str, policy: Read, arguments: dict[str, Any], reason: str) -> dict[str, Any]:
        tried = ["primary"]
        from_cache, from_file = policy.cache, policy.file
        if from_cache is None and from_file is None:
            raise DatabaseUnavailableError(f"{reason}; {tool} has no fallback layer", tried)
        if from_cache is not None:
            tried.append("sqlite_cache")
            answer = from_cache(self, arguments)
            if answer is not None:
                body, stored_at = answer
                age = round(max(0.0, self.store.now() - stored_at) / 60, 2)
                return _served(body, "sqlite_cache", "using_fallback_cache", cache_age_minutes=age)
        if from_file is not None:
            layers: list[tuple[str, str, Callable[[], StatusData]]] = [
                ("git_history", "using_git_history_fallback", self._git_data),
                ("markdown_file", "using_markdown_fallback", self._disk_data),
            ]
            for layer, warning, read in layers:
                tried.append(layer)
                try:
                    file_body = from_file(read(), arguments)
                except file_layers.LayerUnavailable as exc:
                    log.info("fallback layer %s unavailable: %s", layer, exc)
                    continue
                if file_body is not None:
                    return _served(file_body, layer, warning)
        raise DatabaseUnavailableError(f"{reason}; no fallback layer could answer", tried)

    def _git_data(self) -> StatusData:
        return file_layers.from_git(self._settings.git_repo, self._settings.markdown_path)

    def _disk_data(self) -> StatusData:
        return file_layers.from_disk(self._settings.markdown_path)

    def known(self, kind: str, *, id: str | None = None, name_key: str | None = None) -> Body | None:
        """The freshest body the local view holds, of any age: versions only grow, so even an old
        one proves a lower version stale."""
        pending = self._cache_writer.peek(kind, id=id, name_key=name_key)
        if pending is not None:
            held: Body = json.loads(json.dumps(pending, default=str))  # as the cache would hold it
            return held
        cached = self.store.entity(kind, id=id, name_key=name_key)
        if cached is not None:
            return cached.body
        view = self.cache_view()
        return None if view is None else views.find_in(view[0], kind, id=id, name_key=name_key)

    def fresh_entity(self, kind: str, **lookup: str) -> tuple[Body, float] | None:
        cached = self.store.entity(kind, **lookup)
        if cached is None or self.store.now() - cached.stored_at > self._ttl_s:
            return None
        return cached.body, cached.stored_at

    def cache_view(self, *, fresh: bool = False) -> tuple[StatusData, float, int | None] | None:
        """The cached snapshot with newer entities laid over it, its age, its archived count."""
        snapshot = self.store.snapshot()
        if snapshot is None or (fresh and self.store.now() - snapshot.taken_at > self._ttl_s):
            return None
        newer = {kind: [e.body for e in self.store.entities_since(kind, snapshot.taken_at)] for kind in SHOWN_IN_FILE}
        return views.overlay(snapshot.data, newer), snapshot.taken_at, snapshot.archived_count

    # -- writes when the primary does not answer --------------------------------------

    def _journal(
        self, tool: str, policy: Journaled, actor: str, arguments: dict[str, Any], key: str, new_id: str | None
    ) -> dict[str, Any]:
        projected = policy.project(Write(arguments, actor, self._clock.now(), new_id, self.known))
        try:
            seq = self.store.append(key, tool, projected.arguments, new_id, actor)
        except Exception as exc:
            raise DatabaseUnavailableError(
                f"the primary is unreachable and the local journal could not be written: {exc}",
                ["primary", "sqlite_cache"],
            ) from exc
        by_kind: dict[str, list[Body]] = {}
        for kind, body in projected.entities:
            by_kind.setdefault(kind, []).append(body)
        for kind, bodies in by_kind.items():
            self.store.put_entities(kind, bodies, partial(lookup_key, kind))
        warnings = ["database_unavailable", "wrote_to_cache"]
        wrote_markdown = any(kind in SHOWN_IN_FILE for kind in by_kind) and self._write_markdown(by_kind)
        if wrote_markdown:
            warnings.append("wrote_to_markdown")
        extra: dict[str, Any] = {}
        if projected.unverified:
            warnings.append("checked_on_replay")
            extra["checked_on_replay"] = projected.unverified
        log.warning("journaled %s as #%d while the primary is unreachable", tool, seq)
        return {
            **projected.ack,
            **extra,
            "journal_seq": seq,
            "data_source": "sqlite_cache",
            "warnings": warnings,
            "wrote_to_cache": True,
            "wrote_to_markdown": wrote_markdown,
        }

    def _rewrite_markdown_from_primary(self) -> None:
        """The file written during the outage showed what was journaled; after the replay it shows
        what the primary holds (a write refused on replay leaves it)."""
        path = Path(self._settings.markdown_path)
        if not path.exists():
            return
        try:
            with self._db.snapshot() as conn:
                data = StatusService.file_data(conn)
            with _file_lock(self._markdown_lock):
                write_atomically(path, render(data))
        except DatabaseUnavailableError:
            log.info("the primary went away again before the status file could be rewritten")
        except OSError:
            log.exception("could not rewrite the status file after the replay")

    def _write_markdown(self, entities: dict[str, list[Body]]) -> bool:
        path = Path(self._settings.markdown_path)
        try:
            with _file_lock(self._markdown_lock):
                if path.exists():
                    data = file_layers.from_disk(path)
                else:
                    view = self.cache_view()
                    data = view[0] if view is not None else StatusData()
                write_atomically(path, render(views.overlay(data, entities)))
            return True
        except (OSError, file_layers.LayerUnavailable):
            log.exception("could not write the status file during the outage")
            return False

    # -- replay -------------------------------------------------------------------

    def sync(self) -> bool:
        """Replays the journal's pending writes on the primary, in order; True once none is left.

        One process replays at a time (a file lock); each write carries its idempotency key
        into the primary, so a write that committed before (its reply lost) is not applied twice.
        """
        if self.schema_check is not None:
            self.schema_check()
            self.schema_check = None
        if self.store.count("pending") == 0:
            return True
        if self.runner is None:
            return False
        lock_path = self.store.path.with_name(self.store.path.name + ".replay.lock")
        with _file_lock(lock_path, wait=False) as held:
            if not held:
                return False
            counts = {"applied": 0, "already_committed": 0, "conflict": 0}
            for entry in self.store.pending():
                outcome = self._replay_one(entry.key, entry.tool, entry.actor, entry.arguments, entry.assigned_id)
                if outcome is None:
                    break  # the primary went away again; the rest waits
                state, detail = outcome
                counts[state] += 1
                self.store.settle(entry.seq, "conflict" if state == "conflict" else "applied", detail)
            if any(counts.values()):
                self.store.record_sync(counts["applied"], counts["already_committed"], counts["conflict"])
                log.warning("journal replay: %s", counts)
                self._rewrite_markdown_from_primary()
        return self.store.count("pending") == 0

    def _replay_one(
        self, key: str, tool: str, actor: str, arguments: dict[str, Any], assigned_id: str | None
    ) -> tuple[str, dict[str, Any]] | None:
        assert self.runner is not None
        try:
            if self._committed(key):
                return "already_committed", {"already_committed": True}
            with keyed_write(key, assigned_id):
                policy, result = self.runner(tool, actor, arguments)
        except DatabaseUnavailableError:
            return None
        except Exception as exc:
            with suppress(DatabaseUnavailableError):
                if self._committed(key):  # another server replayed it at the same moment
                    return "already_committed", {"already_committed": True}
            if isinstance(exc, StatusboardError):
                return "conflict", {"error": exc.code, "message": exc.message, "details": exc.details}
            log.exception("replaying journal entry %s failed", key)
            return "conflict", {"error": "InternalError", "message": f"{type(exc).__name__}: {exc}", "details": {}}
        self._cache_writer.remember(policy.holds, result, wrote=True)
        return "applied", {"version": result.get("version"), "id": result.get("id")}

    def _committed(self, key: str) -> bool:
        with self._db.reading() as conn:
            return changes_repo.has_key(conn, key)

    # -- housekeeping, health -----------------------------------------------------

    def _noticed(self, reason: str) -> None:
        if self._monitoring:
            self.monitor.report_unavailable(reason)

    def _refresh_snapshot(self) -> None:
        """Keeps the cache's copy of what the status file shows, when the change log moved."""
        with self._snapshot_lock:
            self._refresh_snapshot_locked()

    def _refresh_snapshot_locked(self) -> None:
        now = time.monotonic()
        if now - self._last_snapshot_try < SNAPSHOT_EVERY_S:
            return
        self._last_snapshot_try = now
        with self._db.reading() as conn:
            seq = changes_repo.settled_seq(conn)
        stored = self.store.snapshot_seq()
        if stored is not None and stored >= seq:
            return
        kept = self._snapshot
        if stored is None:  # none stored (a fresh or cleared cache): take a whole copy
            kept = self._snapshot = SnapshotFields()
        kept_at = kept.seq
        try:
            changed = kept.bring_to(self._db, seq)
            if not changed and kept_at is not None and stored == kept_at and self.store.advance_snapshot(kept_at, seq):
                return
            self.store.put_snapshot(seq, kept.payload(), kept.archived_count)
        except BaseException:
            self._snapshot = SnapshotFields()  # where the kept fields and the stored copy stand is unknown
            raise

    def refresh_cache_now(self) -> None:
        self._last_snapshot_try = 0.0
        self._refresh_snapshot()
        self._cache_writer.flush()

    def health(self) -> dict[str, Any]:
        if self._monitoring:
            state, since, reason = self.monitor.state, _iso(self.monitor.since), self.monitor.reason
        else:  # no watcher in this process (a one-off command): ask the primary now
            reason = self.monitor.probe()
            state, since = ("up" if reason is None else "down"), None
        snapshot = self.store.snapshot()
        last_sync = self.store.last_sync()
        return {
            "status": "ok" if state == "up" else "degraded",
            "primary": {"backend": self._db.backend, "state": state, "since": since, "reason": reason},
            "journal": {"pending": self.store.count("pending"), "conflicts": self.store.count("conflict")},
            "last_sync": None if last_sync is None else {**last_sync, "finished_at": _iso(last_sync["finished_at"])},
            "cache": {
                "path": str(self.store.path),
                "snapshot_age_minutes": None
                if snapshot is None
                else round(max(0.0, self.store.now() - snapshot.taken_at) / 60, 2),
                "ttl_minutes": self._settings.cache_ttl_minutes,
            },
        }

    def sync_conflicts(self, limit: int, offset: int) -> SyncConflictPage:
        """The writes the primary refused on replay, with the arguments they were journaled with,
        less any claim token (the journal keeps it for the replay; no answer shows it)."""
        entries, total = self.store.conflicts(limit, offset)
        conflicts: list[SyncConflict] = [
            {
                "journal_seq": e.seq,
                "idempotency_key": e.key,
                "tool": e.tool,
                "arguments": _without_tokens(e.arguments),
                "actor": e.actor,
                "journaled_at": _iso(e.journaled_at),
                "error": cast(Refusal | None, e.outcome),  # a conflict's outcome: see _replay_one
            }
            for e in entries
        ]
        shown = within_bytes(conflicts)
        return {"conflicts": shown, "total_count": total, "has_more": offset + len(shown) < total}


# -- helpers ------------------------------------------------------------------------


def _served(result: dict[str, Any], source: str, *warnings: str, **extra: Any) -> dict[str, Any]:
    if source == "database":
        return {**result, "data_source": source, "warnings": []}
    return {**result, **extra, "data_source": source, "warnings": ["database_unavailable", *warnings]}


REDACTED = "(redacted)"


def _without_tokens(arguments: dict[str, Any]) -> dict[str, Any]:
    """The arguments with every claim token (update_work_item's, each entry's of update_work_items)
    replaced by REDACTED."""

    def redacted(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                key: REDACTED if key == "claim_token" and item is not None else redacted(item)
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [redacted(item) for item in value]
        return value

    cleaned: dict[str, Any] = redacted(arguments)
    return cleaned


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat()


@contextmanager
def _file_lock(path: Path, *, wait: bool = True) -> Iterator[bool]:
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if wait else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
