"""Resource subscriptions across processes: a subscriber's server hears of a write committed by
another process (a separate `statusboard mcp`) through the change log, on both protocol
generations and both backends, over stdio and over HTTP (`statusboard serve`)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import mcp_types as types
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

from tests.http.processes import command_env, serve
from tests.support.notifications import Updates, next_updates

pytestmark = [
    pytest.mark.slow,
    pytest.mark.anyio,
    pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning"),
]
CALL_TIMEOUT_S = 30
MODERN, LEGACY = "auto", "legacy"
CHANGES = "statusboard://changes"


def project_env(database_url: str, home: Path) -> dict[str, str]:
    """A server's settings: the shared database, and its own cache and status file."""
    home.mkdir(exist_ok=True)
    files = {"STATUSBOARD_CACHE_PATH": str(home / "cache.db"), "STATUSBOARD_MARKDOWN_PATH": str(home / "status.md")}
    return command_env(database_url, STATUSBOARD_GIT_REPO=str(home), **files)


@asynccontextmanager
async def stdio_process(
    database_url: str, home: Path, name: str, mode: Any = MODERN, updates: Updates | None = None
) -> AsyncIterator[Client]:
    """A client of its own `statusboard mcp` process."""
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "statusboard", "mcp"], env=project_env(database_url, home), cwd=str(home)
    )
    info = types.Implementation(name=name, version="1")
    async with Client(
        params, mode=mode, client_info=info, message_handler=updates, read_timeout_seconds=CALL_TIMEOUT_S
    ) as client:
        yield client


async def tool(client: Client, tool_name: str, **arguments: Any) -> dict[str, Any]:
    result = await client.call_tool(tool_name, arguments)
    body = result.structured_content
    assert isinstance(body, dict) and body["success"], result.content
    return body


@asynccontextmanager
async def http_client(base_url: str, mode: Any, updates: Updates) -> AsyncIterator[Client]:
    """A client of `base_url`/mcp (no tokens) whose notifications land in `updates`."""
    timeout = httpx2.Timeout(CALL_TIMEOUT_S, read=CALL_TIMEOUT_S)
    async with httpx2.AsyncClient(timeout=timeout) as http:
        transport = streamable_http_client(f"{base_url}/mcp", http_client=http)
        info = types.Implementation(name="reader", version="1")
        async with Client(
            transport, mode=mode, client_info=info, message_handler=updates, read_timeout_seconds=CALL_TIMEOUT_S
        ) as client:
            yield client


def item_uri(item_id: str) -> str:
    return f"statusboard://work-items/{item_id}"


async def test_a_write_in_another_process_reaches_a_listening_subscriber(database_url: str, tmp_path: Path) -> None:
    async with (
        stdio_process(database_url, tmp_path / "writer", "writer") as writer,
        stdio_process(database_url, tmp_path / "reader", "reader") as reader,
    ):
        assert reader.protocol_version == "2026-07-28"
        item = await tool(writer, "create_work_item", item_type="task", title="shared")
        async with reader.listen(resource_subscriptions=[item_uri(item["id"]), CHANGES]) as stream:
            await tool(writer, "update_work_item", id=item["id"], version=1, title="renamed by the writer")
            assert await next_updates(stream, {item_uri(item["id"]), CHANGES}) == [item_uri(item["id"]), CHANGES]
            read = await reader.read_resource(item_uri(item["id"]))
    (contents,) = read.contents
    assert isinstance(contents, types.TextResourceContents) and "renamed by the writer" in contents.text


async def test_a_write_in_another_process_reaches_an_older_protocol_subscriber(
    database_url: str, tmp_path: Path
) -> None:
    updates = Updates()
    async with (
        stdio_process(database_url, tmp_path / "writer", "writer") as writer,
        stdio_process(database_url, tmp_path / "reader", "reader", LEGACY, updates) as reader,
    ):
        assert reader.protocol_version == "2025-11-25"
        item = await tool(writer, "create_work_item", item_type="task", title="shared")
        await reader.subscribe_resource(item_uri(item["id"]))
        claim = await tool(writer, "claim_work_item", id=item["id"])
        await updates.wait_for(item_uri(item["id"]))
        await reader.unsubscribe_resource(item_uri(item["id"]))
        await reader.subscribe_resource(CHANGES)
        renamed = {"title": "after the unsubscribe", "claim_token": claim["claim_token"]}
        await tool(writer, "update_work_item", id=item["id"], version=1, **renamed)
        await updates.wait_for(CHANGES)
    assert updates.uris == [item_uri(item["id"]), CHANGES]


@pytest.mark.parametrize("mode", [MODERN, LEGACY])
async def test_a_write_in_another_process_reaches_the_subscribers_of_a_serve_process(
    database_url: str, tmp_path: Path, mode: str
) -> None:
    home = tmp_path / "server"
    updates = Updates()
    with serve("--auth", "none", env=project_env(database_url, home), cwd=home) as served:
        async with (
            stdio_process(database_url, tmp_path / "writer", "writer") as writer,
            http_client(served.url, mode, updates) as reader,
        ):
            if mode == LEGACY:
                await reader.subscribe_resource(CHANGES)
                await tool(writer, "create_vendor", name="vendor_a", metadata={})
                await updates.wait_for(CHANGES)
            else:
                async with reader.listen(resource_subscriptions=[CHANGES, "statusboard://status.json"]) as stream:
                    await tool(writer, "create_vendor", name="vendor_a", metadata={})
                    await next_updates(stream, {CHANGES, "statusboard://status.json"})
