"""One line per tool call on a server's stderr: time, actor, tool, outcome code, milliseconds.

Installed as the SDK's per-call middleware (`Server.middleware`), so it sees every call,
whatever becomes of it: a result, a tool error (its contract code), or a protocol error.
It never writes a token or an argument's value. Names a client chose are quoted when they
hold anything but plain characters, so a line stays one line.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from datetime import UTC, datetime
from typing import Any

import mcp_types as types
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.shared.exceptions import MCPError

from statusboard.domain.cancellation import OperationCancelled
from statusboard.interfaces.mcp.callers import UNKNOWN_CLIENT, Callers

LOGGER = "statusboard.calls"
_PLAIN = re.compile(r"[A-Za-z0-9._@:/+-]{1,200}")

log = logging.getLogger(LOGGER)


def log_calls_to_stderr() -> None:
    """Sends the call log to stderr, one bare line per call (the process's other logging is unchanged)."""
    if log.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False


class CallLog:
    def __init__(self, callers: Callers) -> None:
        self._callers = callers

    async def __call__(self, ctx: ServerRequestContext[Any], call_next: CallNext) -> HandlerResult:
        if ctx.method != "tools/call" or ctx.request_id is None:
            return await call_next(ctx)
        started = time.perf_counter()
        outcome = "Cancelled"  # what is left when the call ends by cancellation
        try:
            result = await call_next(ctx)
            outcome = _outcome(result)
            return result
        except OperationCancelled:
            raise
        except MCPError as exc:
            outcome = f"ProtocolError:{exc.error.code}"
            raise
        except Exception:
            outcome = "InternalError"
            raise
        finally:
            ms = (time.perf_counter() - started) * 1000
            caller = self._callers.caller(ctx)
            tool = (ctx.params or {}).get("name")
            log.info(
                "%s actor=%s tool=%s outcome=%s ms=%.1f",
                datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                _field(caller.actor if caller is not None else UNKNOWN_CLIENT),
                _field(tool if isinstance(tool, str) else "?"),
                outcome,
                ms,
            )


def _outcome(result: HandlerResult) -> str:
    """`ok`, or the contract's error code of a tool error. The chain hands back the result
    already shaped for the wire (a dict); a model is read the same way."""
    if isinstance(result, types.CallToolResult):
        result = result.model_dump(by_alias=True)
    if not isinstance(result, dict) or not result.get("isError"):
        return "ok"
    body = result.get("structuredContent")
    return str(body.get("error", "ToolError")) if isinstance(body, dict) else "ToolError"


def _field(value: str) -> str:
    return value if _PLAIN.fullmatch(value) else json.dumps(value)
