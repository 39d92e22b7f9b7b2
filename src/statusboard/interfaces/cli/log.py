"""`statusboard log [--follow] [--since SEQ] [--limit N]`: the change log for people, one line per
entry (see log_lines.py).

Without --since it prints the last N entries; with it, every entry after SEQ. --follow then keeps
printing each new entry as it commits, from the process's change feed (services/change_feed.py:
woken by PostgreSQL NOTIFY, or a cheap poll of the last seq on SQLite), until Ctrl-C, which ends
it with exit status 0. The feed reads the log up to the settled seq, so no entry is skipped or
printed twice, however writers in other processes interleave.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TextIO

import anyio

from statusboard.config import Settings
from statusboard.domain.errors import NotFoundError, StatusboardError
from statusboard.interfaces.cli.log_lines import entry_line, title_of
from statusboard.services.change_feed import FellBehind, Subscription
from statusboard.services.changes import ChangeLogService
from statusboard.wiring import App, build_app

Entry = Mapping[str, Any]  # a change-log entry, however typed
READ_PAGE = 500
DEFAULT_LIMIT = 20


def run_log(settings: Settings, *, follow: bool, since: int | None, limit: int, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    app = build_app(settings)  # an unreachable primary fails here, at once, with one line
    try:
        anyio.run(_print_log, app, follow, since, limit, out)
    except KeyboardInterrupt:
        pass  # how following ends
    except BrokenPipeError:  # the reader went away (`statusboard log | head`): nothing left to do
        os.dup2(os.open(os.devnull, os.O_WRONLY), out.fileno())
    finally:
        app.close()
    return 0


async def _print_log(app: App, follow: bool, since: int | None, limit: int, out: TextIO) -> None:
    titles = Titles(app)

    async def show(entry: Entry) -> None:
        line = await anyio.to_thread.run_sync(titles.line, entry)
        print(line, file=out, flush=follow)

    last_seq = since
    async with app.change_feed.subscribe(since) as entries:
        if since is None:
            for entry in await anyio.to_thread.run_sync(last_entries, app.changes, entries.start_seq, limit):
                await show(entry)
            last_seq = entries.start_seq
        if not follow:
            while (caught_up := await entries.next(timeout=0)) is not None:
                await show(caught_up)
            return
        print(f"statusboard: following the change log after seq {last_seq} (Ctrl-C stops)", file=sys.stderr, flush=True)
        last_seq = await _follow(entries, show)
    while True:  # fell behind: take up again where it stopped, the log keeps every entry
        async with app.change_feed.subscribe(last_seq) as entries:
            last_seq = await _follow(entries, show)


async def _follow(entries: Subscription, show: Callable[[Entry], Awaitable[None]]) -> int:
    try:
        async for entry in entries:
            await show(entry)
    except FellBehind:
        pass
    return entries.last_seq


def last_entries(changes: ChangeLogService, upto: int, count: int) -> list[Entry]:
    """The last `count` entries up to seq `upto`. Seqs may have gaps (a write rolled back on
    PostgreSQL still drew its seq), so it reaches further back until it has them or the start."""
    found: list[Entry] = []
    high, step = upto, count
    while len(found) < count and high > 0:
        low = max(0, high - step)
        found = entries_between(changes, low, high) + found
        high, step = low, step * 2
    return found[-count:] if count else []


def entries_between(changes: ChangeLogService, low: int, high: int) -> list[Entry]:
    """The entries after seq `low` up to `high`, oldest first."""
    found: list[Entry] = []
    while True:
        page = changes.list_changes(low, READ_PAGE)
        found += [entry for entry in page["changes"] if entry["seq"] <= high]
        if not page["has_more"] or page["last_seq"] >= high:
            return found
        low = page["last_seq"]


class Titles:
    """The title or name of each entry's entity: from the entry where it carries one, else looked
    up once per entity (work items one by one, enhancements and vendors in one listing)."""

    def __init__(self, app: App) -> None:
        self._app = app
        self._known: dict[str, str | None] = {}
        self._listed: set[str] = set()

    def line(self, entry: Entry) -> str:
        return entry_line(entry, self.of(entry))

    def of(self, entry: Entry) -> str | None:
        entity_id = str(entry["entity_id"])
        carried = title_of(entry)
        if carried is not None:
            self._known[entity_id] = carried
        elif entity_id not in self._known:
            try:
                self._look_up(str(entry["entity"]), entity_id)
            except NotFoundError:
                self._known[entity_id] = None
            except StatusboardError:
                return None  # the primary may be away: ask again for the next entry
        return self._known.get(entity_id)

    def _look_up(self, entity: str, entity_id: str) -> None:
        if entity == "work_item":
            self._known[entity_id] = self._app.work_items.query(entity_id, include_archived=True)["title"]
        elif entity in ("enhancement", "vendor") and entity not in self._listed:
            if entity == "enhancement":
                named = [(row["id"], row["title"]) for row in self._app.enhancements.list()["enhancements"]]
            else:
                named = [(row["id"], row["name"]) for row in self._app.vendors.list()["vendors"]]
            self._known.update((str(key), str(name)) for key, name in named)
            self._listed.add(entity)
