"""Turn-taking for SQLite writers across processes, with a lock file next to the database.

Every process that writes the file waits for its turn here before BEGIN IMMEDIATE. The
result is the same order SQLite would enforce, but a waiting writer checks again within
tens of microseconds of the previous commit; SQLite's own busy handler sleeps 1, 2, 5,
10 ms and more between checks, which under several writing processes costs more than
the writes themselves. The wait is bounded like SQLite's busy timeout. flock locks die
with their process, so a killed writer never leaves the lock held.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

FIRST_PAUSE_S = 0.00005
LONGEST_PAUSE_S = 0.0005


class WriterTurns:
    def __init__(self, database_path: Path, timeout_s: float) -> None:
        self.lock_path = database_path.with_name(database_path.name + "-writer.lock")
        self._timeout_s = timeout_s

    @contextmanager
    def turn(self, kept_fd: int | None = None) -> Iterator[None]:
        """Holds the turn for the block; raises TimeoutError if it does not come in time.

        flock is per open file, so each turn needs a descriptor of its own: a new one, or
        `kept_fd` (from `open`) that a caller keeps for turns that never overlap (a connection's).
        """
        fd = self.open() if kept_fd is None else kept_fd
        try:
            self._wait(fd)
            try:
                yield
            finally:
                if kept_fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            if kept_fd is None:
                os.close(fd)  # releases the lock

    def open(self) -> int:
        return os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)

    def _wait(self, fd: int) -> None:
        deadline = time.monotonic() + self._timeout_s
        pause = FIRST_PAUSE_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"no turn to write within {self._timeout_s:g}s") from None
                time.sleep(pause)
                pause = min(pause * 2, LONGEST_PAUSE_S)
