"""How a list tool's filters pick entries, where the entries are at hand (the fallback layers;
the primary asks the same of its database)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def matches_filter(entry: Mapping[str, Any], filters: Mapping[str, Any]) -> bool:
    """Whether `entry` holds every filtered value; a filter of None lets every entry through."""
    return all(value is None or entry.get(key) == value for key, value in filters.items())
