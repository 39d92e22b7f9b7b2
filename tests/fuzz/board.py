"""The board under fuzzing: one app, one in-process MCP client (run on a blocking portal, so a
synchronous Hypothesis test drives it), and the checks every call and every example must pass."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mcp_types as types
from anyio.from_thread import BlockingPortal
from mcp import Client
from mcp.shared.exceptions import MCPError

from tests.fuzz.strategies import KNOWN_MAX, Known, strings_in
from tests.support.outputs import ERROR_CODES

CONTRACT_CODES = ERROR_CODES - {"InternalError"}  # a masked internal error is what fuzzing must never meet
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # no database keeps these alike: refused wherever they are


@dataclass
class Tally:
    """How many examples ran and what the calls answered, for the run's summary."""

    examples: int = 0
    answers: Counter[str] = field(default_factory=Counter)

    def summary(self, backend: str) -> str:
        calls = sum(self.answers.values())
        shown = ", ".join(f"{name} {count}" for name, count in self.answers.most_common())
        return f"{backend}: {self.examples} examples, {calls} fuzzed calls ({shown})"


class Board:
    def __init__(self, portal: BlockingPortal, client: Client, status_file: Path) -> None:
        self.portal = portal
        self.client = client
        self.status_file = status_file
        self.known = Known(paths=[status_file.name, str(status_file), "../outside.md", "/etc/passwd"])
        self.tally = Tally()
        self.tools = {tool.name: tool for tool in portal.call(client.list_tools).tools}
        self._seq = 0

    def answer(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any] | None:
        """The body `tool` answers, after checking it is a success or a contract error; None if
        the client could not send the arguments at all (nested deeper than it serializes)."""
        try:
            result: types.CallToolResult = self.portal.call(self.client.call_tool, tool, arguments)
        except MCPError as exc:
            raise AssertionError(f"{tool} answered a protocol error {exc.error.code}: {exc.error.message}") from exc
        except ValueError as exc:
            if "serialization depth" not in str(exc):
                raise
            return None
        body = result.structured_content
        assert body is not None and result.is_error is (not body["success"]), f"{tool}: {result}"
        if result.is_error:
            assert body["error"] in CONTRACT_CODES, f"{tool} answered {body['error']}: {body['message']}"
            if body["error"] == "ValidationError":
                assert body["details"].get("field"), f"{tool}: a ValidationError naming no field: {body['message']}"
        return body

    def fuzz(self, tool: str, arguments: dict[str, Any]) -> None:
        """One fuzzed call: it succeeds or is refused with a contract code, and a refusal writes nothing."""
        before = self.last_seq()
        body = self.answer(tool, arguments)
        self.tally.answers["unsendable" if body is None else "success" if body["success"] else body["error"]] += 1
        unstorable = any(_UNSTORABLE.search(text) for text in strings_in(arguments))
        assert not (body and body["success"] and unstorable), f"{tool} accepted a NUL or a lone surrogate"
        if body is None or not body["success"]:
            assert self.last_seq() == before, f"{tool} was refused but wrote to the change log"
            return
        self._note(body)

    def reads(self, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """The body of a call that must succeed (what it names is noted for later calls)."""
        body = self.answer(tool, arguments)
        assert body is not None and body["success"], f"{tool}({arguments}) failed after fuzzing: {body}"
        self._note(body)
        return body

    def check_everything_reads(self) -> None:
        """Every read that needs no argument answers, the status report renders in both formats and
        is written, and the written status file migrates back (a dry run) without a problem."""
        for tool in self.tools.values():
            hints = tool.annotations
            if hints is None or not hints.read_only_hint or tool.input_schema.get("required"):
                continue
            self.reads(tool.name, {})
            widest = _widest(tool.input_schema)
            if widest:
                self.reads(tool.name, widest)
        self.reads("generate_full_status", {"output_format": "json"})
        self.reads("generate_full_status", {"output_format": "markdown", "write_file": True})
        report = self.reads("migrate_from_markdown", {"path": str(self.status_file), "dry_run": True})
        problems = report["errors"] + report["skipped"] + report["header_count_mismatches"]
        assert not problems, f"the written status file does not migrate back cleanly: {problems}"

    def last_seq(self) -> int:
        """The change log's last seq (followed from the last one seen)."""
        while True:
            page = self.reads("list_changes", {"since_seq": self._seq, "limit": 1000})
            self._seq = page["last_seq"]
            if not page["has_more"]:
                return self._seq

    def _note(self, body: Any) -> None:
        """Remembers the ids, vendor names, claim tokens and session ids an answer holds."""
        pending = [body]
        while pending:
            item = pending.pop()
            if isinstance(item, list):
                pending.extend(item)
            elif isinstance(item, dict):
                for key, value in item.items():
                    if isinstance(value, dict | list):
                        pending.append(value)
                    elif isinstance(value, str):
                        self._remember(key, value)

    def _remember(self, key: str, value: str) -> None:
        kinds = {"name": self.known.names, "claim_token": self.known.tokens, "session_id": self.known.sessions}
        found = kinds.get(key)
        if found is None and _is_uuid(value):
            found = self.known.ids
        if found is not None and value not in found and len(found) < KNOWN_MAX:
            found.append(value)


def _widest(schema: dict[str, Any]) -> dict[str, Any]:
    """Arguments that ask a read for the most it shows: every flag on, full rows."""
    widest: dict[str, Any] = {}
    for key, sub in schema.get("properties", {}).items():
        if sub.get("type") == "boolean":
            widest[key] = True
        elif key == "detail":
            widest[key] = "full"
    return widest


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return len(value) == 36
