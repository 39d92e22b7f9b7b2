"""What a client sees in tools/list: titles, annotations, input schemas that tell the truth, and
only the toolsets the server offers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import jsonschema
import mcp_types as types
import pydantic
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from statusboard.config import Settings, Toolset
from statusboard.domain.vendors import VendorMetadata
from statusboard.domain.work_items import METADATA_MODELS
from statusboard.interfaces.cli.main import main
from statusboard.interfaces.mcp.schemas import input_schema
from statusboard.interfaces.mcp.server import build_server
from statusboard.interfaces.mcp.tools import TOOLS
from statusboard.wiring import App, build_app

pytestmark = pytest.mark.anyio

ITEM = "3f2a9c1e-0000-4000-8000-000000000001"
NOT_ENTITY_IDS = {"session_id", "current_session_id"}  # a session's own name, not a record's UUID
CONTRACT_TOOLSETS = {
    Toolset.AGENT: {
        "create_work_item",
        "update_work_item",
        "update_work_items",
        "delete_work_item",
        "query_work_item",
        "list_work_items",
        "add_dependency",
        "remove_dependency",
        "list_ready_work",
        "claim_work_item",
        "renew_claim",
        "release_claim",
        "list_changes",
        "generate_full_status",
        "get_health",
        "ping",
    },
    Toolset.RECORDS: {
        "create_vendor",
        "query_vendor_status",
        "update_vendor_status",
        "list_vendors",
        "record_deployment",
        "query_deployment",
        "list_deployments",
        "create_enhancement",
        "update_enhancement",
        "list_enhancements",
        "get_project_configuration",
        "update_project_configuration",
        "record_session_prompt",
        "list_session_prompts",
    },
    Toolset.ADMIN: {"trigger_archiving", "query_archived_work_items", "migrate_from_markdown", "list_sync_conflicts"},
}


@asynccontextmanager
async def listing_client(app: App, mode: str = "auto") -> AsyncIterator[Client]:
    async with Client(build_server(app), mode=mode, read_timeout_seconds=30) as client:  # type: ignore[arg-type]
        yield client


async def listed(app: App, mode: str = "auto") -> dict[str, types.Tool]:
    async with listing_client(app, mode) as client:
        return {tool.name: tool for tool in (await client.list_tools()).tools}


@pytest.fixture
def sqlite_app(tmp_path: Any) -> Iterator[App]:
    """The listing does not depend on the backend: one is enough."""
    application = build_app(Settings(database_url=f"sqlite:///{tmp_path / 'status.db'}"))
    yield application
    application.close()


def properties(schema: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return dict(schema.get("properties", {}))


def types_of(schema: dict[str, Any]) -> set[str]:
    """The JSON types a property takes ("null" among them where null is accepted)."""
    given = schema.get("type", [])
    found = set(given) if isinstance(given, list) else {given}
    if None in schema.get("enum", []):
        found.add("null")
    return found


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_every_tool_has_a_title_and_the_four_annotations(sqlite_app: App, mode: str) -> None:
    tools = await listed(sqlite_app, mode)
    assert set(tools) == {spec.name for spec in TOOLS}
    for tool in tools.values():
        assert tool.title and tool.description, tool.name
        hints = tool.annotations
        assert hints is not None, tool.name
        assert None not in (hints.read_only_hint, hints.destructive_hint, hints.idempotent_hint), tool.name
        assert hints.open_world_hint is False, tool.name
    assert tools["list_work_items"].annotations == types.ToolAnnotations(
        read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
    )
    assert tools["delete_work_item"].annotations.destructive_hint is True  # type: ignore[union-attr]
    assert tools["create_work_item"].annotations.idempotent_hint is False  # type: ignore[union-attr]


async def test_every_argument_is_described_in_one_line(sqlite_app: App) -> None:
    for tool in (await listed(sqlite_app)).values():
        for name, schema in properties(tool.input_schema).items():
            description = schema.get("description", "")
            assert description and "\n" not in description and len(description) <= 80, (tool.name, name)


async def test_every_tool_is_described_in_one_short_line(sqlite_app: App) -> None:
    for tool in (await listed(sqlite_app)).values():
        description = tool.description or ""
        assert "\n" not in description and len(description) <= 140, tool.name


async def test_ids_are_given_as_uuids(sqlite_app: App) -> None:
    checked = 0
    for tool in (await listed(sqlite_app)).values():
        for name, schema in properties(tool.input_schema).items():
            if name in NOT_ENTITY_IDS:
                continue
            if name == "id" or name.endswith("_id"):
                assert schema.get("format") == "uuid", (tool.name, name)
                checked += 1
            elif name.endswith("_ids") or name == "depends_on":
                assert schema["items"].get("format") == "uuid", (tool.name, name)
                checked += 1
    assert checked >= 20


async def test_a_work_items_metadata_lists_the_keys_of_every_type_and_refuses_others(sqlite_app: App) -> None:
    tools = await listed(sqlite_app)
    accepted_by: dict[str, set[str]] = {}
    for item_type, model in METADATA_MODELS.items():
        for key in model.model_fields:
            accepted_by.setdefault(key, set()).add(item_type.value)
    for name in ("create_work_item", "update_work_item"):
        metadata = properties(tools[name].input_schema)["metadata"]
        assert metadata["additionalProperties"] is False, name
        assert set(properties(metadata)) == set(accepted_by), name
        for key, schema in properties(metadata).items():
            said = schema["description"]
            if len(accepted_by[key]) == len(METADATA_MODELS):
                assert said == "every type", key
            else:
                assert set(said.split(";")[0].split(", ")) == accepted_by[key], key
    batch = tools["update_work_items"].input_schema["properties"]["items"]["items"]
    assert set(properties(properties(batch)["metadata"])) == set(accepted_by)


async def test_a_vendors_metadata_lists_its_keys_and_refuses_others(sqlite_app: App) -> None:
    tools = await listed(sqlite_app)
    for name in ("create_vendor", "update_vendor_status"):
        metadata = properties(tools[name].input_schema)["metadata"]
        assert metadata["additionalProperties"] is False
        assert set(properties(metadata)) == set(VendorMetadata.model_fields)


async def test_null_is_offered_only_where_it_clears_something(sqlite_app: App) -> None:
    tools = await listed(sqlite_app)
    update = properties(tools["update_work_item"].input_schema)
    create = properties(tools["create_work_item"].input_schema)
    assert "null" in types_of(update["parent_id"]) and "null" in types_of(update["pr_number"])
    assert "null" in types_of(properties(update["metadata"])["priority"])  # a patch: null removes the key
    assert "null" not in types_of(create["parent_id"]) and "null" not in types_of(create["pr_number"])
    assert "null" not in types_of(properties(tools["list_work_items"].input_schema)["status"])


def generated_titles(schema: Any) -> int:
    """How many `title` keywords a schema holds (a property named title is no keyword)."""
    if isinstance(schema, list):
        return sum(generated_titles(item) for item in schema)
    if not isinstance(schema, dict):
        return 0
    found = int(isinstance(schema.get("title"), str))
    for key, value in schema.items():
        inner = value.values() if key in ("properties", "patternProperties") else [value]
        found += sum(generated_titles(item) for item in inner)
    return found


async def test_the_schemas_carry_no_generated_titles_references_or_null_branches(sqlite_app: App) -> None:
    for tool in (await listed(sqlite_app)).values():
        text = json.dumps(tool.input_schema)
        assert "$ref" not in text and "$defs" not in text and '{"type": "null"}' not in text, tool.name
        assert '"x-' not in text and generated_titles(tool.input_schema) == 0, tool.name


SCHEMA_AND_SERVER_AGREE = [
    ("create_work_item", {"item_type": "task", "title": "t", "metadata": {"estimated_hours": 2, "priority": "high"}}),
    (
        "create_work_item",
        {"item_type": "session", "title": "s", "metadata": {"yaml_frontmatter": {"schema_version": 1}}},
    ),
    ("update_work_item", {"id": ITEM, "version": 3, "parent_id": None, "metadata": {"blocked_reason": None}}),
    ("update_work_items", {"items": [{"id": ITEM, "version": 1, "status": "completed"}]}),
    ("record_deployment", {"metadata": {"commit_hash": "abcdef1", "test_summary": {"passed": 3}}}),
    ("create_enhancement", {"title": "e", "priority": "high", "target_quarter": "Q1 2026"}),
    ("update_vendor_status", {"name": "v", "version": 1, "metadata": {"extractor_version": None}}),
    ("update_project_configuration", {"version": 1, "git_head": None}),
    ("claim_work_item", {}),
]
BOTH_REFUSE = [
    ("create_work_item", {"item_type": "task", "title": "t", "metadata": {"colour": "blue"}}),
    ("create_work_item", {"item_type": "task", "title": "t", "owner": "me"}),
    ("create_work_item", {"item_type": "chore", "title": "t"}),
    ("create_work_item", {"item_type": "task", "title": "x" * 201}),
    ("update_work_item", {"id": ITEM, "version": 0}),
    ("update_work_item", {"id": ITEM, "version": 1, "metadata": {"priority": "urgent"}}),
    ("update_work_items", {"items": [{"id": ITEM, "version": 1, "metadata": {"colour": 1}}]}),
    ("create_vendor", {"name": "v", "metadata": {"test_results": {"passing": 1}}}),
    ("record_deployment", {"metadata": {"commit_hash": "XYZ"}}),
    ("record_deployment", {"metadata": {"commit_hash": "abcdef1", "test_summary": {"9 bad": 1}}}),
    ("list_work_items", {"limit": 501}),
    ("create_enhancement", {"title": "e", "priority": "high", "target_quarter": "next year"}),
]


def server_accepts(tool: str, arguments: dict[str, Any]) -> bool:
    spec = next(spec for spec in TOOLS if spec.name == tool)
    try:
        spec.args.model_validate(arguments)
    except pydantic.ValidationError:
        return False
    return True


def schema_accepts(tool: types.Tool, arguments: dict[str, Any]) -> bool:
    try:
        jsonschema.validate(arguments, tool.input_schema)
    except jsonschema.ValidationError:
        return False
    return True


async def test_what_a_schema_says_the_server_does(sqlite_app: App) -> None:
    tools = await listed(sqlite_app)
    for tool, arguments in SCHEMA_AND_SERVER_AGREE:
        assert schema_accepts(tools[tool], arguments) and server_accepts(tool, arguments), (tool, arguments)
    for tool, arguments in BOTH_REFUSE:
        assert not schema_accepts(tools[tool], arguments), (tool, arguments)
        assert not server_accepts(tool, arguments), (tool, arguments)


def test_every_tool_is_in_the_toolset_the_contract_names() -> None:
    assert {spec.name: spec.toolset for spec in TOOLS} == {
        name: toolset for toolset, names in CONTRACT_TOOLSETS.items() for name in names
    }


async def test_a_server_lists_only_the_tools_of_its_toolsets(database_url: str) -> None:
    application = build_app(Settings(database_url=database_url, toolsets=frozenset({Toolset.AGENT, Toolset.ADMIN})))
    try:
        names = set(await listed(application))
    finally:
        application.close()
    assert names == CONTRACT_TOOLSETS[Toolset.AGENT] | CONTRACT_TOOLSETS[Toolset.ADMIN]


async def test_a_tool_outside_the_toolsets_is_answered_like_a_tool_that_does_not_exist(database_url: str) -> None:
    application = build_app(Settings(database_url=database_url, toolsets=frozenset({Toolset.RECORDS})))
    try:
        async with listing_client(application) as client:
            with pytest.raises(MCPError) as outside:
                await client.call_tool("create_work_item", {"item_type": "task", "title": "t"})
            with pytest.raises(MCPError) as nonexistent:
                await client.call_tool("no_such_tool", {})
            vendors = await client.call_tool("list_vendors", {})
    finally:
        application.close()
    assert outside.value.error.code == nonexistent.value.error.code == types.INVALID_PARAMS
    assert vendors.is_error is False


def test_a_bad_toolsets_setting_stops_a_server_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STATUSBOARD_TOOLSETS", "agent,everything")
    assert main(["mcp"]) != 0
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and "STATUSBOARD_TOOLSETS" in error and "'everything'" in error


def test_a_listed_update_offers_null_only_where_a_null_clears() -> None:
    """A null clears a work item's parent and git fields, an enhancement's description and any
    metadata key; everywhere else the update refuses it, so the schema must not offer it."""
    specs = {spec.name: spec for spec in TOOLS}

    def takes_null(node: dict[str, Any]) -> bool:
        kind = node.get("type")
        return (isinstance(kind, list) and "null" in kind) or None in node.get("enum", ())

    item = input_schema(specs["update_work_item"].args)["properties"]
    assert {name for name, node in item.items() if takes_null(node)} == {
        "parent_id",
        "branch_name",
        "commit_hash",
        "pr_number",
    }
    assert all(takes_null(node) for node in item["metadata"]["properties"].values())
    enhancement = input_schema(specs["update_enhancement"].args)["properties"]
    assert {name for name, node in enhancement.items() if takes_null(node)} == {"description"}
