"""Each tool's output schema: the JSON Schema its structured results satisfy, made from the
TypedDicts the services build those results in (domain/entities.py, records.py, answers.py),
so the schema and the results cannot drift apart unseen (tests/interfaces/test_outputs.py
checks every result the test suite produces against its tool's schema).

An answer is one object: the shape's fields at the top level and the envelope beside them.
While the primary answers, the envelope says `data_source: "database"` and the shape is exact:
every field present, no other field. A tool that can answer without the primary (a fallback
read, a journaled write, a local tool while the primary is away) may also answer in the looser
form degraded mode gives (docs/degraded-mode.md): `data_source` names the layer, the
envelope may carry `cache_age_minutes` and what a journaled write reports, and of the shape's
fields the layer gives what it knows, each left out or null where it does not. That form is
described by its envelope alone: every answer's fields are already described by the exact form.

Schemas are built once per shape, when a server lists its tools, not when the module loads.
"""

from __future__ import annotations

import types
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import TypeAdapter
from typing_extensions import TypedDict

from statusboard.resilience.policy import Policy, PrimaryOnly

Schema = dict[str, Any]
FALLBACK_SOURCES = ("sqlite_cache", "git_history", "markdown_file")


class Envelope(TypedDict):
    """What every successful answer carries beside its fields while the primary answers."""

    success: Literal[True]
    data_source: Literal["database"]
    warnings: list[str]  # short snake_case codes; empty normally


class FallbackEnvelope(TypedDict):
    """What a degraded answer carries (docs/degraded-mode.md), beside the fields it knows.
    The extras it may add are named in _FALLBACK_NOTE rather than typed here: every tool's
    listing would carry them, and the listing is read into every client's context."""

    success: Literal[True]
    data_source: Literal["sqlite_cache", "git_history", "markdown_file"]
    warnings: list[str]  # database_unavailable, and which layer served or what was written


_FALLBACK_NOTE = (
    "Primary database unreachable: the fields the fallback layer knows (others null or left out), "
    "and cache_age_minutes (a cached read) or journal_seq, wrote_to_cache, wrote_to_markdown, "
    "checked_on_replay (a write kept for replay)."
)


def output_schema(shape: Any, policy: Policy) -> Schema:
    """The output schema of a tool whose results are `shape` (a TypedDict, or a union of them)
    and whose policy is `policy` (whether it can answer without the primary)."""
    return _schema(shape, not isinstance(policy, PrimaryOnly))


@cache
def _schema(shape: Any, degrades: bool) -> Schema:
    defs: dict[str, Schema] = {}
    envelope = _typed_dict_schema(Envelope, defs)
    variants = [_with_envelope(_typed_dict_schema(part, defs), envelope) for part in _alternatives(shape)]
    if degrades:
        fallback = _typed_dict_schema(FallbackEnvelope, defs)
        variants.append({**fallback, "additionalProperties": True, "description": _FALLBACK_NOTE})
    schema: Schema = {"type": "object", "anyOf": variants} if len(variants) > 1 else variants[0]
    return {**schema, "$defs": defs} if defs else schema


def _alternatives(shape: Any) -> tuple[Any, ...]:
    if get_origin(shape) in (Union, types.UnionType):
        return get_args(shape)
    return (shape,)


def _typed_dict_schema(shape: Any, defs: dict[str, Schema]) -> Schema:
    """`shape`'s JSON Schema, its nested shapes put into `defs`, made exact (see `_exact`)."""
    generated = TypeAdapter(shape).json_schema(ref_template="#/$defs/{model}")
    nested = generated.pop("$defs", {})
    for name, definition in nested.items():
        defs[name] = _exact(definition)
    if "$ref" in generated:  # a shape that refers to itself comes as a reference to its definition
        generated = nested[generated["$ref"].rsplit("/", 1)[-1]]
    exact: Schema = _exact(generated)
    return exact


def _exact(schema: Any) -> Any:
    """The schema without pydantic's titles and docstrings (they are for this code's readers),
    and with every TypedDict's object closed: no field beyond the shape's."""
    if isinstance(schema, list):
        return [_exact(part) for part in schema]
    if not isinstance(schema, dict):
        return schema
    exact = {key: _exact(value) for key, value in schema.items() if key not in ("title", "description")}
    if "properties" in schema:
        # The names are data here, not schema keywords: a field may well be called "title".
        exact["properties"] = {name: _exact(value) for name, value in schema["properties"].items()}
        exact.setdefault("additionalProperties", False)
    match exact.get("anyOf"):
        case [{"type": str(kind)} as one, {"type": "null"}] if len(one) == 1:
            del exact["anyOf"]  # the same, in fewer bytes: every listing sends it
            exact["type"] = [kind, "null"]
    return exact


def _with_envelope(shape: Schema, envelope: Schema) -> Schema:
    """The shape's object with the envelope's fields beside its own. Where the shape has a field
    of the same name (the migration report's own `success`), the shape's says what it is."""
    properties = {**envelope["properties"], **shape.get("properties", {})}
    required = list(dict.fromkeys([*envelope["required"], *shape.get("required", [])]))
    return {**shape, "type": "object", "properties": properties, "required": required}
