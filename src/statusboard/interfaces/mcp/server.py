"""The MCP server: lists the tools, validates arguments, calls one service, renders one JSON object.

Built on the SDK's low-level Server so that argument checking is ours: a bad argument
becomes our ValidationError body with field paths, never the SDK's masked message.
Service calls are blocking database work, so they run in worker threads and the
event loop stays free for other requests.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import partial
from typing import Any

import anyio
import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError

from statusboard import __version__
from statusboard.domain.cancellation import CancelToken, OperationCancelled
from statusboard.domain.errors import PermissionDeniedError, ValidationError
from statusboard.domain.limits import client_name_problem
from statusboard.interfaces.errors import error_body
from statusboard.interfaces.mcp.call_log import CallLog
from statusboard.interfaces.mcp.callers import Caller, Callers, LocalUser
from statusboard.interfaces.mcp.listing import listed_tool, offered
from statusboard.interfaces.mcp.prompts import PromptHandlers
from statusboard.interfaces.mcp.resources import ResourceHandlers
from statusboard.interfaces.mcp.spec import ToolSpec
from statusboard.interfaces.mcp.subscriptions import ResourceNotifier
from statusboard.interfaces.mcp.tools import TOOLS
from statusboard.resilience.policy import Journaled
from statusboard.wiring import App

log = logging.getLogger(__name__)

INSTRUCTIONS = """statusboard holds this project's shared status: work items (project > session > task, \
5 levels), their dependencies and claims, and a change log, shared safely by several AI agents.
The working protocol:
1. Find ready work: list_ready_work (or the start_work prompt).
2. Claim it: claim_work_item (without id: the oldest ready item). Keep the claim_token; renew_claim \
before expires_at.
3. Write with the version you read and your claim_token: update_work_item(id, version, ..., \
claim_token). On VersionConflictError re-read the item and decide again.
4. Complete it: update_work_item with status "completed" (this releases the claim), or release_claim \
if you stop; the handoff prompt sums up what you leave.
5. Follow list_changes(since_seq=last_seq), or subscribe to statusboard://changes, to see what others do."""


def build_server(
    app: App, tools: list[ToolSpec] | None = None, *, callers: Callers | None = None, log_calls: bool = False
) -> Server[Any]:
    """The MCP server. `callers` says who calls (by default the local user of stdio, allowed
    everything); `log_calls` writes one line per tool call (see call_log.py)."""
    every_spec = {spec.name: spec for spec in (tools or TOOLS)}
    specs = offered(every_spec.values(), app.settings.toolsets)
    callers = callers or LocalUser(app.settings.client_id)

    def replay(tool: str, actor: str, arguments: dict[str, Any]) -> tuple[Journaled, dict[str, Any]]:
        spec = every_spec[tool]  # a journal may hold writes of a server that offered other toolsets
        if not isinstance(spec.policy, Journaled):
            raise ValueError(f"{tool} is not a journaled write")
        return spec.policy, spec.run(app, actor, spec.args.model_validate(arguments))

    app.resilience.runner = replay
    listed: list[types.Tool] = []  # built at the first tools/list: its schemas are most of a start-up's work

    async def list_tools(
        ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListToolsResult:
        if not listed:
            listed.extend(listed_tool(spec) for spec in specs.values())
        return types.ListToolsResult(tools=listed)

    async def call_tool(ctx: ServerRequestContext[Any], params: types.CallToolRequestParams) -> types.CallToolResult:
        spec = specs.get(params.name)
        if spec is None:
            raise MCPError(code=types.INVALID_PARAMS, message=f"unknown tool: {params.name}")
        try:
            caller = _allowed(callers.caller(ctx), spec, None)  # refused before its arguments are read
            _check_actor(caller.actor)
            args = spec.args.model_validate(params.arguments or {})
            actor = _allowed(caller, spec, args).actor
            call = partial(app.resilience.call, spec, actor, args)
            if spec.cancellable:
                result = await _run_cancellable(
                    ctx,
                    lambda cancel, progress: call(
                        partial(spec.run, app, actor, args, cancel=cancel, progress=progress)
                    ),
                )
            else:
                result = await anyio.to_thread.run_sync(call, partial(spec.run, app, actor, args))
        except OperationCancelled:
            raise  # the request was cancelled: no one is waiting for a result
        except Exception as exc:
            return _result(error_body(exc), is_error=True)
        return _result({"success": True, **result}, is_error=False)

    resources = ResourceHandlers(app, callers)
    notifier = ResourceNotifier(app.change_feed, callers)
    prompts = PromptHandlers(app, callers)
    server: Server[Any] = Server(
        "statusboard",
        version=__version__,
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=call_tool,
        on_list_resources=resources.list_resources,
        on_list_resource_templates=resources.list_templates,
        on_read_resource=resources.read_resource,
        on_subscribe_resource=notifier.subscribe,
        on_unsubscribe_resource=notifier.unsubscribe,
        on_subscriptions_listen=notifier.listen,
        on_list_prompts=prompts.list_prompts,
        on_get_prompt=prompts.get_prompt,
    )
    if log_calls:
        server.middleware.append(CallLog(callers))
    return server


def _allowed(caller: Caller | None, spec: ToolSpec, args: Any) -> Caller:
    """The caller, if its role may call this tool (with these arguments, once they are read)."""
    needed = spec.role if args is None else spec.needs(args)
    if caller is None:
        raise PermissionDeniedError("none", spec.name, needed.value)
    if not caller.role.allows(needed):
        raise PermissionDeniedError(caller.role.value, spec.name, needed.value)
    return caller


async def _run_cancellable(ctx: ServerRequestContext[Any], run: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """Runs a long tool in a worker thread; if the request is cancelled or the client goes away,
    the tool's cancel token is set, and the tool rolls back before this returns."""
    cancel = CancelToken()
    loop_token = anyio.lowlevel.current_token()

    def progress(done: int, total: int) -> None:
        if cancel.cancelled:
            return
        send = partial(ctx.session.report_progress, float(done), float(total))  # a no-op unless asked for
        try:
            anyio.from_thread.run(send, token=loop_token)
        except Exception:  # progress is a courtesy; never let it fail the work
            log.debug("could not send a progress notification", exc_info=True)

    async def cancel_when_cancelled() -> None:
        try:
            await anyio.sleep_forever()
        finally:
            cancel.cancel()

    result: dict[str, Any] | None = None
    failure: Exception | None = None
    async with anyio.create_task_group() as group:
        group.start_soon(cancel_when_cancelled)
        try:
            # Not abandoned on cancellation: we wait for the rollback before going on.
            result = await anyio.to_thread.run_sync(partial(run, cancel=cancel, progress=progress))
        except OperationCancelled:
            pass  # raised again below, outside the task group, unwrapped
        except Exception as exc:  # raised below: inside the group it would arrive wrapped in an ExceptionGroup
            failure = exc
        finally:
            group.cancel_scope.cancel()
    if failure is not None:
        raise failure
    if result is None:
        await anyio.lowlevel.checkpoint_if_cancelled()  # end as the cancelled request we are
        raise OperationCancelled("cancelled by the caller; nothing was changed")
    return result


def _check_actor(actor: str) -> None:
    """The actor recorded on writes; only a client's declared name can break the limits here
    (agent names and STATUSBOARD_CLIENT_ID are checked when they are set)."""
    problem = client_name_problem(actor)
    if problem is not None:
        raise ValidationError.single("clientInfo.name", problem)


def _result(body: dict[str, Any], *, is_error: bool) -> types.CallToolResult:
    return types.CallToolResult(
        content=[types.TextContent(type="text", text=json.dumps(body, default=str, separators=(",", ":")))],
        structured_content=body,
        is_error=is_error,
    )
