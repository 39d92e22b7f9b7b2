"""Time comes from a clock object so tests can fix it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands timestamps back without a zone; every stored timestamp is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def iso(value: datetime | None) -> str | None:
    """The timestamp in UTC as ISO 8601, with its offset: `as_utc(value).isoformat()`.

    This runs for every timestamp of every row read, so it makes no copy it can do without.
    """
    if value is None:
        return None
    if value.tzinfo is None:
        return value.isoformat() + "+00:00"
    return (value if value.tzinfo is UTC else value.astimezone(UTC)).isoformat()
