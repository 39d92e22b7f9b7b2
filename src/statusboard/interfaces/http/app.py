"""`statusboard serve`: MCP over streamable HTTP at /mcp, /health, and the board (/, /items, /events, /login).

Who may do what (docs/security.md): with tokens, the SDK's token verifier proves the agent of
every request and /mcp answers 401 without one; the agent's role decides which tools it may call
(interfaces/mcp/server.py). Without tokens, a loopback server only: every caller is an agent
named by its client. Every route checks Host and Origin.
"""

from __future__ import annotations

from collections.abc import Sequence

import anyio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from statusboard import __version__
from statusboard.domain.agents import Role
from statusboard.domain.errors import DatabaseUnavailableError
from statusboard.interfaces.http.hosts import is_loopback, transport_security
from statusboard.interfaces.http.tokens import AUTH_SETTINGS, AgentTokens, header_identity
from statusboard.interfaces.mcp.callers import HttpCallers
from statusboard.interfaces.mcp.server import build_server
from statusboard.interfaces.web.access import ViewAccess
from statusboard.interfaces.web.login import login_routes
from statusboard.interfaces.web.routes import board_routes
from statusboard.wiring import App

__all__ = ["ServeRefused", "build_http_app", "tokens_required", "transport_security"]

AUTH_MODES = ("none", "tokens")


class ServeRefused(Exception):
    """`serve` would be open to more than the local user: it does not start."""


def tokens_required(app: App, host: str, auth: str | None, allowed_hosts: Sequence[str] = ()) -> bool:
    """Whether `serve` checks tokens: `--auth` if given, else as soon as one agent is registered.
    Without tokens only a loopback bind is allowed, answering loopback names only (a name given
    with --allowed-host means it is reached from elsewhere, through a proxy say)."""
    if auth is None:
        try:
            tokens = app.agents.count_live() > 0
        except DatabaseUnavailableError:
            tokens = True  # the registry cannot be read: assume it is not empty, never open up
    else:
        tokens = auth == "tokens"
    if tokens:
        return True
    reason = "with --auth none" if auth == "none" else "while no agent is registered"
    if not is_loopback(host):
        raise ServeRefused(
            f"refusing to serve on {host} {reason}: anyone who reaches it could act; register an agent "
            "(statusboard agent add NAME) to require tokens, or bind a loopback address"
        )
    foreign = [name for name in allowed_hosts if not is_loopback(_host_part(name))]
    if foreign:
        raise ServeRefused(
            f"refusing to answer {foreign[0]} {reason}: whoever reaches it through that name could act; "
            "register an agent (statusboard agent add NAME) to require tokens"
        )
    return False


def _host_part(name: str) -> str:
    """`name` without its port (`[::1]:8765` is `::1`)."""
    if name.startswith("["):
        return name[1 : name.index("]")] if "]" in name else name
    return name.rsplit(":", 1)[0] if name.count(":") == 1 else name


def build_http_app(
    app: App,
    host: str = "127.0.0.1",
    *,
    tokens: bool = False,
    allowed_hosts: Sequence[str] = (),
    log_calls: bool = False,
) -> Starlette:
    security = transport_security(host, allowed_hosts)
    access = ViewAccess(security, app.agents if tokens else None)

    async def health(request: Request) -> Response:
        refusal = await access.checked_origin(request)
        if refusal is not None:
            return refusal
        # 200 while degraded too: the server still answers, from its fallback layers.
        body = await anyio.to_thread.run_sync(app.resilience.health)
        identity = header_identity(request)
        if identity is None or identity.role is not Role.ADMIN:
            return JSONResponse({"status": body["status"]}, headers={"cache-control": "no-store"})
        return JSONResponse({**body, "version": __version__}, headers={"cache-control": "no-store"})

    server = build_server(app, callers=HttpCallers(tokens=tokens), log_calls=log_calls)
    routes = [
        Route("/health", health, methods=["GET"]),
        *login_routes(app.agents if tokens else None, access.checked_origin),
        *board_routes(app, access),
    ]
    return server.streamable_http_app(
        streamable_http_path="/mcp",
        host=host,
        transport_security=security,
        auth=AUTH_SETTINGS if tokens else None,
        token_verifier=AgentTokens(app.agents) if tokens else None,
        custom_starlette_routes=routes,
    )
