"""Rows as plain dicts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from statusboard.domain.clock import iso


def plain_dict(row: Mapping[Any, Any]) -> dict[str, Any]:
    """A row's mapping with plain `str` keys.

    SQLAlchemy's row keys are `quoted_name` objects (a str subclass); serializers that
    meet them take a slow path per key, which cost ~1 ms per work item result over MCP.
    """
    return {str(key): value for key, value in row.items()}


def record_with_times(row: Mapping[Any, Any], times: tuple[str, ...]) -> dict[str, Any]:
    """A row as a plain dict with its timestamps as ISO-8601 UTC strings."""
    record = plain_dict(row)
    for key in times:
        record[key] = iso(record[key])
    return record
