"""The PostgreSQL connections in use right now, so that requests stuck on a paused server can be cut."""

from __future__ import annotations

import logging
import os
import socket
import threading
from typing import Any

from sqlalchemy import Engine, event

log = logging.getLogger(__name__)


class InFlight:
    """The PostgreSQL connections checked out right now, so that requests stuck on a paused
    server can be cut loose: libpq has no statement deadline of its own, and a stopped
    server's kernel still holds the TCP connection open, so a read would wait forever."""

    def __init__(self, engine: Engine) -> None:
        self._connections: set[Any] = set()
        self._lock = threading.Lock()
        if engine.dialect.name == "postgresql":
            event.listen(engine, "checkout", self._checked_out)
            event.listen(engine, "checkin", self._checked_in)
            event.listen(engine, "close", self._checked_in)
            event.listen(engine, "invalidate", self._invalidated)

    def track(self, dbapi_connection: Any) -> None:
        with self._lock:
            self._connections.add(dbapi_connection)

    def untrack(self, dbapi_connection: Any) -> None:
        with self._lock:
            self._connections.discard(dbapi_connection)

    def _checked_out(self, dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        self.track(dbapi_connection)

    def _checked_in(self, dbapi_connection: Any, _record: Any) -> None:
        self.untrack(dbapi_connection)

    def _invalidated(self, dbapi_connection: Any, _record: Any, _exception: Any) -> None:
        with self._lock:
            self._connections.discard(dbapi_connection)

    def cut(self) -> int:
        """Shuts down the sockets under every checked-out connection; their waits end with an error."""
        with self._lock:
            connections = list(self._connections)
        cut = 0
        for connection in connections:
            try:
                fd = connection.pgconn.socket
                with socket.socket(fileno=os.dup(fd)) as sock:
                    sock.shutdown(socket.SHUT_RDWR)
                cut += 1
            except Exception:  # already closed or never connected: nothing to cut
                log.debug("could not cut a connection", exc_info=True)
        return cut
