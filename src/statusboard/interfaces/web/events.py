"""`/events`: the change log as server-sent events, from the process's one change watcher.

Each entry is one event: `id:` its seq, `data:` the entry as JSON. A stream starts after the seq
in `Last-Event-ID` (what a browser sends when it reconnects), else after `?since=` (what the page
was rendered at), else after the last entry committed now; the entries in between are read from
the log, so a reconnect loses nothing. A comment line goes out every `heartbeat_s` while nothing
happens, so proxies and clients see the stream alive. A client that does not read is dropped
(the feed's queue is bounded, and a write that cannot go out within `send_timeout_s` ends the
stream); its browser reconnects and resumes from the last seq it got.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from statusboard.services.change_feed import ChangeFeed, Entry, FellBehind

HEARTBEAT_S = 15.0
SEND_TIMEOUT_S = 10.0
RETRY_MS = 1000  # how soon a browser reconnects after the stream ends
_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache, no-store"),
    (b"x-accel-buffering", b"no"),
]


def resume_point(request: Request) -> int | Response | None:
    """The seq to start after (None: now), or a 400 for one that is not a seq."""
    raw = request.headers.get("last-event-id") or request.query_params.get("since")
    if raw is None or raw == "":
        return None
    if not raw.isdigit() or len(raw) > 18:
        return Response("Last-Event-ID and since must be a change-log seq (a whole number)", status_code=400)
    return int(raw)


def event(entry: Entry) -> bytes:
    return f"id: {entry['seq']}\ndata: {json.dumps(entry, separators=(',', ':'), default=str)}\n\n".encode()


class ChangeStream(Response):
    media_type = "text/event-stream"

    def __init__(self, feed: ChangeFeed, since_seq: int | None, heartbeat_s: float, send_timeout_s: float) -> None:
        super().__init__()
        self._feed = feed
        self._since = since_seq
        self._heartbeat_s = heartbeat_s
        self._send_timeout_s = send_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(_cancel_on_disconnect, receive, group.cancel_scope)
            await self._stream(send)
            group.cancel_scope.cancel()

    async def _stream(self, send: Send) -> None:
        started = False
        try:
            async with self._feed.subscribe(self._since) as entries:
                await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
                started = True
                await self._write(send, f"retry: {RETRY_MS}\n\n".encode())
                while True:
                    entry = await entries.next(timeout=self._heartbeat_s)
                    await self._write(send, b": keep-alive\n\n" if entry is None else event(entry))
        except (FellBehind, TimeoutError):
            pass  # dropped: the client reconnects and resumes from its last seq
        if not started:  # the watcher stopped before this stream began: the client tries again
            await send({"type": "http.response.start", "status": 503, "headers": [(b"retry-after", b"1")]})
        with anyio.move_on_after(1):
            await send({"type": "http.response.body", "body": b"", "more_body": False})

    async def _write(self, send: Send, chunk: bytes) -> None:
        with anyio.fail_after(self._send_timeout_s):
            await send({"type": "http.response.body", "body": chunk, "more_body": True})


async def _cancel_on_disconnect(receive: Receive, scope: Any) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            scope.cancel()
            return
