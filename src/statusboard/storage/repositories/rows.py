"""Rows as plain dicts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnCollection, Result

from statusboard.domain.clock import iso

# Rows fetched at a time by the readers that stream (see vendors.facts).
STREAMED_ROWS = 200


def column_names(columns: ColumnCollection[str, Any]) -> tuple[str, ...]:
    """The names of `columns` as plain `str`, in order.

    SQLAlchemy's column names are `quoted_name` objects (a str subclass); serializers that
    meet them as dict keys take a slow path per key, on every work item result over MCP.
    """
    return tuple(str(column.name) for column in columns)


def as_dict(names: tuple[str, ...], values: Sequence[Any]) -> dict[str, Any]:
    """A row (or a slice of one) as a dict, its values taken by position.

    Cheaper than going through `Result.mappings()`, which looks every key up by name.
    """
    return dict(zip(names, values, strict=True))


def plain_dict(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A row's mapping with plain `str` keys (see `column_names`); for rows read off the hot paths."""
    return {str(key): value for key, value in row.items()}


def record_with_times(row: Mapping[Any, Any], times: tuple[str, ...]) -> dict[str, Any]:
    """A row as a plain dict with its timestamps as ISO-8601 UTC strings."""
    record = plain_dict(row)
    for key in times:
        record[key] = iso(record[key])
    return record


def records(result: Result[Any], times: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """Every row of `result` as a plain dict, timestamps as ISO-8601 UTC strings.

    Zips plain tuples with the column names once: for the thousands of rows of a full
    status this is several times faster than going through row mappings.
    """
    columns = result.keys()  # the result's column names
    keys = [str(key) for key in columns]
    out = []
    for row in result.all():
        record = dict(zip(keys, row, strict=True))
        for key in times:
            record[key] = iso(record[key])
        out.append(record)
    return out
