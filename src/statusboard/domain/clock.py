"""Time comes from a clock object so tests can fix it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Protocol, overload

from pydantic import AfterValidator, AwareDatetime, Field

EARLIEST_YEAR = 1970
LATEST_YEAR = 9999


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """SQLite hands timestamps back without a zone; every stored timestamp is UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


@overload
def iso(value: datetime) -> str: ...
@overload
def iso(value: datetime | None) -> str | None: ...


def iso(value: datetime | None) -> str | None:
    """The timestamp in UTC as ISO 8601, with its offset: `as_utc(value).isoformat()`.

    This runs for every timestamp of every row read, so it makes no copy it can do without.
    """
    if value is None:
        return None
    if value.tzinfo is None:
        return value.isoformat() + "+00:00"
    return (value if value.tzinfo is UTC else value.astimezone(UTC)).isoformat()


def _instant_in_utc(value: datetime) -> datetime:
    """The same instant in UTC (`10:00+05:00` is `05:00Z`), within the years a status file can show."""
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"must lie between the years {EARLIEST_YEAR} and {LATEST_YEAR}") from None
    if not EARLIEST_YEAR <= utc.year <= LATEST_YEAR:
        raise ValueError(f"must lie between the years {EARLIEST_YEAR} and {LATEST_YEAR}")
    return utc


UtcTimestamp = Annotated[
    AwareDatetime,
    Field(strict=False, description="ISO-8601 with an offset or Z; kept as the same instant in UTC"),
    AfterValidator(_instant_in_utc),
]
"""A timestamp a client or a file gives: it must carry its offset, and is kept as that instant in UTC."""
