"""Every answer a test gets through the in-process MCP client is checked against what its tool
declares: a success against the tool's output schema, an error against the error body's shape.

The SDK's client already checks successes against the output schema (and skips errors, which
carry none); this checks again on our side, so a tool listed without a schema, or an SDK that
stopped checking, fails the suite instead of passing unseen.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import mcp_types as types
from mcp import Client

ERROR_CODES = {
    "ValidationError",
    "NotFoundError",
    "VersionConflictError",
    "ClaimConflictError",
    "LeaseExpiredError",
    "DatabaseUnavailableError",
    "PermissionDeniedError",
    "InternalError",
}
ERROR_BODY = {
    "type": "object",
    "properties": {
        "success": {"const": False},
        "error": {"enum": sorted(ERROR_CODES)},
        "message": {"type": "string"},
        "details": {"type": "object"},
    },
    "required": ["success", "error", "message", "details"],
    "additionalProperties": False,
}


def check_answer(tool: str, result: types.CallToolResult, schemas: dict[str, dict[str, Any] | None]) -> None:
    """Raises AssertionError unless `result` is what `tool` declares (see the module's docstring)."""
    body = result.structured_content
    assert body is not None, f"{tool} answered without structured content"
    assert json.loads(result.content[0].text) == body, f"{tool}: the text and the structured content differ"  # type: ignore[union-attr]
    if result.is_error:
        _valid(tool, body, ERROR_BODY)
        return
    schema = schemas.get(tool)
    assert schema is not None, f"{tool} is listed without an output schema"
    _valid(tool, body, schema)


_validators: dict[str, Any] = {}


def _valid(tool: str, body: Any, schema: dict[str, Any]) -> None:
    # One validator per schema: jsonschema.validate checks the schema itself on every call,
    # which costs far more than checking the answer.
    key = json.dumps(schema, sort_keys=True)
    validator = _validators.get(key)
    if validator is None:
        validator_class = jsonschema.validators.validator_for(schema)
        validator_class.check_schema(schema)
        validator = _validators[key] = validator_class(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(body))
    if error is not None:
        raise AssertionError(f"{tool} answered outside its schema: {error.message} at {list(error.absolute_path)}")


def checking_every_answer(client: Client) -> Client:
    """`client`, its `call_tool` checking each answer (the schemas are read once, on first use)."""
    call = client.call_tool
    schemas: dict[str, dict[str, Any] | None] = {}

    async def call_tool(name: str, arguments: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> Any:
        result = await call(name, arguments, *args, **kwargs)
        if not schemas:
            schemas.update({tool.name: tool.output_schema for tool in (await client.list_tools()).tools})
        if name in schemas:  # an unknown tool is a protocol error, raised above
            check_answer(name, result, schemas)
        return result

    client.call_tool = call_tool  # type: ignore[method-assign]
    return client
