"""docs/reference.md's result shapes: each tool's answer and every object inside one, read from
the output schemas the tools list (interfaces/mcp/outputs.py), without the envelope that every
answer carries (the Results section says it once)."""

from __future__ import annotations

import types
from typing import Any, Union, get_args, get_origin, get_type_hints

from typing_extensions import is_typeddict

from statusboard.interfaces.mcp.outputs import Envelope, output_schema
from statusboard.interfaces.mcp.tools import TOOLS
from statusboard.interfaces.reference.schema_text import Schema, row, shape_link, tool_link, type_text
from statusboard.resilience.policy import PrimaryOnly


def alternatives(shape: Any) -> tuple[Any, ...]:
    """The shapes a tool's `output=` names: one TypedDict, or each of a union's."""
    if get_origin(shape) in (Union, types.UnionType):
        return get_args(shape)
    return (shape,)


def shapes_section() -> str:
    shapes: dict[str, Schema] = {}
    answer_of: dict[str, list[str]] = {}
    classes: dict[str, Any] = {}
    envelope = output_schema(Envelope, PrimaryOnly())["properties"]
    for spec in TOOLS:
        schema = output_schema(spec.output, spec.policy)
        variants = [schema] if "properties" in schema else schema["anyOf"]
        exact = [variant for variant in variants if variant["properties"]["data_source"].get("const") == "database"]
        named = alternatives(spec.output)
        if len(exact) != len(named):
            raise ValueError(f"{spec.name}: {len(named)} result shapes, {len(exact)} exact answers listed")
        for shape, variant in zip(named, exact, strict=True):
            _keep(shapes, shape.__name__, _without(envelope, variant))
            answer_of.setdefault(shape.__name__, []).append(spec.name)
            classes.update(_typed_dicts(shape))
        for name, definition in schema.get("$defs", {}).items():
            _keep(shapes, name, definition)
    said = [_shape(name, shapes[name], classes.get(name), answer_of.get(name, [])) for name in sorted(shapes)]
    return "\n\n".join(said)


def _without(envelope: Schema, answer: Schema) -> Schema:
    """An answer's schema without the envelope's keys (a key of the same name that says
    something else, as the migration report's own `success`, stays)."""
    kept = {key: value for key, value in answer["properties"].items() if envelope.get(key) != value}
    return {"properties": kept, "required": [key for key in answer["required"] if key in kept]}


def _keep(shapes: dict[str, Schema], name: str, schema: Schema) -> None:
    said = {"properties": schema.get("properties", {}), "required": sorted(schema.get("required", []))}
    if shapes.setdefault(name, said) != said:
        raise ValueError(f"two result shapes are called {name} and differ")


def _typed_dicts(root: Any) -> dict[str, Any]:
    """Every TypedDict `root` is or holds, by name: their docstrings describe the shapes."""
    found: dict[str, Any] = {}
    pending = [root]
    while pending:
        kind = pending.pop()
        if is_typeddict(kind):
            if kind.__name__ not in found:
                found[kind.__name__] = kind
                pending += get_type_hints(kind).values()
        else:
            pending += [arg for arg in get_args(kind) if not isinstance(arg, str)]
    return found


def _shape(name: str, schema: Schema, cls: Any, answer_of: list[str]) -> str:
    lines = [f"#### `{name}`", ""]
    if cls is not None and cls.__doc__:
        lines += [" ".join(cls.__doc__.split()), ""]
    if answer_of:
        lines += ["The answer of " + ", ".join(tool_link(tool) for tool in answer_of) + ".", ""]
    if not schema["properties"]:
        return "\n".join([*lines, "No keys beside the envelope."])
    lines += ["| key | type | present |", "|---|---|---|"]
    for key, node in schema["properties"].items():
        present = "always" if key in schema["required"] else "when it applies"
        lines.append(row(f"`{key}`", type_text(node, shape_link), present))
    return "\n".join(lines)
