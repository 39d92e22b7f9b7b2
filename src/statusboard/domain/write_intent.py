"""What a write carries besides its arguments when it may be replayed from the outage journal.

A write acknowledged during an outage is replayed later with the same idempotency key
(stored with its change-log entry, so a replay can tell it already committed) and with
the id its acknowledgement already handed out. Both ride in context variables, set
around one service call by the degraded-mode gateway, so the services need no new
parameters for a concern they do not otherwise have.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_key: ContextVar[str | None] = ContextVar("statusboard_write_key", default=None)
_assigned_id: ContextVar[str | None] = ContextVar("statusboard_assigned_id", default=None)


@contextmanager
def keyed_write(key: str, assigned_id: str | None = None) -> Iterator[None]:
    """Runs one write under `key`; a create inside it takes `assigned_id` as the new entity's id."""
    key_token = _key.set(key)
    id_token = _assigned_id.set(assigned_id)
    try:
        yield
    finally:
        _key.reset(key_token)
        _assigned_id.reset(id_token)


def current_key() -> str | None:
    return _key.get()


def assigned_id() -> str | None:
    return _assigned_id.get()
