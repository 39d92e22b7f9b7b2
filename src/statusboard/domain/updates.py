"""Rules every partial update follows: a null clears a field only where clearing is allowed,
and an update that must change something gives at least one field."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from pydantic import BaseModel

from statusboard.domain.errors import ValidationError


def given_fields(changes: BaseModel) -> dict[str, Any]:
    """The fields an update gives, nulls included: absent fields stay as they are."""
    return changes.model_dump(mode="json", include=changes.model_fields_set)


def refuse_nulls(given: Mapping[str, Any], clearable: Collection[str]) -> None:
    for name, value in given.items():
        if value is None and name not in clearable:
            raise ValidationError.single(name, "must not be null")


def refuse_no_changes(given: Mapping[str, Any], field: str, what: str) -> None:
    if not given:
        raise ValidationError.single(field, f"give at least one {what} to change")
