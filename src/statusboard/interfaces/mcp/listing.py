"""What a client sees of the tools in tools/list: each spec as an MCP Tool, and only the toolsets
this server offers (STATUSBOARD_TOOLSETS)."""

from __future__ import annotations

from collections.abc import Iterable

import mcp_types as types

from statusboard.config import Toolset
from statusboard.interfaces.mcp.outputs import output_schema
from statusboard.interfaces.mcp.schemas import input_schema
from statusboard.interfaces.mcp.spec import ToolSpec


def offered(specs: Iterable[ToolSpec], toolsets: Iterable[Toolset]) -> dict[str, ToolSpec]:
    """The specs of the tools in `toolsets`, by name: the only ones listed and callable."""
    wanted = frozenset(toolsets)
    return {spec.name: spec for spec in specs if spec.toolset in wanted}


def listed_tool(spec: ToolSpec) -> types.Tool:
    return types.Tool(
        name=spec.name,
        title=spec.title,
        description=spec.description,
        input_schema=input_schema(spec.args),
        output_schema=output_schema(spec.output, spec.policy),
        annotations=types.ToolAnnotations(
            read_only_hint=spec.effect.read_only,
            destructive_hint=spec.effect.destructive,
            idempotent_hint=spec.effect.idempotent,
            open_world_hint=False,
        ),
    )
