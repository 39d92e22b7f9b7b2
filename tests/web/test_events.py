"""`/events` over a real HTTP connection: each new entry as an event whose id is its seq, a resume
after Last-Event-ID without a gap, heartbeats while quiet, and a client that stops reading dropped."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

import anyio
import pytest

from statusboard.domain.work_items import NewWorkItem
from statusboard.wiring import App
from tests.web.conftest import board_asgi

pytestmark = pytest.mark.anyio
WAIT_S = 20.0


class EventReader:
    """A minimal server-sent-events client on a raw HTTP/1.0 connection (no chunked framing)."""

    def __init__(self, reader: asyncio.StreamReader) -> None:
        self._reader = reader
        self.status = 0

    async def line(self) -> str:
        raw = await self._reader.readline()
        if not raw:
            raise EOFError("the stream ended")
        return raw.decode().rstrip("\r\n")

    async def event(self) -> tuple[str | None, str | None, list[str]]:
        """The next block up to a blank line: (id, data, comments)."""
        event_id, data, comments = None, None, []
        while (line := await self.line()) != "":
            if line.startswith(":"):
                comments.append(line)
            elif line.startswith("id: "):
                event_id = line[4:]
            elif line.startswith("data: "):
                data = line[6:]
        return event_id, data, comments

    async def entry(self) -> tuple[int, dict[str, Any]]:
        while True:
            event_id, data, _ = await self.event()
            if data is not None:
                assert event_id is not None
                return int(event_id), json.loads(data)


@asynccontextmanager
async def events(base: str, path: str = "/events", **headers: str) -> AsyncIterator[EventReader]:
    url = urlsplit(base)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    lines = [f"GET {path} HTTP/1.0", f"Host: {url.netloc}", "Accept: text/event-stream"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    await writer.drain()
    stream = EventReader(reader)
    stream.status = int((await stream.line()).split()[1])
    while await stream.line() != "":
        pass  # the response headers
    try:
        yield stream
    finally:
        writer.close()


def _create(app: App, title: str) -> str:
    return str(app.work_items.create("tester", NewWorkItem(item_type="task", title=title))["id"])


async def test_each_new_entry_is_an_event_whose_id_is_its_seq(app: App, serve_board: Callable[..., str]) -> None:
    base = serve_board(board_asgi(app))
    async with events(base) as stream:
        assert stream.status == 200
        await stream.event()  # the retry advice comes first: the subscription is in place
        created = [await anyio.to_thread.run_sync(_create, app, f"task {n}") for n in range(3)]
        with anyio.fail_after(WAIT_S):
            got = [await stream.entry() for _ in range(3)]
    assert [entry["entity_id"] for _, entry in got] == created
    assert [seq for seq, _ in got] == [entry["seq"] for _, entry in got]
    assert all(entry["actor"] == "tester" and entry["op"] == "create" for _, entry in got)


async def test_last_event_id_resumes_after_that_seq_without_a_gap(app: App, serve_board: Callable[..., str]) -> None:
    created = [_create(app, f"before {n}") for n in range(4)]
    seqs = [change["seq"] for change in app.changes.list_changes(0, 100)["changes"]]
    base = serve_board(board_asgi(app))
    async with events(base, "/events?since=0", last_event_id=str(seqs[1])) as stream:
        await stream.event()
        later = await anyio.to_thread.run_sync(_create, app, "after")
        with anyio.fail_after(WAIT_S):
            got = [await stream.entry() for _ in range(3)]
    assert [entry["entity_id"] for _, entry in got] == [*created[2:], later]
    assert [seq for seq, _ in got][:2] == seqs[2:]


async def test_since_resumes_where_the_page_was_rendered(app: App, serve_board: Callable[..., str]) -> None:
    _create(app, "shown on the page")
    rendered_at = app.changes.list_changes(0, 100)["last_seq"]
    missed = _create(app, "written before the stream connected")
    base = serve_board(board_asgi(app))
    async with events(base, f"/events?since={rendered_at}") as stream:
        with anyio.fail_after(WAIT_S):
            _, entry = await stream.entry()
    assert entry["entity_id"] == missed


async def test_a_quiet_stream_sends_heartbeats(app: App, serve_board: Callable[..., str]) -> None:
    base = serve_board(board_asgi(app, heartbeat_s=0.05))
    async with events(base) as stream:
        with anyio.fail_after(WAIT_S):
            await stream.event()
            _, data, comments = await stream.event()
    assert data is None and comments == [": keep-alive"]


async def test_a_seq_that_is_not_a_number_is_refused(app: App, serve_board: Callable[..., str]) -> None:
    base = serve_board(board_asgi(app))
    async with events(base, last_event_id="12abc") as stream:
        assert stream.status == 400


async def test_a_client_that_stops_reading_is_dropped_and_the_others_get_everything(
    app: App, serve_board: Callable[..., str]
) -> None:
    base = serve_board(board_asgi(app, send_timeout_s=0.5), send_buffer=4096)
    url = urlsplit(base)
    stalled = socket.socket()
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.connect((url.hostname, url.port))
    stalled.sendall(f"GET /events HTTP/1.1\r\nHost: {url.netloc}\r\n\r\n".encode())
    try:
        async with events(base) as reading:
            await reading.event()
            big = "x" * 190
            created = []
            with anyio.fail_after(60):
                while app.change_feed.subscriber_count == 2 or not created:
                    batch = [await anyio.to_thread.run_sync(_create, app, f"{big} {n}") for n in range(20)]
                    created += batch
                    for _ in batch:
                        await reading.entry()
            assert app.change_feed.subscriber_count == 1  # the stalled one is gone, the reader stays
    finally:
        stalled.close()
