"""Input schemas as a model reads them: what Pydantic generates, without what costs bytes and
says nothing.

Every client loads the whole tool listing into its model's context, so each byte is paid on
every session. From Pydantic's JSON schema this drops:

- the generated titles ("Item Type" beside `item_type`), the root description (the tool's
  description says it), `default: null`, `default: false` (an absent flag is off) and empty
  `properties`;
- `"type": "string"` beside an `enum` of strings, and `additionalProperties: true` (the default);
- the bounds ±(2^53 - 1) that hold for every integer (the documented limit); narrower bounds stay;
- `null` as a choice where it only means "not given" (absent says the same). In a partial
  update's model (marked NULL_CLEARS) a null clears a value, so there it stays, written as
  `"type": [X, "null"]` rather than `anyOf`.

`$defs` are inlined: a model used by one argument reads better in place. An argument marked
AS_DESCRIBED_IN (a list of another tool's arguments) leaves the descriptions to that tool.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from statusboard.domain.limits import MAX_SAFE_INTEGER
from statusboard.domain.updates import NULL_CLEARS

AS_DESCRIBED_IN = "x-as-described-in"
_NAME_MAPS = frozenset({"properties", "patternProperties", "$defs"})  # their keys are names, not keywords
_NULL = {"type": "null"}
_UNSAID = {
    ("default", type(None), None),
    ("default", bool, False),
    ("additionalProperties", bool, True),
    ("maximum", int, MAX_SAFE_INTEGER),
    ("minimum", int, -MAX_SAFE_INTEGER),
}


def input_schema(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})
    schema.pop("description", None)
    shaped: dict[str, Any] = _shaped(_inlined(schema, definitions), nulls=False)
    return shaped


def _inlined(node: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_inlined(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/$defs/"):
        target = dict(definitions[ref.removeprefix("#/$defs/")])
        if "description" in node:  # the argument's own description says more than the model's docstring
            target.pop("description", None)
        node = {**target, **{key: value for key, value in node.items() if key != "$ref"}}
    return {key: _inlined(value, definitions) for key, value in node.items()}


def _shaped(node: Any, *, nulls: bool, described: bool = True) -> Any:
    """`node` without what says nothing; `nulls`: whether a null given for it means something;
    `described`: whether its descriptions are said here (rather than in another tool)."""
    if isinstance(node, list):
        return [_shaped(item, nulls=False, described=described) for item in node]
    if not isinstance(node, dict):
        return node
    node = _null_choice(node, nulls)
    nulls_clear = node.get(NULL_CLEARS)  # True: every property; a list: those named
    inner = described and AS_DESCRIBED_IN not in node
    shaped: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("title", NULL_CLEARS, AS_DESCRIBED_IN) or _unsaid(key, value):
            continue
        if (key == "type" and value == "string" and "enum" in node) or (key == "description" and not described):
            continue
        if key in _NAME_MAPS:
            shaped[key] = {
                name: _shaped(item, nulls=nulls_clear is True or name in (nulls_clear or ()), described=inner)
                for name, item in value.items()
            }
        else:
            shaped[key] = _shaped(value, nulls=False, described=inner)
    return shaped


def _unsaid(key: str, value: Any) -> bool:
    if key == "properties" and value == {}:
        return True
    return type(value) in (bool, int, type(None)) and (key, type(value), value) in _UNSAID


def _null_choice(node: dict[str, Any], nulls: bool) -> dict[str, Any]:
    """`{"anyOf": [X, {"type": "null"}], …}` as X, or as X that also takes null when `nulls`."""
    branches = node.get("anyOf")
    if not isinstance(branches, list) or _NULL not in branches or len(branches) != 2:
        return node
    (other,) = [branch for branch in branches if branch != _NULL]
    merged = {**other, **{key: value for key, value in node.items() if key != "anyOf"}}
    if not nulls:
        return merged
    if "enum" in merged:
        merged["enum"] = [*merged["enum"], None]
        merged.pop("type", None)
    elif isinstance(merged.get("type"), str):
        merged["type"] = [merged["type"], "null"]
    else:
        return node
    return merged
