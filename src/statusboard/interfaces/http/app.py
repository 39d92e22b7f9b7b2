"""`statusboard serve`: MCP over streamable HTTP at /mcp, plus /health."""

from __future__ import annotations

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from statusboard import __version__
from statusboard.interfaces.mcp.server import build_server
from statusboard.wiring import App


def build_http_app(app: App, host: str = "127.0.0.1") -> Starlette:
    async def health(_request: Request) -> JSONResponse:
        try:
            with app.db.reading() as conn:
                conn.execute(text("SELECT 1"))
            primary = "up"
        except Exception:
            primary = "down"
        status = 200 if primary == "up" else 503
        body = {"status": "ok" if primary == "up" else "degraded", "primary": primary, "version": __version__}
        return JSONResponse(body, status_code=status)

    server = build_server(app)
    return server.streamable_http_app(
        streamable_http_path="/mcp",
        host=host,
        custom_starlette_routes=[Route("/health", health, methods=["GET"])],
    )
