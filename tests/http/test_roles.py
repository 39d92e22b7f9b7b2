"""Roles over HTTP: `viewer` reads, `agent` also writes and claims, `admin` also archives, migrates
and lists sync conflicts. A refused call is a PermissionDeniedError tool error (details: role,
tool) and writes nothing. Over stdio the local user may call everything."""

from __future__ import annotations

from typing import Any

import pytest

from statusboard.config import Settings
from statusboard.domain.agents import Role
from statusboard.interfaces.mcp.tools import TOOLS
from statusboard.resilience.policy import Journaled, Local, PrimaryOnly, Read
from statusboard.wiring import App, build_app
from tests.conftest import mcp_client
from tests.http.conftest import Serve, call, mcp_over_http, register

ADMIN_TOOLS = {"trigger_archiving", "migrate_from_markdown", "list_sync_conflicts"}
READS = [("list_work_items", {}), ("list_ready_work", {}), ("generate_full_status", {}), ("get_health", {})]
WRITES = [("create_work_item", {"item_type": "task", "title": "written"}), ("claim_work_item", {})]
ADMIN = [("trigger_archiving", {}), ("list_sync_conflicts", {}), ("migrate_from_markdown", {"path": "missing.md"})]
REFUSED = "PermissionDeniedError"


def test_every_tool_names_the_least_role_that_may_call_it() -> None:
    roles = {spec.name: spec.role for spec in TOOLS}
    assert {name for name, role in roles.items() if role is Role.ADMIN} == ADMIN_TOOLS
    for spec in TOOLS:
        if spec.name in ADMIN_TOOLS:
            continue
        if isinstance(spec.policy, Journaled | PrimaryOnly):
            assert spec.role is Role.AGENT, spec.name  # writes and claims
        else:
            assert isinstance(spec.policy, Read | Local) and spec.role is Role.VIEWER, spec.name


async def _outcomes(url: str, token: str | None, calls: list[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    async with mcp_over_http(url, token) as client:
        return {tool: await call(client, tool, arguments) for tool, arguments in calls}


@pytest.mark.anyio
async def test_a_viewer_reads_and_may_not_write_claim_or_administer(http_app: App, serve: Serve) -> None:
    url = serve(http_app, tokens=True)
    outcomes = await _outcomes(url, register(http_app, "watcher", "viewer"), READS + WRITES + ADMIN)
    for tool, _ in READS:
        assert outcomes[tool][0] == "ok", outcomes[tool]
    for tool, _ in WRITES + ADMIN:
        outcome, body = outcomes[tool]
        assert outcome == REFUSED and body["details"] == {"role": "viewer", "tool": tool}
    assert http_app.changes.list_changes(0, 10)["changes"] == []  # a refused call writes nothing


@pytest.mark.anyio
async def test_a_viewer_may_not_have_the_status_file_written(http_app: App, serve: Serve) -> None:
    url = serve(http_app, tokens=True)
    calls = [("generate_full_status", {"output_format": "markdown", "write_file": True})]
    ((outcome, body),) = (await _outcomes(url, register(http_app, "watcher", "viewer"), calls)).values()
    assert outcome == REFUSED and body["details"] == {"role": "viewer", "tool": "generate_full_status"}
    calls = [("generate_full_status", {"output_format": "markdown", "write_file": True})]
    ((outcome, body),) = (await _outcomes(url, register(http_app, "writer", "agent"), calls)).values()
    assert outcome == "ok" and body["written_to"]


@pytest.mark.anyio
async def test_an_agent_writes_and_claims_and_may_not_administer(http_app: App, serve: Serve) -> None:
    url = serve(http_app, tokens=True)
    outcomes = await _outcomes(url, register(http_app, "worker", "agent"), READS + WRITES + ADMIN)
    for tool, _ in READS + WRITES:
        assert outcomes[tool][0] == "ok", outcomes[tool]
    assert outcomes["claim_work_item"][1]["holder"] == "worker"
    for tool, _ in ADMIN:
        outcome, body = outcomes[tool]
        assert outcome == REFUSED and body["details"] == {"role": "agent", "tool": tool}


@pytest.mark.anyio
async def test_an_admin_may_call_every_tool(http_app: App, serve: Serve) -> None:
    url = serve(http_app, tokens=True)
    outcomes = await _outcomes(url, register(http_app, "boss", "admin"), READS + WRITES + ADMIN)
    assert {tool: outcome for tool, (outcome, _) in outcomes.items() if outcome == REFUSED} == {}
    assert outcomes["trigger_archiving"][0] == "ok" and outcomes["list_sync_conflicts"][0] == "ok"


@pytest.mark.anyio
async def test_a_permission_refusal_comes_before_the_arguments_are_read(http_app: App, serve: Serve) -> None:
    url = serve(http_app, tokens=True)
    calls = [("create_work_item", {"bogus": 1})]
    ((outcome, _),) = (await _outcomes(url, register(http_app, "watcher", "viewer"), calls)).values()
    assert outcome == REFUSED


@pytest.mark.anyio
async def test_without_tokens_every_http_caller_is_an_agent_named_by_its_client(http_app: App, serve: Serve) -> None:
    url = serve(http_app, tokens=False)
    async with mcp_over_http(url, name="copilot") as client:
        outcome, item = await call(client, "create_work_item", {"item_type": "task", "title": "anonymous"})
        refused, body = await call(client, "trigger_archiving")
    # STATUSBOARD_CLIENT_ID (set on this app) does not make every HTTP caller one actor.
    assert (outcome, item["created_by"]) == ("ok", "copilot")
    assert refused == REFUSED and body["details"] == {"role": "agent", "tool": "trigger_archiving"}


@pytest.mark.anyio
async def test_over_stdio_the_local_user_may_call_every_tool(database_url: str) -> None:
    app = build_app(Settings(database_url=database_url, client_id="local-user"))
    try:
        async with mcp_client(app, "declared") as client:
            outcomes = {tool: await call(client, tool, arguments) for tool, arguments in READS + WRITES + ADMIN}
    finally:
        app.close()
    assert {tool: outcome for tool, (outcome, _) in outcomes.items() if outcome == REFUSED} == {}
    assert outcomes["create_work_item"][1]["created_by"] == "local-user"
