"""An MCP stdio client transport whose line reader is linear in the message's size.

The SDK's stdio client joins each 64 KiB read onto everything read so far of the line and
splits the whole again (`(buffer + chunk).split("\\n")` in mcp/client/stdio.py): for a
2.8 MB message, ~44 reads, each copying and scanning up to 2.8 MB. This transport keeps
the reads in a list, looks for the newline only in the newest read, and joins once per
line; it also parses the line's bytes as they came, where the SDK decodes the whole stream
to str first. Everything else is as the SDK does it (the same JSON-RPC parsing and
encoding). The benchmark measures both clients against the same server, so the difference
is the reader. For benchmarks only.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
import mcp_types as types
from anyio.abc import Process
from mcp import StdioServerParameters
from mcp.client._transport import TransportStreams
from mcp.client.stdio import get_default_environment
from mcp.shared.message import SessionMessage

CHUNK = 65536


@asynccontextmanager
async def linear_stdio_client(server: StdioServerParameters) -> AsyncIterator[TransportStreams]:
    env = get_default_environment() | (server.env or {})
    process = await anyio.open_process([server.command, *server.args], env=env, cwd=server.cwd, stderr=sys.stderr)
    to_session, read_stream = anyio.create_memory_object_stream[SessionMessage | Exception](0)
    write_stream, from_session = anyio.create_memory_object_stream[SessionMessage](0)

    async def read_lines() -> None:
        assert process.stdout is not None
        parts: list[bytes] = []
        async with to_session:
            try:
                while True:
                    chunk = await process.stdout.receive(CHUNK)
                    start = 0
                    while (end := chunk.find(b"\n", start)) >= 0:
                        parts.append(chunk[start:end])
                        line = b"".join(parts)
                        parts = []
                        start = end + 1
                        await to_session.send(_parsed(line))
                    if start < len(chunk):
                        parts.append(chunk[start:])
            except (anyio.EndOfStream, anyio.ClosedResourceError, anyio.BrokenResourceError):
                return

    async def write_lines() -> None:
        assert process.stdin is not None
        async with from_session:
            try:
                async for message in from_session:
                    line = message.message.model_dump_json(by_alias=True, exclude_unset=True) + "\n"
                    await process.stdin.send(line.encode())
            except (anyio.ClosedResourceError, anyio.BrokenResourceError, OSError):
                await to_session.aclose()  # the server is gone: the session sees its stream end

    async with anyio.create_task_group() as tasks:
        tasks.start_soon(read_lines)
        tasks.start_soon(write_lines)
        try:
            yield read_stream, write_stream
        finally:
            with anyio.CancelScope(shield=True):
                await read_stream.aclose()  # a reader blocked on delivery stops waiting, so stdout drains
                await _stop(process)
            tasks.cancel_scope.cancel()


def _parsed(line: bytes) -> SessionMessage | Exception:
    try:
        return SessionMessage(types.jsonrpc_message_adapter.validate_json(line, by_name=False))
    except ValueError as exc:
        return exc


async def _stop(process: Process) -> None:
    """Closes the server's stdin (a stdio server exits at EOF), then waits a bounded time."""
    if process.stdin is not None:
        await process.stdin.aclose()
    with anyio.move_on_after(10):
        await process.wait()
        return
    process.kill()
    await process.wait()
