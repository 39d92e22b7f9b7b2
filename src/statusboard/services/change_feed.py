"""One change watcher per server process: follows the change log and fans each new entry out to
every subscriber (the board's event streams; MCP resource subscriptions can subscribe alike).

The watcher runs only while anyone subscribes. It wakes on a hint from storage/change_signal.py
(PostgreSQL NOTIFY, SQLite a poll of the last seq), reads the new entries once through the
change-log service (up to the settled seq, so in seq order and without gaps), and puts them on
each subscriber's own queue. A queue is bounded: a subscriber that falls MAX_QUEUED entries
behind is dropped (its iteration raises FellBehind), never buffered for without bound; it can
subscribe again from the last seq it saw and lose nothing, since the log keeps every entry.

    async with feed.subscribe(since_seq=41) as entries:   # None: from now on
        async for entry in entries:                        # seq 42, 43, ... as they commit
            ...
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
from collections import deque
from collections.abc import AsyncIterator, Callable

import anyio

from statusboard.domain.entities import ChangeLogEntry
from statusboard.services.changes import ChangeLogService, ChangesPage
from statusboard.storage.change_signal import Wakeups

log = logging.getLogger(__name__)

Entry = ChangeLogEntry
Listening = Callable[[], contextlib.AbstractAsyncContextManager[Wakeups]]

MAX_QUEUED = 1000
READ_PAGE = 500
# Also read without a hint this often: a hint lost with a broken connection costs at most this.
IDLE_READ_S = 5.0
RETRY_AFTER_ERROR_S = 1.0


class FellBehind(Exception):
    """The subscriber did not take its entries as fast as they came and was dropped."""


class Subscription:
    """The entries after a seq, in order: a catch-up read from the log, then the live ones."""

    def __init__(self, feed: ChangeFeed, start_seq: int, since_seq: int | None, max_queued: int) -> None:
        self._feed = feed
        self._queue: deque[Entry] = deque()
        self._max_queued = max_queued
        self._arrived = asyncio.Event()
        self._dropped = False
        self._backlog: deque[Entry] = deque()
        self.start_seq = start_seq  # the live queue gets every entry after this seq
        self.last_seq = start_seq if since_seq is None else since_seq  # the last entry handed out
        self._read_up_to = self.last_seq  # the catch-up read's place in the log

    @property
    def dropped(self) -> bool:
        return self._dropped

    @property
    def queued(self) -> int:
        return len(self._queue)

    def drop(self) -> None:
        self._dropped = True
        self._queue.clear()
        self._arrived.set()

    def offer(self, entry: Entry) -> bool:
        """Queues an entry; False (and dropped) when the queue is full."""
        if len(self._queue) >= self._max_queued:
            self.drop()
            return False
        self._queue.append(entry)
        self._arrived.set()
        return True

    async def next(self, timeout: float = math.inf) -> Entry | None:
        """The next entry; None if none came within `timeout` seconds (the catch-up reads aside).
        Raises FellBehind once dropped."""
        while True:
            if self._backlog:
                entry = self._backlog.popleft()
                self.last_seq = entry["seq"]
                return entry
            if self._read_up_to < self.start_seq:
                await self._catch_up()
                continue
            live = await self._next_live(timeout)
            if live is None:
                return None
            if live["seq"] > self.last_seq:
                self.last_seq = live["seq"]
                return live

    async def _catch_up(self) -> None:
        page = await anyio.to_thread.run_sync(self._feed.read_after, self._read_up_to)
        fresh = [entry for entry in page["changes"] if entry["seq"] <= self.start_seq]
        self._backlog.extend(fresh)
        whole_page = fresh and len(fresh) == len(page["changes"]) and page["has_more"]
        self._read_up_to = fresh[-1]["seq"] if whole_page else self.start_seq

    async def _next_live(self, timeout: float) -> Entry | None:
        with anyio.move_on_after(timeout):
            while True:
                if self._dropped:
                    raise FellBehind
                if self._queue:
                    return self._queue.popleft()
                self._arrived.clear()
                await self._arrived.wait()
        return None

    def __aiter__(self) -> AsyncIterator[Entry]:
        return self._entries()

    async def _entries(self) -> AsyncIterator[Entry]:
        while True:
            entry = await self.next()
            assert entry is not None  # no timeout
            yield entry


class ChangeFeed:
    def __init__(
        self,
        changes: ChangeLogService,
        listening: Listening,
        settled_seq: Callable[[], int],
        *,
        max_queued: int = MAX_QUEUED,
        idle_read_s: float = IDLE_READ_S,
    ) -> None:
        self._changes = changes
        self._listening = listening
        self._settled = settled_seq
        self._max_queued = max_queued
        self._idle_read_s = idle_read_s
        self._subscribers: set[Subscription] = set()
        self._watcher: asyncio.Task[None] | None = None
        self._ready: asyncio.Future[int] | None = None
        self._joining = 0
        self._last_seq = 0
        self.reads = 0  # how many times the log was read for new entries (one read serves everyone)

    @property
    def subscriber_count(self) -> int:
        return len(self._subscribers)

    @contextlib.asynccontextmanager
    async def subscribe(self, since_seq: int | None = None) -> AsyncIterator[Subscription]:
        """Entries after `since_seq` (None: after the last one committed now), as they commit."""
        start_seq = await self._watching()
        subscription = Subscription(self, start_seq, since_seq, self._max_queued)
        self._subscribers.add(subscription)
        try:
            yield subscription
        finally:
            self._subscribers.discard(subscription)

    def read_after(self, seq: int) -> ChangesPage:
        return self._changes.list_changes(seq, READ_PAGE)

    def latest(self, limit: int) -> list[Entry]:
        """The last `limit` entries committed now, oldest first. Blocking: run it in a worker thread."""
        last = self._settled()
        window = limit
        while True:
            since = max(0, last - window)
            entries = [entry for entry in self._changes.list_changes(since, window)["changes"] if entry["seq"] <= last]
            if len(entries) >= limit or since == 0:
                return entries[-limit:]
            window *= 4  # a write rolled back on PostgreSQL leaves its seq unused: a gap to look past

    async def _watching(self) -> int:
        """Starts the watcher if none runs; the seq it has fanned out up to."""
        if self._watcher is None:
            self._ready = asyncio.get_running_loop().create_future()
            self._watcher = asyncio.create_task(self._watch(self._ready), name="statusboard-change-watcher")
        assert self._ready is not None
        self._joining += 1  # the watcher keeps running for a subscriber on its way in
        try:
            await asyncio.shield(self._ready)
        finally:
            self._joining -= 1
        return self._last_seq

    async def _watch(self, ready: asyncio.Future[int]) -> None:
        this = asyncio.current_task()
        try:
            async with self._listening() as wakeups:
                settled = await self._settled_seq()
                if settled is None:  # everyone left while the primary did not answer
                    self._watcher = None
                    ready.set_exception(FellBehind())
                    ready.exception()  # nobody may be left to retrieve it
                    return
                self._last_seq = settled
                ready.set_result(settled)
                while self._subscribers or self._joining:
                    try:
                        await wakeups.wait(self._last_seq, self._idle_read_s)
                    except Exception as exc:
                        log.info("the change watcher's wake-up failed: %s", exc)
                        await asyncio.sleep(RETRY_AFTER_ERROR_S)
                    await self._read_new()
                    await asyncio.sleep(0)  # a subscriber may be on its way in
                # Nobody listens: the next subscriber starts a new watcher, even while this one closes.
                self._watcher = None
        except BaseException as exc:
            if not ready.done():
                ready.set_exception(exc if isinstance(exc, Exception) else RuntimeError("the watcher stopped"))
            if self._watcher is this:  # its subscribers get nothing more: they end and may come again
                self._watcher = None
                for subscription in list(self._subscribers):
                    subscription.drop()
                self._subscribers.clear()
            raise

    async def _settled_seq(self) -> int | None:
        """Where the log ends now; None if every subscriber left while the primary did not answer."""
        while True:
            try:
                return await anyio.to_thread.run_sync(self._settled)
            except Exception as exc:  # the primary may be down: subscribers wait for it
                log.info("the change watcher cannot read the log yet: %s", exc)
                await asyncio.sleep(RETRY_AFTER_ERROR_S)
                if not self._subscribers and not self._joining:
                    return None

    async def _read_new(self) -> None:
        while True:
            try:
                page = await anyio.to_thread.run_sync(self.read_after, self._last_seq)
            except Exception as exc:  # the primary may be down: try again while anyone listens
                log.info("the change watcher could not read the log: %s", exc)
                await asyncio.sleep(RETRY_AFTER_ERROR_S)
                return
            self.reads += 1
            for entry in page["changes"]:
                for subscription in list(self._subscribers):
                    if entry["seq"] > subscription.start_seq and not subscription.offer(entry):
                        self._subscribers.discard(subscription)
                self._last_seq = entry["seq"]
            if not page["has_more"]:
                return
