"""Signing in to the board: `/login` exchanges an agent's token, once, for a session cookie.

The cookie names a server-side session (services/agents.py: a random key and secret, only
its digest stored, shared by every server on the database); it is never the token. It is
HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), Secure when the
request came over HTTPS, and ends after 12 hours, at `/logout`, or when its agent is revoked.
The form's POST is checked for Host and Origin like every board request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import cache
from typing import Any
from urllib.parse import parse_qs

import anyio
from jinja2 import Environment
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from statusboard.interfaces.web.render import environment
from statusboard.services.agents import SESSION_LIFETIME, AgentService

SESSION_COOKIE = "statusboard_session"
FORM_MAX_BYTES = 4096
OriginCheck = Callable[[Request], Awaitable[Response | None]]


@cache
def _templates() -> Environment:
    return environment()


def sign_in_page(
    request: Request, *, status_code: int = 200, failed: bool = False, target: str | None = None, **options: Any
) -> Response:
    """The sign-in form; after signing in, the browser goes to `target` (by default, the page asked for)."""
    if target is None:
        here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        target = request.query_params.get("next") or here
    html = _templates().get_template("login.html").render(next=_local_path(target), failed=failed)
    return HTMLResponse(html, status_code=status_code, **options)


def login_routes(agents: AgentService | None, checked_origin: OriginCheck) -> list[Route]:
    """/login and /logout; without tokens (`agents` None) there is no one to sign in as."""

    async def show(request: Request) -> Response:
        refusal = await checked_origin(request)
        if refusal is not None:
            return refusal
        if agents is None:
            return RedirectResponse("/", status_code=303)
        return sign_in_page(request, headers={"cache-control": "no-store"})

    async def sign_in(request: Request) -> Response:
        refusal = await checked_origin(request)
        if refusal is not None:
            return refusal
        if agents is None:
            return RedirectResponse("/", status_code=303)
        form = await _form(request)
        token, target = form.get("token", ""), _local_path(form.get("next", "/"))
        cookie = await anyio.to_thread.run_sync(agents.open_session, token) if token else None
        if cookie is None:
            return sign_in_page(
                request, status_code=401, failed=True, target=target, headers={"cache-control": "no-store"}
            )
        response = RedirectResponse(target, status_code=303)
        response.set_cookie(
            SESSION_COOKIE,
            cookie,
            max_age=int(SESSION_LIFETIME.total_seconds()),
            httponly=True,
            samesite="strict",
            secure=request.url.scheme == "https",
        )
        return response

    async def sign_out(request: Request) -> Response:
        refusal = await checked_origin(request)
        if refusal is not None:
            return refusal
        cookie = request.cookies.get(SESSION_COOKIE)
        if agents is not None and cookie:
            await anyio.to_thread.run_sync(agents.close_session, cookie)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict")
        return response

    return [
        Route("/login", show, methods=["GET"]),
        Route("/login", sign_in, methods=["POST"]),
        Route("/logout", sign_out, methods=["POST"]),
    ]


async def _form(request: Request) -> dict[str, str]:
    """The sign-in form's fields (url-encoded, small); an oversized or other body gives none."""
    if not request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        return {}
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_MAX_BYTES:
            return {}
    fields = parse_qs(body.decode("utf-8", errors="replace"), max_num_fields=8)
    return {key: values[0] for key, values in fields.items() if values}


def _local_path(target: str) -> str:
    """Where to go after signing in: a path on this server only (never `//elsewhere` or a URL)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target or target.startswith("/login"):
        return "/"
    return target
