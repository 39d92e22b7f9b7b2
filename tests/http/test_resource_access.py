"""Resources, subscriptions and prompts over HTTP with tokens: the viewer role is enough, the
agent's identity is the caller's, and a subscriber hears of another agent's write."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
import mcp_types as types
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from statusboard.domain.work_items import NewWorkItem
from statusboard.wiring import App
from tests.http.conftest import CALL_TIMEOUT_S, Serve, post_mcp, register
from tests.support.notifications import Updates, next_updates

pytestmark = [pytest.mark.anyio, pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")]
CHANGES = "statusboard://changes"


@asynccontextmanager
async def client_with(base_url: str, token: str, mode: Any, updates: Updates | None = None) -> AsyncIterator[Client]:
    timeout = httpx2.Timeout(CALL_TIMEOUT_S, read=CALL_TIMEOUT_S)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx2.AsyncClient(headers=headers, timeout=timeout) as http:
        transport = streamable_http_client(f"{base_url}/mcp", http_client=http)
        async with Client(transport, mode=mode, message_handler=updates, read_timeout_seconds=CALL_TIMEOUT_S) as client:
            yield client


def create(app: App, title: str) -> dict[str, Any]:
    return dict(app.work_items.create("planner", NewWorkItem(item_type="task", title=title)))


async def test_a_viewer_reads_the_resources_and_renders_its_own_handoff(http_app: App, serve: Serve) -> None:
    item = create(http_app, "visible")
    url = serve(http_app, tokens=True)
    async with client_with(url, register(http_app, "watcher", "viewer"), "auto") as client:
        listed = {resource.uri for resource in (await client.list_resources()).resources}
        (contents,) = (await client.read_resource(f"statusboard://work-items/{item['id']}")).contents
        handoff = (await client.get_prompt("handoff", {})).messages[0].content
    assert CHANGES in listed
    assert isinstance(contents, types.TextResourceContents) and json.loads(contents.text)["title"] == "visible"
    assert isinstance(handoff, types.TextContent) and handoff.text.startswith("Handoff from watcher")


def test_without_a_token_a_resource_read_is_answered_401(http_app: App, serve: Serve) -> None:
    url = serve(http_app, tokens=True)
    read = {"jsonrpc": "2.0", "id": 2, "method": "resources/read", "params": {"uri": CHANGES}}
    assert post_mcp(url, None, read).status_code == 401


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_a_viewer_subscribed_over_http_hears_of_an_agents_write(http_app: App, serve: Serve, mode: str) -> None:
    url = serve(http_app, tokens=True)
    updates = Updates()
    watching, working = register(http_app, "watcher", "viewer"), register(http_app, "worker", "agent")
    async with client_with(url, watching, mode, updates) as watcher, client_with(url, working, "auto") as worker:
        if mode == "legacy":
            await watcher.subscribe_resource(CHANGES)
            assert not (await worker.call_tool("create_work_item", {"item_type": "task", "title": "new"})).is_error
            await updates.wait_for(CHANGES)
        else:
            async with watcher.listen(resource_subscriptions=[CHANGES]) as stream:
                created = await worker.call_tool("create_work_item", {"item_type": "task", "title": "new"})
                assert not created.is_error
                assert await next_updates(stream, {CHANGES}) == [CHANGES]
