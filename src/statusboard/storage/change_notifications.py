"""The PostgreSQL wake-up of the change watcher (see change_signal.py): a connection of its own
that LISTENs on the channel migration 0007's trigger notifies. Apart, so that a SQLite process
never imports psycopg."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import anyio
import psycopg

from statusboard.storage.database import Database

log = logging.getLogger(__name__)

CHANNEL = "statusboard_changes"  # the channel migration 0007's trigger notifies
RECONNECT_INTERVAL_S = 1.0
CONNECT_TIMEOUT_S = 2


class Notifications:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._conn: psycopg.AsyncConnection[Any] | None = None

    async def connect(self) -> bool:
        """Connects and listens; False (logged) if the primary does not answer."""
        engine = self._db.engine
        args, params = engine.dialect.create_connect_args(engine.url)
        params = {**params, "autocommit": True, "connect_timeout": CONNECT_TIMEOUT_S}
        params["application_name"] = "statusboard-watcher"
        try:
            conn = await psycopg.AsyncConnection.connect(*args, **params)
            await conn.execute(f"LISTEN {CHANNEL}")
        except psycopg.Error as exc:
            log.info("the change watcher cannot listen yet: %s", exc)
            return False
        self._conn = conn
        return True

    async def wait(self, known_seq: int, timeout: float) -> None:
        if self._conn is None or self._conn.closed:
            await self.close()
            with anyio.move_on_after(timeout):
                while not await self.connect():
                    await anyio.sleep(RECONNECT_INTERVAL_S)
            return  # connected again (anything may have happened meanwhile) or timed out
        try:
            async for _ in self._conn.notifies(timeout=timeout, stop_after=1):
                break
        except psycopg.Error as exc:
            log.info("the change watcher lost its connection: %s", exc)
            await self.close()

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(psycopg.Error):
                await conn.close()
