"""The MCP prompts, rendered with the board's data as it is now:

- `start_work`: what is ready, how to claim it, the rules of the road;
- `handoff`: what an agent (the caller, by default) holds and changed lately, for the next agent.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio
import mcp_types as types
from mcp.server.context import ServerRequestContext
from pydantic import BaseModel, ConfigDict, Field

from statusboard.domain.errors import NotFoundError
from statusboard.domain.work_items import ItemTypeName
from statusboard.interfaces.mcp.callers import Callers
from statusboard.interfaces.mcp.resources import as_mcp_error, viewer
from statusboard.interfaces.mcp.tools import TOOLS
from statusboard.services.board import BoardFilter
from statusboard.services.change_feed import Entry
from statusboard.wiring import App

START_WORK = "start_work"
HANDOFF = "handoff"
HANDOFF_LOOKS_BACK = 500  # change-log entries searched for the agent's own
_LIST_READY_WORK = next(spec for spec in TOOLS if spec.name == "list_ready_work")

RULES = """Rules of the road:
- Every write names the version you read. VersionConflictError means someone wrote first: re-read \
the item (query_work_item) and decide again; never retry blindly.
- ClaimConflictError: someone else holds the item; take other work. LeaseExpiredError: your claim \
is gone (expired, released or taken over); claim again before you write.
- Keep your claim alive with renew_claim before expires_at; release_claim if you stop without finishing.
- Follow list_changes(since_seq=last_seq), or subscribe to statusboard://changes, to see what the \
other agents do.
- Before you stop, render the handoff prompt and leave its summary for the next agent."""

PROMPTS = [
    types.Prompt(
        name=START_WORK,
        title="Start work",
        description="What is ready to work on now, how to claim it, and the rules of the road.",
        arguments=[
            types.PromptArgument(
                name="item_type", description="only ready work of this type: project, session, task or research"
            ),
            types.PromptArgument(name="limit", description="how many ready items to list: 1 to 50 (default 10)"),
        ],
    ),
    types.Prompt(
        name=HANDOFF,
        title="Hand off",
        description="What an agent holds (its live claims) and changed lately (its change-log entries), "
        "for the next agent to pick up from.",
        arguments=[
            types.PromptArgument(name="actor", description="whose work to hand off (default: you, the caller)"),
            types.PromptArgument(
                name="recent", description="how many of their latest change-log entries to list: 1 to 100 (default 20)"
            ),
        ],
    ),
]


class _Arguments(BaseModel):
    model_config = ConfigDict(extra="forbid")  # not strict: prompt arguments arrive as strings


class StartWorkArguments(_Arguments):
    item_type: ItemTypeName | None = None
    limit: Annotated[int, Field(ge=1, le=50)] = 10


class HandoffArguments(_Arguments):
    actor: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    recent: Annotated[int, Field(ge=1, le=100)] = 20


class PromptHandlers:
    def __init__(self, app: App, callers: Callers) -> None:
        self._app = app
        self._callers = callers

    async def list_prompts(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListPromptsResult:
        viewer(self._callers, ctx, "prompts/list")
        return types.ListPromptsResult(prompts=PROMPTS)

    async def get_prompt(
        self, ctx: ServerRequestContext[Any], params: types.GetPromptRequestParams
    ) -> types.GetPromptResult:
        caller = viewer(self._callers, ctx, "prompts/get")
        given = params.arguments or {}
        try:
            if params.name == START_WORK:
                start = StartWorkArguments.model_validate(given)
                text = await anyio.to_thread.run_sync(self._start_work, caller.actor, start)
                description = "Ready work, how to claim it, and the rules of the road"
            elif params.name == HANDOFF:
                handoff = HandoffArguments.model_validate(given)
                actor = handoff.actor or caller.actor
                text = await anyio.to_thread.run_sync(self._handoff, actor, handoff.recent)
                description = f"What {actor} holds and changed lately"
            else:
                raise NotFoundError("prompt", name=params.name)
        except Exception as exc:
            raise as_mcp_error(exc) from None
        message = types.PromptMessage(role="user", content=types.TextContent(type="text", text=text))
        return types.GetPromptResult(description=description, messages=[message])

    def _start_work(self, actor: str, a: StartWorkArguments) -> str:
        args = _LIST_READY_WORK.args.model_validate({"item_type": a.item_type, "limit": a.limit})
        ready = self._app.resilience.call(
            _LIST_READY_WORK, actor, args, lambda: dict(self._app.claims.list_ready(a.item_type, a.limit))
        )
        items = ready["items"]
        kind = f" {a.item_type}" if a.item_type else ""
        lines = [
            "You are joining a project whose shared status lives in statusboard, where several AI agents "
            f"work at once. You act as {actor}.",
            "",
            f"Ready{kind} work now (active, unclaimed, its dependencies completed, nothing open under it; "
            "oldest first):",
        ]
        lines += [f"- {i['title']} ({i['item_type']}, id {i['id']}, version {i['version']})" for i in items]
        if not items:
            lines.append("- nothing is ready right now: look again later (list_ready_work), or ask what to do next.")
        lines += [
            "",
            "How to take one:",
            "1. claim_work_item with its id (without an id: the oldest ready item). Keep the claim_token it "
            "returns: while your claim lives, only writes carrying it may change the item.",
            "2. Work, writing with update_work_item(id, version you read, ..., claim_token).",
            '3. Done: update_work_item with status "completed" and your claim_token; that releases the claim.',
            "",
            RULES,
        ]
        return "\n".join(lines)

    def _handoff(self, actor: str, recent: int) -> str:
        board = self._app.board.board(BoardFilter(holder=actor), tree_limit=10_000)
        held = [row for row in board["tree"] if not row["context"]]
        entries = [e for e in self._app.change_feed.latest(HANDOFF_LOOKS_BACK) if e["actor"] == actor][-recent:]
        lines = [f"Handoff from {actor}, as of change-log seq {board['as_of_seq']}.", ""]
        lines.append(f"Claims {actor} holds ({len(held)}):")
        lines += [
            f"- {row['title']} ({row['item_type']}, {row['status']}, id {row['id']}; claim expires {row['expires_at']})"
            for row in held
        ]
        if not held:
            lines.append("- none")
        lines += ["", f"Their latest changes (up to {recent}, oldest first):"]
        lines += [_entry_line(entry) for entry in entries]
        if not entries:
            lines.append(f"- none among the last {HANDOFF_LOOKS_BACK} change-log entries")
        lines += [
            "",
            "For the next agent: a claim stays with its holder until it is completed, released or expires; "
            "the holder hands an item over by releasing it (release_claim), after which claim_work_item "
            "takes it. Read an item (query_work_item, or the resource statusboard://work-items/{id}) for "
            "its current version before you write to it.",
        ]
        return "\n".join(lines)


def _entry_line(entry: Entry) -> str:
    fields = entry.get("fields") or {}
    title = fields.get("title") or fields.get("name")
    named = f' "{title}"' if title else ""
    changed = ", ".join(sorted(str(key) for key in fields)) if entry["op"] == "update" and fields else ""
    detail = f" ({changed})" if changed else ""
    return f"- seq {entry['seq']}, {entry['at']}: {entry['op']} {entry['entity']} {entry['entity_id']}{named}{detail}"
