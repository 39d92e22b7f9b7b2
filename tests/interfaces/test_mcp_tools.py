"""The MCP tools as a client sees them: result shapes, error bodies, identity."""

from __future__ import annotations

import json
from typing import Any

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from statusboard.config import Settings
from statusboard.wiring import App, build_app
from tests.conftest import mcp_client

pytestmark = pytest.mark.anyio

CONTRACT_TOOLS = {
    "create_work_item",
    "update_work_item",
    "delete_work_item",
    "query_work_item",
    "list_work_items",
    "add_dependency",
    "remove_dependency",
    "list_changes",
    "list_ready_work",
    "claim_work_item",
    "renew_claim",
    "release_claim",
}
MISSING = "00000000-0000-0000-0000-000000000000"


async def call(client: Client, tool: str, **arguments: Any) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    body = json.loads(result.content[0].text)
    assert result.structured_content == body
    assert result.is_error is (not body["success"])
    return body


async def test_every_contract_tool_is_listed_with_an_input_schema(app: App) -> None:
    async with mcp_client(app) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tools) >= CONTRACT_TOOLS
    assert tools["update_work_item"].input_schema["required"] == ["id", "version"]
    assert tools["create_work_item"].description


async def test_success_result_has_entity_fields_data_source_and_warnings(app: App) -> None:
    async with mcp_client(app, "claude-code") as client:
        body = await call(
            client, "create_work_item", item_type="task", title="Test Task", metadata={"estimated_hours": 2.0}
        )
    assert body["success"] is True
    assert body["data_source"] == "database" and body["warnings"] == []
    assert body["version"] == 1 and body["created_by"] == "claude-code"
    assert set(body) >= {
        "id",
        "item_type",
        "title",
        "status",
        "parent_id",
        "path",
        "depth",
        "branch_name",
        "commit_hash",
        "pr_number",
        "metadata",
        "deleted_at",
        "archived",
        "created_at",
        "updated_at",
        "created_by",
        "updated_by",
    }


async def test_every_answer_says_database_while_the_primary_is_up(app: App) -> None:
    async with mcp_client(app) as client:
        for tool in ("get_health", "list_sync_conflicts", "ping", "list_work_items", "get_project_configuration"):
            body = await call(client, tool)
            assert body["data_source"] == "database" and body["warnings"] == [], tool


async def test_identity_comes_from_client_info_and_updates_record_the_updater(app: App) -> None:
    async with mcp_client(app, "claude-code") as first, mcp_client(app, "claude-desktop") as second:
        item = await call(first, "create_work_item", item_type="task", title="t")
        updated = await call(second, "update_work_item", id=item["id"], version=1, title="t2")
        seen = await call(first, "query_work_item", id=item["id"])
    assert (updated["created_by"], updated["updated_by"]) == ("claude-code", "claude-desktop")
    assert seen["title"] == "t2" and seen["version"] == 2


async def test_client_id_setting_overrides_the_declared_name(database_url: str) -> None:
    application = build_app(Settings(database_url=database_url, client_id="ci-bot"))
    try:
        async with mcp_client(application, "claude-code") as client:
            body = await call(client, "create_work_item", item_type="task", title="t")
    finally:
        application.close()
    assert body["created_by"] == "ci-bot"


async def test_version_conflict_body_carries_expected_actual_and_current(app: App) -> None:
    async with mcp_client(app) as client:
        item = await call(client, "create_work_item", item_type="task", title="t")
        await call(client, "update_work_item", id=item["id"], version=1, metadata={"estimated_hours": 3.0})
        body = await call(client, "update_work_item", id=item["id"], version=1, metadata={"estimated_hours": 4.0})
    assert body["success"] is False and body["error"] == "VersionConflictError"
    assert body["message"] == "version mismatch: expected 1, actual 2"
    assert body["details"]["expected_version"] == 1 and body["details"]["actual_version"] == 2
    assert body["details"]["current"]["metadata"] == {"estimated_hours": 3.0}


@pytest.mark.parametrize(
    ("tool", "arguments", "field"),
    [
        ("create_work_item", {"item_type": "task"}, "title"),
        ("create_work_item", {"item_type": "task", "title": 5}, "title"),
        ("create_work_item", {"item_type": "task", "title": "t", "owner": "me"}, "owner"),
        ("create_work_item", {"item_type": "task", "title": "t", "commit_hash": "XYZ"}, "commit_hash"),
        (
            "create_work_item",
            {"item_type": "task", "title": "t", "metadata": {"estimated_hours": 5000}},
            "metadata.estimated_hours",
        ),
        ("create_work_item", {"item_type": "task", "title": "t", "metadata": {"bogus": 1}}, "metadata.bogus"),
        ("update_work_item", {"id": "nope", "version": 1}, "id"),
        ("update_work_item", {"id": MISSING, "version": "1"}, "version"),
        ("update_work_item", {"id": MISSING, "version": 0}, "version"),
        ("query_work_item", {}, "id"),
        ("list_work_items", {"limit": 501}, "limit"),
        ("list_work_items", {"offset": -1}, "offset"),
        (
            "add_dependency",
            {"work_item_id": MISSING, "depends_on_id": MISSING, "dependency_type": "relates"},
            "dependency_type",
        ),
        ("list_changes", {"since_seq": -5}, "since_seq"),
    ],
)
async def test_bad_arguments_give_a_validation_error_body(
    app: App, tool: str, arguments: dict[str, Any], field: str
) -> None:
    async with mcp_client(app) as client:
        body = await call(client, tool, **arguments)
    assert body["error"] == "ValidationError"
    assert field in [e["field"] for e in body["details"]["errors"]]
    assert "Error executing tool" not in body["message"]


async def test_unknown_ids_give_not_found(app: App) -> None:
    async with mcp_client(app) as client:
        body = await call(client, "query_work_item", id=MISSING)
        removed = await call(client, "remove_dependency", work_item_id=MISSING, depends_on_id=MISSING)
    assert body["error"] == "NotFoundError"
    assert body["details"] == {"entity": "work_item", "id": MISSING}
    assert removed["error"] == "NotFoundError"


async def test_depth_and_cycles_are_validation_errors(app: App) -> None:
    async with mcp_client(app) as client:
        parent = None
        for level in range(6):
            args = {"item_type": "task", "title": f"L{level}"} | ({"parent_id": parent} if parent else {})
            parent = (await call(client, "create_work_item", **args))["id"]
        too_deep = await call(client, "create_work_item", item_type="task", title="L6", parent_id=parent)
        a = (await call(client, "create_work_item", item_type="task", title="A"))["id"]
        b = (await call(client, "create_work_item", item_type="task", title="B"))["id"]
        await call(client, "add_dependency", work_item_id=a, depends_on_id=b, dependency_type="depends_on")
        cycle = await call(client, "add_dependency", work_item_id=b, depends_on_id=a, dependency_type="depends_on")
    assert too_deep["error"] == cycle["error"] == "ValidationError"


async def test_a_claim_token_that_no_claim_issued_is_refused_as_expired(app: App) -> None:
    async with mcp_client(app) as client:
        item = await call(client, "create_work_item", item_type="task", title="t")
        body = await call(client, "update_work_item", id=item["id"], version=1, title="x", claim_token="forged")
    assert body["error"] == "LeaseExpiredError" and body["details"] == {"holder": None}


async def test_claim_tools_as_two_agents_see_them(app: App) -> None:
    async with mcp_client(app, "agent-a") as a, mcp_client(app, "agent-b") as b:
        item = await call(a, "create_work_item", item_type="task", title="t")
        ready = await call(b, "list_ready_work")
        claimed = await call(a, "claim_work_item", lease_seconds=120)
        busy = await call(b, "claim_work_item", id=item["id"])
        blocked_write = await call(b, "update_work_item", id=item["id"], version=1, title="mine")
        nothing = await call(b, "claim_work_item")
        renewed = await call(a, "renew_claim", id=item["id"], claim_token=claimed["claim_token"])
        written = await call(
            a, "update_work_item", id=item["id"], version=1, title="done", claim_token=claimed["claim_token"]
        )
        released = await call(a, "release_claim", id=item["id"], claim_token=claimed["claim_token"])
        stale = await call(a, "renew_claim", id=item["id"], claim_token=claimed["claim_token"])
    assert [i["id"] for i in ready["items"]] == [item["id"]]
    assert claimed["claimed"] is True and claimed["id"] == item["id"] and claimed["holder"] == "agent-a"
    assert {"claim_token", "expires_at", "title", "version", "data_source", "warnings"} <= set(claimed)
    assert busy["error"] == blocked_write["error"] == "ClaimConflictError"
    assert busy["details"] == {"holder": "agent-a", "expires_at": claimed["expires_at"]}
    assert nothing == {"success": True, "claimed": False, "data_source": "database", "warnings": []}
    assert renewed["expires_at"] >= claimed["expires_at"]
    assert written["version"] == 2 and written["title"] == "done"
    assert released["released"] is True
    assert stale["error"] == "LeaseExpiredError" and stale["details"] == {"holder": None}


async def test_bad_claim_arguments_are_validation_errors(app: App) -> None:
    async with mcp_client(app) as client:
        for arguments in ({"lease_seconds": 0}, {"id": "nope"}, {"lease_seconds": "900"}, {"item_type": "chore"}):
            body = await call(client, "claim_work_item", **arguments)
            assert body["error"] == "ValidationError", arguments
        body = await call(client, "renew_claim", id=MISSING)
    assert body["details"]["field"] == "claim_token"


async def test_batch_update_applies_all_or_nothing_and_names_the_refused_entry(app: App) -> None:
    async with mcp_client(app) as client:
        one = await call(client, "create_work_item", item_type="task", title="one")
        two = await call(client, "create_work_item", item_type="task", title="two")
        refused = await call(
            client,
            "update_work_items",
            items=[{"id": one["id"], "version": 1, "title": "1"}, {"id": two["id"], "version": 7, "title": "2"}],
        )
        after_refusal = await call(client, "query_work_item", id=one["id"])
        bad = await call(client, "update_work_items", items=[{"id": one["id"], "version": 1, "status": "nope"}])
        repeated = await call(
            client, "update_work_items", items=[{"id": one["id"], "version": 1}, {"id": one["id"], "version": 1}]
        )
        applied = await call(
            client,
            "update_work_items",
            items=[{"id": two["id"], "version": 1, "title": "2"}, {"id": one["id"], "version": 1, "title": "1"}],
        )
    assert refused["error"] == "VersionConflictError" and refused["details"]["index"] == 1
    assert refused["details"]["expected_version"] == 7 and refused["details"]["actual_version"] == 1
    assert after_refusal["version"] == 1 and after_refusal["title"] == "one"
    assert bad["error"] == "ValidationError" and bad["details"]["field"].startswith("items.0.status")
    assert repeated["error"] == "ValidationError" and repeated["details"]["field"] == "items.1.id"
    assert [(i["title"], i["version"]) for i in applied["items"]] == [("2", 2), ("1", 2)]


async def test_full_round_of_tools(app: App) -> None:
    async with mcp_client(app, "codex") as client:
        project = await call(
            client, "create_work_item", item_type="project", title="P", metadata={"target_quarter": "2026-Q1"}
        )
        task = await call(client, "create_work_item", item_type="task", title="T", parent_id=project["id"])
        other = await call(client, "create_work_item", item_type="task", title="U", parent_id=project["id"])
        dep = await call(
            client, "add_dependency", work_item_id=task["id"], depends_on_id=other["id"], dependency_type="depends_on"
        )
        tree = await call(client, "query_work_item", id=project["id"], include_children=True)
        listed = await call(client, "list_work_items", parent_id=project["id"], limit=1)
        removed = await call(client, "remove_dependency", work_item_id=task["id"], depends_on_id=other["id"])
        deleted = await call(client, "delete_work_item", id=other["id"], version=1)
        changes = await call(client, "list_changes", since_seq=0)
    assert dep["dependency_type"] == "depends_on" and dep["created_by"] == "codex"
    assert {c["title"] for c in tree["children"]} == {"T", "U"}
    assert listed["total_count"] == 2 and len(listed["items"]) == 1
    assert removed["removed"] is True
    assert deleted["deleted_at"] is not None and deleted["version"] == 2
    assert [c["op"] for c in changes["changes"]] == ["create", "create", "create", "create", "delete", "delete"]
    assert changes["last_seq"] == changes["changes"][-1]["seq"]


async def test_unknown_tool_is_a_protocol_error(app: App) -> None:
    async with mcp_client(app) as client:
        with pytest.raises(MCPError):
            await client.call_tool("drop_everything", {})
