"""Every tool describes its answers: an output schema made from the shapes the services build
them in, which every answer satisfies. The test suite's in-process client checks each answer it
gets (tests/support/outputs.py); these tests show that the checking is real."""

from __future__ import annotations

import json
from typing import Any, get_type_hints

import jsonschema
import mcp_types as types
import pytest
from mcp import Client

from statusboard.config import Toolset
from statusboard.domain.agents import Role
from statusboard.domain.answers import Nothing
from statusboard.domain.entities import WorkItemAnswer
from statusboard.domain.errors import NotFoundError
from statusboard.interfaces.mcp.outputs import output_schema
from statusboard.interfaces.mcp.server import build_server
from statusboard.interfaces.mcp.spec import READS, NoArgs, ToolSpec
from statusboard.interfaces.mcp.tools import TOOLS
from statusboard.resilience.policy import Local, PrimaryOnly, Read
from statusboard.wiring import App
from tests.conftest import mcp_client
from tests.support.outputs import check_answer

pytestmark = pytest.mark.anyio
MODES = ["legacy", "2026-07-28"]


async def test_every_tool_is_listed_with_an_output_schema_that_is_json_schema(app: App) -> None:
    async with mcp_client(app) as client:
        listed = (await client.list_tools()).tools
    assert {tool.name for tool in listed} == {spec.name for spec in TOOLS}
    for tool in listed:
        assert tool.output_schema is not None, tool.name
        assert tool.output_schema["type"] == "object", tool.name
        jsonschema.Draft202012Validator.check_schema(tool.output_schema)


def test_a_schema_is_the_shape_the_service_builds_with_the_envelope_beside_it() -> None:
    schema = output_schema(WorkItemAnswer, PrimaryOnly())
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {*get_type_hints(WorkItemAnswer), "success", "data_source", "warnings"}
    assert set(schema["required"]) == set(schema["properties"]) - {"archived_at"}


def test_a_tool_that_can_answer_from_a_fallback_layer_also_allows_the_degraded_form() -> None:
    exact, degraded = output_schema(WorkItemAnswer, Read())["anyOf"]
    answer = {"success": True, "data_source": "sqlite_cache", "warnings": ["database_unavailable"], "id": "i"}
    jsonschema.validate({**answer, "version": None, "cache_age_minutes": 1.5}, degraded)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**answer, "data_source": "database"}, degraded)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(answer, exact)


def _server_answering(app: App, answer: Any) -> Any:
    def run(*_: Any) -> Any:
        if isinstance(answer, Exception):
            raise answer
        return answer

    ping = ToolSpec(
        "ping",
        "test",
        NoArgs,
        run,
        output=Nothing,
        policy=Local(),
        role=Role.VIEWER,
        title="Ping",
        effect=READS,
        toolset=Toolset.AGENT,
    )
    return build_server(app, [ping])


@pytest.mark.parametrize("mode", MODES)
async def test_the_sdk_client_refuses_an_answer_outside_the_tools_schema(app: App, mode: Any) -> None:
    async with Client(_server_answering(app, {"surprise": 1}), mode=mode, read_timeout_seconds=30) as client:
        with pytest.raises(RuntimeError, match="Invalid structured content"):
            await client.call_tool("ping", {})


@pytest.mark.parametrize("mode", MODES)
async def test_error_answers_are_not_held_to_the_output_schema(app: App, mode: Any) -> None:
    async with Client(_server_answering(app, NotFoundError("thing", id="x")), mode=mode) as client:
        result = await client.call_tool("ping", {})
    assert result.is_error and result.structured_content["error"] == "NotFoundError"  # type: ignore[index]


def test_the_suites_check_catches_what_a_schema_does_not_allow() -> None:
    schema = output_schema(Nothing, Local())
    schemas: dict[str, dict[str, Any] | None] = {"ping": schema, "unlisted": None}

    def result(body: dict[str, Any], is_error: bool = False) -> types.CallToolResult:
        content = [types.TextContent(type="text", text=json.dumps(body))]
        return types.CallToolResult(content=content, structured_content=body, is_error=is_error)

    check_answer("ping", result({"success": True, "data_source": "database", "warnings": []}), schemas)
    with pytest.raises(AssertionError, match="outside its schema"):
        check_answer("ping", result({"success": True, "data_source": "database", "warnings": [], "extra": 1}), schemas)
    with pytest.raises(AssertionError, match="without an output schema"):
        check_answer("unlisted", result({"success": True}), schemas)
    error = {"success": False, "error": "NotFoundError", "message": "m", "details": {}}
    check_answer("ping", result(error, is_error=True), schemas)
    with pytest.raises(AssertionError, match="outside its schema"):
        check_answer("ping", result({**error, "error": "Oops"}, is_error=True), schemas)
