"""`statusboard serve`: MCP over streamable HTTP at /mcp, plus /health."""

from __future__ import annotations

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from statusboard import __version__
from statusboard.interfaces.mcp.server import build_server
from statusboard.wiring import App


def build_http_app(app: App, host: str = "127.0.0.1") -> Starlette:
    async def health(_request: Request) -> JSONResponse:
        # 200 while degraded too: the server still answers, from its fallback layers.
        body = await anyio.to_thread.run_sync(app.resilience.health)
        return JSONResponse({**body, "version": __version__})

    server = build_server(app)
    return server.streamable_http_app(
        streamable_http_path="/mcp",
        host=host,
        custom_starlette_routes=[Route("/health", health, methods=["GET"])],
    )
