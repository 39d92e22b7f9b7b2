"""Who may view the board: one decision, made for every board request before anything is read.

First the Host and Origin (DNS rebinding: a page elsewhere must not read the board through a
name that resolves here), with the same settings as /mcp. Then, where tokens are on, who is
looking: an agent proved by the `Authorization: Bearer` header (the SDK's token verifier has
already checked it), or by the session cookie that `/login` gave a browser for a token. Every
role may view. A request that proves no one is refused (401): pages with the sign-in form, the
event stream and fragments with a bare 401. Without tokens (a loopback server) the board is
open to its local user.
"""

from __future__ import annotations

from dataclasses import dataclass

import anyio
from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from statusboard.domain.agents import SESSION_KIND, Identity
from statusboard.interfaces.http.tokens import has_authorization_header, header_identity
from statusboard.interfaces.web.login import SESSION_COOKIE, sign_in_page
from statusboard.services.agents import AgentService


@dataclass(frozen=True)
class Viewer:
    """Who is looking; `name` is None for the anonymous viewer of a server without identities."""

    name: str | None = None


ANONYMOUS = Viewer()


class ViewAccess:
    def __init__(
        self,
        transport_security: TransportSecuritySettings | None,
        agents: AgentService | None = None,
    ) -> None:
        """`agents` given: tokens are on, and a viewer must prove who it is."""
        self._transport = TransportSecurityMiddleware(transport_security)
        self._agents = agents

    @property
    def tokens(self) -> bool:
        return self._agents is not None

    async def checked_origin(self, request: Request) -> Response | None:
        """The refusal of a request from a Host or Origin this server does not answer, else None."""
        return await self._transport.validate_request(request, is_post=False)

    async def viewer(self, request: Request) -> Viewer | Response:
        """The viewer making this request, or the response that refuses it."""
        refusal = await self.checked_origin(request)
        if refusal is not None:
            return refusal
        if self._agents is None:
            return ANONYMOUS
        identity = await self.identity(request)
        if identity is None:
            return refused(request)
        return Viewer(identity.name)

    async def identity(self, request: Request) -> Identity | None:
        """The agent this request proves, by its header, else by its session cookie."""
        if self._agents is None:
            return None
        if has_authorization_header(request):  # a header that proves nothing is not made good by a cookie
            return header_identity(request)
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie is None:
            return None
        known, identity = self._agents.remembered(cookie, SESSION_KIND)
        if not known:
            identity = await anyio.to_thread.run_sync(self._agents.identify_session, cookie)
        return identity


def refused(request: Request) -> Response:
    """401 for a viewer that proved no one: a page offers the sign-in form, anything else is bare."""
    headers = {"www-authenticate": 'Bearer realm="statusboard"', "cache-control": "no-store"}
    if request.query_params.get("fragment") != "1" and "text/html" in request.headers.get("accept", ""):
        return sign_in_page(request, status_code=401, headers=headers)
    return PlainTextResponse("a token, or signing in at /login, is needed to view this board", 401, headers=headers)
