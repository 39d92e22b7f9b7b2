"""Who is calling a tool: the actor recorded on its writes, and the role that decides what it may call.

- stdio (`statusboard mcp`): the local user who launched the server; every tool is allowed, and
  the actor is STATUSBOARD_CLIENT_ID, else the client's declared name.
- HTTP with tokens: the agent whose token the SDK's token verifier accepted (the declared name
  and STATUSBOARD_CLIENT_ID are ignored), with that agent's role.
- HTTP without tokens (loopback only): every caller is an agent named by its client.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.context import ServerRequestContext

from statusboard.domain.agents import Role

UNKNOWN_CLIENT = "unknown-client"
ROLE_CLAIM = "statusboard_role"


@dataclass(frozen=True)
class Caller:
    actor: str
    role: Role


class Callers(Protocol):
    def caller(self, ctx: ServerRequestContext[Any]) -> Caller | None:
        """The caller of this request; None for one that proved nothing (it may call nothing)."""
        ...


@dataclass(frozen=True)
class LocalUser:
    """stdio: the local user, allowed everything."""

    client_id: str | None = None

    def caller(self, ctx: ServerRequestContext[Any]) -> Caller:
        return Caller(self.client_id or client_name(ctx), Role.ADMIN)


@dataclass(frozen=True)
class HttpCallers:
    """`statusboard serve`: the verified agent where tokens are on, else an agent named by its client."""

    tokens: bool

    def caller(self, ctx: ServerRequestContext[Any]) -> Caller | None:
        if not self.tokens:
            return Caller(client_name(ctx), Role.AGENT)
        token = get_access_token()
        if token is None or not token.claims:  # the SDK answers 401 before a tool runs
            return None
        return Caller(token.client_id, Role(token.claims[ROLE_CLAIM]))


def client_name(ctx: ServerRequestContext[Any]) -> str:
    params = ctx.session.client_params
    if params is not None and params.client_info is not None and params.client_info.name:
        return params.client_info.name
    return UNKNOWN_CLIENT
