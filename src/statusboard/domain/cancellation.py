"""Cancelling long operations: the caller sets a token, the operation checks it between steps.

A long operation runs in one transaction; when it sees the token set it raises
OperationCancelled, and the transaction rolls back, so nothing is left half-done.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class OperationCancelled(Exception):
    """The caller cancelled; everything the operation did has been rolled back."""


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def wait(self, timeout: float) -> bool:
        return self._event.wait(timeout)

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise OperationCancelled("cancelled by the caller; nothing was changed")


# Called after each step of a long operation with (done, total).
Progress = Callable[[int, int], None]
