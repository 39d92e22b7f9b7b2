"""The contract's limits on what a client may send, as types the argument models are built from.

Each limit is checked while the arguments are validated, before any work: a refusal is a
ValidationError naming the field. The limits are chosen so that whatever is accepted also reads
back, renders in the status file and migrates back: the status file's reader takes numbers of up
to 18 digits (every integer here has at most 16), and the few numbers PostgreSQL keeps in 32-bit
`integer` columns or casts (pull request numbers, a vendor's test counts) stop at 2^31 - 1.
"""

from __future__ import annotations

import json
import math
import re
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, Field, GetCoreSchemaHandler, StringConstraints, field_validator
from pydantic_core import core_schema

MAX_SAFE_INTEGER = 2**53 - 1  # the largest integer every JSON reader (JavaScript's included) keeps exactly
# What PostgreSQL's `integer` holds: the pr_number columns, and a vendor's test counts as the report reads them.
COLUMN_INT_MAX = 2**31 - 1
TITLE_MAX = 200
NAME_MAX = 100
FREE_TEXT_MAX = 2000
PROMPT_CONTENT_MAX = 200_000
LIST_MAX = 100
OBJECT_MAX_BYTES = 16 * 1024
OBJECT_MAX_DEPTH = 10

SafeInt = Annotated[int, Field(ge=-MAX_SAFE_INTEGER, le=MAX_SAFE_INTEGER)]
Count = Annotated[int, Field(ge=0, le=MAX_SAFE_INTEGER)]
Offset = Annotated[int, Field(ge=0, le=MAX_SAFE_INTEGER, description="rows to skip")]
ColumnCount = Annotated[int, Field(ge=0, le=COLUMN_INT_MAX)]

Title = Annotated[str, StringConstraints(min_length=1, max_length=TITLE_MAX)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX)]
FreeText = Annotated[str, StringConstraints(max_length=FREE_TEXT_MAX)]
PromptContent = Annotated[str, StringConstraints(min_length=1, max_length=PROMPT_CONTENT_MAX)]

T = TypeVar("T")
BoundedList = Annotated[list[T], Field(max_length=LIST_MAX)]


def client_name_problem(name: str) -> str | None:
    """Why a client's name cannot be the actor recorded on its writes, or None: it must be 1 to
    NAME_MAX printable characters (no line breaks or other control characters)."""
    if not name.strip():
        return "must not be blank"
    if len(name) > NAME_MAX:
        return f"must be at most {NAME_MAX} characters, not {len(name)}"
    if not name.isprintable():
        return "must be printable characters (no line breaks or other control characters)"
    return None


def object_problem(value: Any, max_bytes: int = OBJECT_MAX_BYTES, max_depth: int = OBJECT_MAX_DEPTH) -> str | None:
    """Why a JSON value breaks the limits, or None: nested deeper than `max_depth` objects and
    lists, longer than `max_bytes` as compact UTF-8 JSON, holding an integer beyond ±(2^53 - 1)
    or a number that is not finite. The depth is checked level by level, without recursion,
    so a hostile nesting costs no more than the levels allowed."""
    level: list[tuple[str, Any]] = [("", value)]
    depth = 0
    while level:
        following: list[tuple[str, Any]] = []
        for path, item in level:
            if isinstance(item, dict):
                following.extend((f"{path}.{key}" if path else str(key), inner) for key, inner in item.items())
            elif isinstance(item, list):
                following.extend((f"{path}.{index}" if path else str(index), inner) for index, inner in enumerate(item))
            elif isinstance(item, int) and not isinstance(item, bool) and abs(item) > MAX_SAFE_INTEGER:
                return f"{_at(path)}integer beyond ±{MAX_SAFE_INTEGER} (2^53 - 1)"
            elif isinstance(item, float) and not math.isfinite(item):
                return f"{_at(path)}number that is not finite"
        if any(isinstance(item, dict | list) for _, item in level):
            depth += 1
            if depth > max_depth:
                return f"nested deeper than {max_depth} levels"
        level = following
    size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())
    if size > max_bytes:
        return f"larger than {max_bytes // 1024} KB as JSON ({size} bytes)"
    return None


# PostgreSQL keeps no NUL character in text (SQLite would, so the two would differ), and a lone
# surrogate is not Unicode text: neither database can store it as UTF-8.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def text_problem(value: Any) -> str | None:
    """Why a string in a JSON value (an object's keys included) cannot be stored, or None: it
    holds a NUL character or a lone surrogate. Walked without recursion, like `object_problem`."""
    pending: list[tuple[str, Any]] = [("", value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str):
            found = _UNSTORABLE.search(item)
            if found is not None:
                return f"{_at(path)}{_unstorable(found.group())}"
        elif isinstance(item, dict):
            for key, inner in item.items():
                found = _UNSTORABLE.search(key) if isinstance(key, str) else None
                if found is not None:
                    return f"{_at(path)}a key {_unstorable(found.group())}"
                pending.append((f"{path}.{key}" if path else str(key), inner))
        elif isinstance(item, list):
            pending.extend((f"{path}.{index}" if path else str(index), inner) for index, inner in enumerate(item))
    return None


def _unstorable(char: str) -> str:
    if char == "\x00":
        return "holds a NUL character (U+0000), which cannot be stored"
    return f"holds a lone surrogate (U+{ord(char):04X}), which is not Unicode text"


class StorableText(BaseModel):
    """A model each of whose fields refuses text that cannot be stored (see `text_problem`),
    in any string nested in it: refused on both backends alike, and before any other check,
    so the refusal names the field whatever else is wrong with it."""

    @field_validator("*", mode="before")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        problem = text_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value


def _at(path: str) -> str:
    return f"{path}: " if path else ""


def _bounded(value: Any) -> Any:
    if not isinstance(value, dict):
        raise ValueError("must be a JSON object")
    problem = object_problem(value)
    if problem is not None:
        raise ValueError(problem)
    return value


class CheckedAs:
    """A mapping bounded like every JSON object a client sends (see `object_problem`), then
    validated as `model`, and handed on as the plain dict of the keys given (nulls included:
    in a patch a null removes a key). The field's JSON schema is the model's, so it lists the
    keys that are accepted."""

    def __init__(self, model: type[BaseModel]) -> None:
        self.model = model

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_before_validator_function(
            _bounded,
            core_schema.no_info_after_validator_function(_as_given, handler.generate_schema(self.model)),
            serialization=core_schema.plain_serializer_function_ser_schema(_as_is),
        )


def _as_given(checked: BaseModel) -> dict[str, Any]:
    return checked.model_dump(exclude_unset=True)


def _as_is(value: dict[str, Any]) -> dict[str, Any]:
    return value  # already the plain dict
