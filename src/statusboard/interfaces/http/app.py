"""`statusboard serve`: MCP over streamable HTTP at /mcp, /health, and the board (/, /items, /events)."""

from __future__ import annotations

import anyio
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from statusboard import __version__
from statusboard.interfaces.mcp.server import build_server
from statusboard.interfaces.web.access import ViewAccess
from statusboard.interfaces.web.routes import board_routes
from statusboard.wiring import App

LOOPBACK = ("127.0.0.1", "localhost", "::1")


def transport_security(host: str) -> TransportSecuritySettings | None:
    """Host/Origin checks for a loopback bind (the SDK's own default there), shared by /mcp and the board."""
    if host not in LOOPBACK:
        return None
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=["127.0.0.1:*", "localhost:*", "[::1]:*"],
        allowed_origins=["http://127.0.0.1:*", "http://localhost:*", "http://[::1]:*"],
    )


def build_http_app(app: App, host: str = "127.0.0.1") -> Starlette:
    async def health(_request: Request) -> JSONResponse:
        # 200 while degraded too: the server still answers, from its fallback layers.
        body = await anyio.to_thread.run_sync(app.resilience.health)
        return JSONResponse({**body, "version": __version__})

    server = build_server(app)
    security = transport_security(host)
    return server.streamable_http_app(
        streamable_http_path="/mcp",
        host=host,
        transport_security=security,
        custom_starlette_routes=[Route("/health", health, methods=["GET"]), *board_routes(app, ViewAccess(security))],
    )
