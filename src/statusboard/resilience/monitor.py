"""Watches the primary: notices an outage within PING_INTERVAL_S + PING_DEADLINE_S, notices
recovery by itself, and then has the journal replayed before requests go to the primary again.

A ping is `SELECT 1` with a deadline kept here, not by the driver: libpq waits forever on
a server paused with SIGSTOP (its kernel keeps the TCP connection open), so a ping that
has not answered in time is an outage, and requests stuck on the primary are cut loose
by shutting down their sockets.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Literal

from sqlalchemy import text

from statusboard.storage.database import Database

PING_INTERVAL_S = 0.5
PING_DEADLINE_S = 1.0
State = Literal["up", "down", "syncing"]
log = logging.getLogger(__name__)


class PrimaryMonitor:
    def __init__(
        self,
        db: Database,
        *,
        sync: Callable[[], bool],
        while_up: Callable[[], None],
        interval_s: float = PING_INTERVAL_S,
        deadline_s: float = PING_DEADLINE_S,
    ) -> None:
        self._db = db
        self._sync = sync  # replays the journal; True once it is empty
        self._while_up = while_up  # housekeeping on every tick while the primary answers
        self._interval_s = interval_s
        self._deadline_s = deadline_s
        self.lock = threading.Lock()  # held while deciding "journal it" versus "send it"
        self.state: State = "up"
        self.since = time.time()
        self.reason: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._pinger: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="statusboard-primary-monitor", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self._deadline_s + 5)

    def accepting(self) -> bool:
        return self.state == "up"

    def report_unavailable(self, reason: str) -> None:
        """A request found the primary unreachable: stop sending requests there until a ping
        answers and the journal is replayed, so this process's writes keep their order."""
        with self.lock:
            if self.state != "down":
                self._go_down(reason)

    def probe(self) -> str | None:
        """One ping, changing nothing: None when the primary answered within the deadline."""
        return self._ping()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._tick()
            except Exception:  # the monitor must outlive any one failure
                log.exception("primary monitor tick failed")
            self._stop.wait(self._interval_s)

    def _tick(self) -> None:
        failure = self._ping()
        if failure is not None:
            with self.lock:
                if self.state != "down":
                    self._go_down(failure)
            return
        if self.state == "down":
            with self.lock:
                log.warning("primary database reachable again; replaying the journal")
                self.state, self.since, self.reason = "syncing", time.time(), None
                self._db.mark_unreachable(None)
                self._db.dispose()  # connections from before the outage may be dead
        if self._sync() and self.state == "syncing":
            with self.lock:
                if self._sync():
                    self.state, self.since = "up", time.time()
        if self.state == "up":
            self._while_up()

    def _go_down(self, reason: str) -> None:
        log.warning("primary database unreachable: %s", reason)
        self.state, self.since, self.reason = "down", time.time(), reason
        self._db.mark_unreachable(reason)
        cut = self._db.in_flight.cut()
        if cut:
            log.warning("cut %d request(s) waiting on the primary", cut)

    def _ping(self) -> str | None:
        if self._pinger is not None and self._pinger.is_alive():
            return f"no answer within {self._deadline_s:g} s"
        outcome: list[str | None] = []

        def ping() -> None:
            try:
                with self._db.engine.connect() as conn:
                    conn.execute(text("SELECT 1"))
                outcome.append(None)
            except Exception as exc:
                outcome.append(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)

        self._pinger = threading.Thread(target=ping, name="statusboard-ping", daemon=True)
        self._pinger.start()
        self._pinger.join(self._deadline_s)
        if not outcome:
            return f"no answer within {self._deadline_s:g} s"
        return outcome[0]
