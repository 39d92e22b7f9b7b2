"""Rules every partial update follows: a null clears a field only where clearing is allowed,
and an update that must change something gives at least one field."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, JsonValue

from statusboard.domain.errors import ValidationError

NULL_CLEARS = "x-null-clears"
PATCH_CONFIG = ConfigDict(extra="forbid", strict=True, json_schema_extra={NULL_CLEARS: True})
"""A partial update's model: its JSON schema carries NULL_CLEARS, since in it a null clears a
value (or removes a key) where elsewhere a null only means the argument was not given."""


def patch_config(clearable: Collection[str]) -> ConfigDict:
    """A partial update's model in which a null clears only the `clearable` fields (the others
    refuse it: `refuse_nulls`), so its listed schema offers null for those alone."""
    names: list[JsonValue] = [*sorted(clearable)]
    return ConfigDict(extra="forbid", strict=True, json_schema_extra={NULL_CLEARS: names})


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
