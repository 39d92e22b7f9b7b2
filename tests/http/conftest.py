"""The HTTP server in-process: `build_http_app` served by a real uvicorn on a free loopback port,
in a thread, with an app whose clock the test moves (so a revoke can be seen without waiting);
MCP clients over streamable HTTP that send an agent's token."""

from __future__ import annotations

import socket
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
import mcp_types as types
import pytest
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from starlette.applications import Starlette

from statusboard.config import Settings
from statusboard.interfaces.http.app import build_http_app
from statusboard.wiring import App, build_app
from tests.support.clock import ManualClock

START_TIMEOUT_S = 20.0
CALL_TIMEOUT_S = 30.0

Serve = Callable[..., str]


def register(app: App, name: str, role: str = "agent") -> str:
    """Registers an agent; gives its token."""
    return app.agents.add(name, role).token


@pytest.fixture
def http_app(database_url: str, clock: ManualClock) -> Iterator[App]:
    """An app whose clock moves only when the test says; STATUSBOARD_CLIENT_ID is set, to show
    that an HTTP server ignores it."""
    application = build_app(Settings(database_url=database_url, client_id="one-for-all"), clock=clock)
    yield application
    application.close()


@pytest.fixture
def serve() -> Iterator[Serve]:
    """Serves an ASGI app (by default `build_http_app(app, **options)`) with uvicorn on a free
    loopback port, in a thread; gives its base URL."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(app: App | None = None, *, asgi: Starlette | None = None, **options: Any) -> str:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        target = asgi if asgi is not None else build_http_app(app, **options)  # type: ignore[arg-type]
        server = uvicorn.Server(uvicorn.Config(target, log_level="warning", timeout_graceful_shutdown=1))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        servers.append((server, thread))
        started = threading.Event()
        for _ in range(int(START_TIMEOUT_S / 0.05)):
            if server.started:
                break
            started.wait(0.05)
        assert server.started, "uvicorn did not start"
        return f"http://127.0.0.1:{sock.getsockname()[1]}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=START_TIMEOUT_S)


@asynccontextmanager
async def mcp_over_http(
    base_url: str, token: str | None = None, *, name: str = "declared-name", mode: Any = "auto"
) -> AsyncIterator[Client]:
    """An SDK client of `base_url`/mcp that declares `name` and sends `token` as a bearer token."""
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    timeout = httpx2.Timeout(CALL_TIMEOUT_S, read=CALL_TIMEOUT_S)
    async with httpx2.AsyncClient(headers=headers, timeout=timeout, follow_redirects=True) as http:
        transport = streamable_http_client(f"{base_url}/mcp", http_client=http)
        info = types.Implementation(name=name, version="1")
        async with Client(transport, client_info=info, mode=mode, read_timeout_seconds=CALL_TIMEOUT_S) as client:
            yield client


async def call(client: Client, tool: str, arguments: dict[str, Any] | None = None) -> tuple[str, dict[str, Any]]:
    """(outcome, body): outcome is "ok" or the error code of the body."""
    result = await client.call_tool(tool, arguments or {})
    body = result.structured_content
    assert isinstance(body, dict), result.content
    return ("ok" if not result.is_error else str(body["error"])), body


INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}},
}


def post_mcp(
    base_url: str, token: str | None = None, message: dict[str, Any] | None = None, **headers: str
) -> httpx2.Response:
    """One bare POST to /mcp (by default `initialize`), for what the server answers at the HTTP level."""
    sent = {"content-type": "application/json", "accept": "application/json, text/event-stream", **headers}
    if token is not None:
        sent["authorization"] = f"Bearer {token}"
    return httpx2.post(f"{base_url}/mcp", json=message or INITIALIZE, headers=sent, timeout=CALL_TIMEOUT_S)
