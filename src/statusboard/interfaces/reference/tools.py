"""docs/reference.md's Tools section, from the tool specs (their listed input schemas, roles,
effects, toolsets and policies), the MCP resources and the prompts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from statusboard.config import Toolset
from statusboard.domain.agents import Role
from statusboard.interfaces.mcp.prompts import PROMPTS
from statusboard.interfaces.mcp.resources import RESOURCES, TEMPLATES
from statusboard.interfaces.mcp.schemas import AS_DESCRIBED_IN, input_schema
from statusboard.interfaces.mcp.spec import Effect, ToolSpec
from statusboard.interfaces.mcp.tools import TOOLS
from statusboard.interfaces.reference.schema_text import (
    Schema,
    code,
    constraint_text,
    row,
    shape_link,
    tool_link,
    type_text,
)
from statusboard.interfaces.reference.shapes import alternatives
from statusboard.resilience.policy import Journaled, Local, Policy, PrimaryOnly, Read


def tools_section() -> str:
    parts = [_overview()]
    for toolset in Toolset:
        parts.append(f"### Toolset `{toolset}`")
        parts += [_tool(spec) for spec in TOOLS if spec.toolset is toolset]
    parts += [_resources(), _prompts()]
    return "\n\n".join(parts)


def _overview() -> str:
    rows = ["| tool | title | toolset | role | effect | primary unreachable |", "|---|---|---|---|---|---|"]
    for spec in sorted(TOOLS, key=lambda spec: list(Toolset).index(spec.toolset)):
        cells = [tool_link(spec.name), spec.title, f"`{spec.toolset}`", _role(spec), _effect(spec.effect)]
        rows.append(row(*cells, _outage(spec.policy)))
    return "\n".join(rows)


def _tool(spec: ToolSpec) -> str:
    results = " or ".join(shape_link(shape.__name__) for shape in alternatives(spec.output))
    lines = [
        f"#### `{spec.name}`",
        "",
        f"**{spec.title}.** {spec.description}",
        "",
        f"Toolset `{spec.toolset}`; role {_role(spec)}; {_effect(spec.effect)}; "
        f"primary unreachable: {_outage(spec.policy)}. Result: {results}.",
        "",
    ]
    rows = list(_argument_rows(spec.args))
    if not rows:
        return "\n".join([*lines, "No arguments."])
    header = ["| argument | type | default | constraints | meaning |", "|---|---|---|---|---|"]
    return "\n".join(lines + header + rows)


def _argument_rows(model: type[BaseModel]) -> Iterator[str]:
    schema = input_schema(model)
    described_in = {
        name: field.json_schema_extra[AS_DESCRIBED_IN]
        for name, field in model.model_fields.items()
        if isinstance(field.json_schema_extra, dict) and AS_DESCRIBED_IN in field.json_schema_extra
    }
    off = {name for name, field in model.model_fields.items() if field.default is False}
    for name, node in schema.get("properties", {}).items():
        required = name in schema.get("required", [])
        if name in off:  # the listing leaves `default: false` unsaid: an absent flag is off
            node = {**node, "default": False}
        if name in described_in:
            other = str(described_in[name])
            node = {**node, "items": {}}
            yield _argument_row(name, node, required, type_said=f"list of {tool_link(other)} arguments")
            continue
        yield from _nested_rows(name, node, required)


def _nested_rows(name: str, node: Schema, required: bool) -> Iterator[str]:
    yield _argument_row(name, node, required)
    inner = node.get("properties", {})
    for key, child in inner.items():
        yield from _nested_rows(f"{name}.{key}", child, key in node.get("required", []))
    items = node.get("items", {})
    for key, child in items.get("properties", {}).items():
        yield from _nested_rows(f"{name}[].{key}", child, key in items.get("required", []))


def _argument_row(name: str, node: Schema, required: bool, type_said: str | None = None) -> str:
    if required:
        default = "required"
    elif "default" in node:
        default = code(node["default"])
    else:
        default = ""
    said = type_said or type_text(node, shape_link)
    cells = [f"`{name}`", said, default, constraint_text(node), node.get("description", "")]
    return row(*cells)


def _role(spec: ToolSpec) -> str:
    stricter = _stricter_roles(spec)
    said = f"`{spec.role}`"
    if stricter:
        said += " (" + ", ".join(f"`{role}` with `{name}`" for name, role in stricter) + ")"
    return said


def _stricter_roles(spec: ToolSpec) -> list[tuple[str, Role]]:
    """The flags that make a call need a stricter role than the tool's own."""
    if spec.role_for is None:
        return []
    found = []
    for name, field in spec.args.model_fields.items():
        if field.annotation is bool:
            needed = spec.needs(spec.args.model_construct(None, **{name: True}))
            if needed is not spec.role:
                found.append((name, needed))
    if not found:
        raise ValueError(f"{spec.name}: role_for asks for a stricter role, and no flag of its arguments says when")
    return found


def _effect(effect: Effect) -> str:
    if effect.read_only:
        return "reads only"
    said = "changes or removes what is there" if effect.destructive else "adds"
    return said + (", idempotent" if effect.idempotent else "")


def _outage(policy: Policy) -> str:
    match policy:
        case Read(cache=None, file=None):
            return "`DatabaseUnavailableError`"
        case Read(file=None):
            return "answers from the local cache"
        case Read():
            return "answers from the local cache, then the status file"
        case Journaled():
            return "journaled, applied once the primary is back"
        case Local():
            return "answers as usual (never uses the primary)"
        case PrimaryOnly():
            return "`DatabaseUnavailableError`"
    raise AssertionError(policy)


def _resources() -> str:
    rows = ["### Resources", "", "| URI | title | content type | content |", "|---|---|---|---|"]
    listed: list[Any] = [*RESOURCES, *TEMPLATES]
    for resource in listed:
        uri = getattr(resource, "uri", None) or resource.uri_template
        cells = [f"`{uri}`", resource.title or "", f"`{resource.mime_type}`", resource.description or ""]
        rows.append(row(*cells))
    return "\n".join(rows)


def _prompts() -> str:
    rows = ["### Prompts", "", "| prompt | title | arguments | gives |", "|---|---|---|---|"]
    for prompt in PROMPTS:
        arguments = "; ".join(f"`{a.name}`: {a.description}" for a in prompt.arguments or [])
        cells = [f"`{prompt.name}`", prompt.title or "", arguments, prompt.description or ""]
        rows.append(row(*cells))
    return "\n".join(rows)
