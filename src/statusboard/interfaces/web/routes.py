"""The board's routes: `/` (the board), `/items/{id}` (one item and its history), `/events` (the
change log as server-sent events) and `/static/...` (the stylesheet and script, from the package).

Each page can also be asked for as a fragment (`?fragment=1`: the part that changes), which is what
the page's script fetches when an event says something changed: every rule stays on the server.
Reads run off the event loop, so event streams keep flowing while a page is built.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from statusboard.domain.errors import NotFoundError, StatusboardError
from statusboard.interfaces.errors import as_statusboard_error
from statusboard.interfaces.web.access import ViewAccess, Viewer
from statusboard.interfaces.web.events import HEARTBEAT_S, SEND_TIMEOUT_S, ChangeStream, resume_point
from statusboard.interfaces.web.render import environment
from statusboard.services.board import BoardFilter
from statusboard.wiring import App

ITEM_TYPES = ("project", "session", "task", "research")
STATUSES = ("active", "completed", "blocked")
TREE_ROWS = 300
SEARCH_CHARS = 200
STATIC = {"board.css": "text/css; charset=utf-8", "board.js": "text/javascript; charset=utf-8"}
HTTP_STATUS = {"NotFoundError": 404, "ValidationError": 404, "DatabaseUnavailableError": 503}
_NO_STORE = {"cache-control": "no-store"}


class BoardPages:
    """The pages as HTML: what a request for them does off the event loop (and what bench/board.py times)."""

    def __init__(self, app: App) -> None:
        self._app = app
        self._env = environment()

    def render(self, name: str, **context: Any) -> str:
        return self._env.get_template(name).render(**context)

    def board(self, flt: BoardFilter, limit: int = TREE_ROWS, *, fragment: bool = False) -> str:
        view = self._app.board.board(flt, limit)
        context = {"view": view, "filter": flt, "limit": limit, "types": ITEM_TYPES, "statuses": STATUSES}
        return self.render("board_main.html" if fragment else "board.html", **context)

    def item(self, item_id: str, *, fragment: bool = False) -> str:
        view = self._app.board.item(item_id)
        return self.render("item_main.html" if fragment else "item.html", view=view)


def board_routes(
    app: App, access: ViewAccess, *, heartbeat_s: float = HEARTBEAT_S, send_timeout_s: float = SEND_TIMEOUT_S
) -> list[Route]:
    pages = BoardPages(app)
    static = {name: (resources.files(__package__) / "static" / name).read_bytes() for name in STATIC}

    async def board(request: Request) -> Response:
        viewer = await access.viewer(request)
        if not isinstance(viewer, Viewer):
            return viewer
        params = request.query_params
        flt = BoardFilter(
            item_type=_one_of(params.get("type"), ITEM_TYPES),
            status=_one_of(params.get("status"), STATUSES),
            holder=params.get("holder") or None,
            search=(params.get("q") or "").strip()[:SEARCH_CHARS] or None,
        )
        limit = _whole(params.get("limit"), TREE_ROWS)
        return await _page(lambda: pages.board(flt, limit, fragment=params.get("fragment") == "1"))

    async def item(request: Request) -> Response:
        viewer = await access.viewer(request)
        if not isinstance(viewer, Viewer):
            return viewer
        item_id = str(request.path_params["item_id"])
        return await _page(lambda: pages.item(item_id, fragment=request.query_params.get("fragment") == "1"))

    async def events(request: Request) -> Response:
        viewer = await access.viewer(request)
        if not isinstance(viewer, Viewer):
            return viewer
        since = resume_point(request)
        if isinstance(since, Response):
            return since
        return ChangeStream(app.change_feed, since, heartbeat_s, send_timeout_s)

    async def static_file(request: Request) -> Response:
        name = str(request.path_params["name"])
        if name not in STATIC:
            return Response("not found", status_code=404)
        return Response(static[name], media_type=STATIC[name], headers={"cache-control": "no-cache"})

    async def _page(build: Any) -> Response:
        try:
            html = await anyio.to_thread.run_sync(build)
        except Exception as exc:
            known = as_statusboard_error(exc)
            if known is None:
                raise
            return _error_page(pages.render, known)
        return HTMLResponse(html, headers=_NO_STORE)

    return [
        Route("/", board, methods=["GET"]),
        Route("/items/{item_id}", item, methods=["GET"]),
        Route("/events", events, methods=["GET"]),
        Route("/static/{name}", static_file, methods=["GET"]),
    ]


def _error_page(render: Any, error: StatusboardError) -> Response:
    status = HTTP_STATUS.get(error.code, 500)
    title = "Not found" if isinstance(error, NotFoundError) or status == 404 else "Unavailable"
    html = render("error.html", title=title, message=error.message)
    return HTMLResponse(html, status_code=status, headers=_NO_STORE)


def _one_of(value: str | None, allowed: tuple[str, ...]) -> str | None:
    return value if value in allowed else None


def _whole(value: str | None, default: int) -> int:
    return int(value) if value is not None and value.isdigit() and 0 < len(value) <= 9 else default
