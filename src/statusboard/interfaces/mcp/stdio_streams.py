"""The stdio transport's streams, wrapped so that no client waits for an answer that never comes.

The SDK's stdio reader hands a line it cannot read (not JSON, or JSON that is not a JSON-RPC
message) to the server as an exception, which the server drops: the client that sent it waits
forever. `AnsweringReader` answers such a line with the JSON-RPC error it deserves, -32700 Parse
error or -32600 Invalid Request (with the request's id where the line carries one), and reads on.

When stdin closes, the SDK's server cancels every request still running and their answers are
lost (a client that writes its requests and then closes its end gets some of them answered).
`AnsweringReader` holds the end of input back until every request it passed on has been
answered, for at most DRAIN_S; `AnswerTracker` sees the answers go out.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

import anyio
import mcp_types as types
from mcp.shared.message import SessionMessage
from pydantic import ValidationError

DRAIN_S = 30.0
Incoming = SessionMessage | Exception
RequestId = str | int


class _Pending:
    """The ids of the requests passed to the server and not answered yet."""

    def __init__(self) -> None:
        self.ids: set[RequestId] = set()
        self._changed = anyio.Event()

    def answered(self, request_id: RequestId) -> None:
        self.ids.discard(request_id)
        self._changed.set()
        self._changed = anyio.Event()

    async def drained(self) -> None:
        while self.ids:
            await self._changed.wait()


class AnswerTracker:
    """The write stream, noting which requests have been answered."""

    def __init__(self, inner: Any, pending: _Pending) -> None:
        self._inner = inner
        self._pending = pending

    async def send(self, item: SessionMessage, /) -> None:
        await self._inner.send(item)
        message = item.message
        if isinstance(message, types.JSONRPCResponse | types.JSONRPCError) and message.id is not None:
            self._pending.answered(message.id)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        await self.aclose()
        return None


class AnsweringReader:
    """The read stream, answering unreadable lines and holding EOF back until requests are answered."""

    def __init__(self, inner: Any, writer: Any, pending: _Pending) -> None:
        self._inner = inner
        self._writer = writer
        self._pending = pending

    @property
    def last_context(self) -> Any:  # the SDK reads the sender's context through this, when present
        return getattr(self._inner, "last_context", None)

    async def receive(self) -> SessionMessage:
        while True:
            try:
                item: Incoming = await self._inner.receive()
            except anyio.EndOfStream:
                with anyio.move_on_after(DRAIN_S):
                    await self._pending.drained()
                raise
            if isinstance(item, SessionMessage):
                if isinstance(item.message, types.JSONRPCRequest):
                    self._pending.ids.add(item.message.id)
                return item
            error = _error_for(item)
            if error is not None:
                await self._writer.send(SessionMessage(error))

    async def aclose(self) -> None:
        await self._inner.aclose()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> SessionMessage:
        try:
            return await self.receive()
        except anyio.EndOfStream:
            raise StopAsyncIteration from None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> bool | None:
        await self.aclose()
        return None


def wrap(read: Any, write: Any) -> tuple[AnsweringReader, AnswerTracker]:
    """The stdio server's (read, write) streams, wrapped as described above."""
    pending = _Pending()
    return AnsweringReader(read, write, pending), AnswerTracker(write, pending)


def _error_for(problem: Exception) -> types.JSONRPCError | None:
    """The answer to a line the reader could not take; None for a blank line (nothing was asked)."""
    if not isinstance(problem, ValidationError):
        return _error(None, types.PARSE_ERROR, "Parse error")
    errors = problem.errors(include_url=False)
    if any(e["type"] == "json_invalid" for e in errors):
        raw = errors[0].get("input")
        if isinstance(raw, str) and not raw.strip():
            return None
        return _error(None, types.PARSE_ERROR, "Parse error")
    sent = next((e.get("input") for e in errors if isinstance(e.get("input"), dict)), None)
    request_id = sent.get("id") if isinstance(sent, dict) else None
    if not isinstance(request_id, str | int) or isinstance(request_id, bool):
        request_id = None
    return _error(request_id, types.INVALID_REQUEST, "Invalid Request")


def _error(request_id: RequestId | None, code: int, message: str) -> types.JSONRPCError:
    return types.JSONRPCError(jsonrpc="2.0", id=request_id, error=types.ErrorData(code=code, message=message))
