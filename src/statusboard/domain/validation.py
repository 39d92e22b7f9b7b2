"""Turning Pydantic's complaints into our ValidationError, with dotted field paths."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Annotated, Any, TypeVar

import pydantic
from pydantic import AfterValidator, WithJsonSchema

from statusboard.domain.errors import ValidationError
from statusboard.domain.write_intent import assigned_id


def field_path(loc: Sequence[int | str], prefix: str = "") -> str:
    parts = [prefix] if prefix else []
    parts.extend(str(part) for part in loc)
    return ".".join(parts)


def from_pydantic(exc: pydantic.ValidationError, prefix: str = "") -> ValidationError:
    errors = []
    for err in exc.errors(include_url=False):
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown field"
        errors.append((field_path(err["loc"], prefix), message))
    return ValidationError(errors)


M = TypeVar("M", bound=pydantic.BaseModel)


def validated(model: type[M], data: Any, prefix: str = "") -> M:
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise from_pydantic(exc, prefix) from exc


def _canonical_uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ValueError("must be a UUID") from None


EntityId = Annotated[str, AfterValidator(_canonical_uuid), WithJsonSchema({"type": "string", "format": "uuid"})]
"""A UUID given as a string, stored in its canonical lowercase form."""


def new_id() -> str:
    """A fresh UUID, or the one a journaled write was acknowledged with (see write_intent)."""
    return assigned_id() or str(uuid.uuid4())


def _single_line(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    if any(ch < " " or ch == "\x7f" for ch in value):
        raise ValueError("must be one line without control characters")
    return value


SingleLine = Annotated[str, AfterValidator(_single_line)]
"""Text shown on one line of the status file: trimmed, not blank, no line breaks."""
