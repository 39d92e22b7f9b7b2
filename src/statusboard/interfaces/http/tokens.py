"""Bearer tokens, checked by the SDK's own token-verifier hook.

`streamable_http_app(auth=..., token_verifier=...)` installs the SDK's authentication
middleware (every request's `Authorization: Bearer` is handed to `verify_token`) and wraps
/mcp so that a request without a verified token is answered 401 before any tool runs. The
verified agent travels in the AccessToken: its name as the client id (the SDK binds each MCP
session to it), its role as a claim. `AuthSettings` wants an issuer URL even without OAuth;
it only feeds metadata that this server does not publish (no resource server URL).
"""

from __future__ import annotations

import anyio
from mcp.server.auth.middleware.bearer_auth import AuthenticatedUser
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from starlette.requests import HTTPConnection

from statusboard.domain.agents import Identity, Role
from statusboard.interfaces.mcp.callers import ROLE_CLAIM
from statusboard.services.agents import AgentService

AUTH_SETTINGS = AuthSettings(issuer_url="http://127.0.0.1/", resource_server_url=None)


class AgentTokens:
    """The token verifier: an agent's token proves the agent, while it is not revoked."""

    def __init__(self, agents: AgentService) -> None:
        self._agents = agents

    async def verify_token(self, token: str) -> AccessToken | None:
        known, identity = self._agents.remembered(token)
        if not known:  # the database is asked off the event loop
            identity = await anyio.to_thread.run_sync(self._agents.identify, token)
        if identity is None:
            return None
        return AccessToken(
            token=token,
            client_id=identity.name,
            subject=identity.name,
            scopes=[],
            claims={ROLE_CLAIM: identity.role.value},
        )


def header_identity(connection: HTTPConnection) -> Identity | None:
    """The agent the request's Authorization header proved (the SDK's middleware verified it)."""
    user = connection.scope.get("user")
    if not isinstance(user, AuthenticatedUser) or not user.access_token.claims:
        return None
    return Identity(user.username, Role(user.access_token.claims[ROLE_CLAIM]))


def has_authorization_header(connection: HTTPConnection) -> bool:
    return "authorization" in connection.headers
