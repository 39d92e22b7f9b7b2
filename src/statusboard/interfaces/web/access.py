"""Who may view the board: one decision, made for every board request before anything is read.

Today there are no identities (a loopback server without tokens is open to its local user), so
a request is refused only for its Host or Origin (DNS rebinding: a page elsewhere must not read
the board through a name that resolves here), with the same settings as /mcp. The identity work
decides here too: a token in the Authorization header or a session cookie becomes the Viewer,
and a request without one is refused where tokens are on.
"""

from __future__ import annotations

from dataclasses import dataclass

from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from starlette.requests import Request
from starlette.responses import Response


@dataclass(frozen=True)
class Viewer:
    """Who is looking; `name` is None for the anonymous viewer of a server without identities."""

    name: str | None = None


ANONYMOUS = Viewer()


class ViewAccess:
    def __init__(self, transport_security: TransportSecuritySettings | None) -> None:
        self._transport = TransportSecurityMiddleware(transport_security)

    async def viewer(self, request: Request) -> Viewer | Response:
        """The viewer making this request, or the response that refuses it."""
        refusal = await self._transport.validate_request(request, is_post=False)
        if refusal is not None:
            return refusal
        return ANONYMOUS
