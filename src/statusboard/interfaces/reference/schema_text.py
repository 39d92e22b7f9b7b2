"""A JSON schema, as listed in tools/list, said in words for docs/reference.md: a type
("list of UUID", "`high`, `medium`, `low` or null") and its constraints ("1 to 200 characters")."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

Schema = dict[str, Any]
Link = Callable[[str], str]  # a shape's name, as a link to where it is described

_TYPES = {"array": "list", "null": "null"}
_FORMATS = {"uuid": "UUID", "date-time": "timestamp"}


def shape_link(name: str) -> str:
    return f"[`{name}`](#{name.lower()})"


def tool_link(name: str) -> str:
    return f"[`{name}`](#{name})"


def row(*cells: str) -> str:
    """One markdown table row of `cells`."""
    return "| " + " | ".join(text.replace("|", "\\|").replace("\n", " ") for text in cells) + " |"


def code(value: Any) -> str:
    """A value as the JSON a client sends, in a code span (a string without its quotes)."""
    return f"`{value if isinstance(value, str) else json.dumps(value)}`"


def type_text(node: Schema, link: Link) -> str:
    if "$ref" in node:
        return link(node["$ref"].rsplit("/", 1)[-1])
    if "const" in node:
        return code(node["const"])
    if "enum" in node:
        values = [code(value) for value in node["enum"] if value is not None]
        said = ", ".join(values)
        return f"{said} or null" if None in node["enum"] else said
    if "anyOf" in node:
        return " or ".join(type_text(branch, link) for branch in node["anyOf"])
    kinds = node.get("type", "any")
    if isinstance(kinds, list):
        return " or ".join(type_text({**node, "type": kind}, link) for kind in kinds)
    if kinds == "string" and "format" in node:
        return str(_FORMATS.get(node["format"], node["format"]))
    if kinds == "array":
        return "list of " + type_text(node.get("items", {}), link)
    if kinds == "object":
        extra = node.get("additionalProperties")
        patterned = list(node.get("patternProperties", {}).values())
        inner = extra if isinstance(extra, dict) else patterned[0] if patterned else None
        return "object" if inner is None else "object of " + type_text(inner, link)
    return _TYPES.get(str(kinds), str(kinds))


def constraint_text(node: Schema) -> str:
    """The bounds a value of `node` must keep, in words; empty when there are none."""
    parts: list[str] = [
        *_range(node.get("minLength"), node.get("maxLength"), "characters"),
        *_range(node.get("minimum"), node.get("maximum"), ""),
        *_range(node.get("minItems"), node.get("maxItems"), "entries"),
        *_range(node.get("minProperties"), node.get("maxProperties"), "keys"),
    ]
    if "pattern" in node:
        parts.append(f"matches `{node['pattern']}`")
    for pattern, values in node.get("patternProperties", {}).items():
        parts.append(f"keys match `{pattern}`")
        parts += [f"each {text}" for text in [constraint_text(values)] if text]
    items = node.get("items")
    if isinstance(items, dict):
        parts += [f"each {text}" for text in [constraint_text(items)] if text]
    return "; ".join(parts)


def _range(low: int | None, high: int | None, unit: str) -> list[str]:
    if low is None and high is None:
        return []
    if high is None:
        return ["not empty" if low == 1 and unit == "characters" else f"at least {low:,} {unit}".strip()]
    if low is None:
        return [f"at most {high:,} {unit}".strip()]
    return [f"{low:,} to {high:,} {unit}".strip()]
