"""The MCP resources: the status as the file and as JSON, one work item (a URI template), and the
latest change-log entries; and which resources a change-log entry changes (subscriptions.py
tells their subscribers).

A read goes through the same service call and the same degraded-mode policy as the tool that
answers the same question (generate_full_status, query_work_item, list_changes), so it falls back
as that tool does and says so (`data_source`, `warnings`). It needs the viewer role where tokens
are on; a refused or failed read is a JSON-RPC error whose `data` is our error body.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import anyio
import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.shared.exceptions import MCPError

from statusboard.domain.agents import Role
from statusboard.domain.errors import NotFoundError, PermissionDeniedError, ValidationError
from statusboard.interfaces.errors import as_statusboard_error, error_body
from statusboard.interfaces.mcp.callers import Caller, Callers
from statusboard.interfaces.mcp.spec import ToolSpec
from statusboard.interfaces.mcp.tools import TOOLS
from statusboard.services.change_feed import Entry
from statusboard.services.status_parts import FILE_SECTIONS, SUMMARY
from statusboard.services.status_parts import stale as stale_parts
from statusboard.wiring import App

SCHEME = "statusboard://"
STATUS_MD = f"{SCHEME}status.md"
STATUS_JSON = f"{SCHEME}status.json"
CHANGES = f"{SCHEME}changes"
WORK_ITEMS = f"{SCHEME}work-items/"
WORK_ITEM_TEMPLATE = WORK_ITEMS + "{id}"
LATEST_CHANGES = 100
MARKDOWN = "text/markdown"
JSON = "application/json"

RESOURCES = [
    types.Resource(
        uri=STATUS_MD,
        name="status.md",
        title="Project status file",
        description="The status file's markdown, as generate_full_status would write it.",
        mime_type=MARKDOWN,
    ),
    types.Resource(
        uri=STATUS_JSON,
        name="status.json",
        title="Project status report",
        description="The full status report (vendor health, work-item counts, recent deployments, "
        "pending enhancements) as generate_full_status returns it.",
        mime_type=JSON,
    ),
    types.Resource(
        uri=CHANGES,
        name="changes",
        title="Latest changes",
        description=f"The latest {LATEST_CHANGES} change-log entries, oldest first, and last_seq: "
        "list_changes(since_seq=last_seq) continues from there.",
        mime_type=JSON,
    ),
]
TEMPLATES = [
    types.ResourceTemplate(
        uri_template=WORK_ITEM_TEMPLATE,
        name="work-item",
        title="Work item",
        description="One work item (id: its UUID) as query_work_item returns it: the item with its "
        "claim, parent_chain and dependencies.",
        mime_type=JSON,
    )
]
_SUMMARY_PARTS = frozenset(part.name for part in SUMMARY)
_FILE_PARTS = frozenset(part.name for part in FILE_SECTIONS)
_SPECS = {spec.name: spec for spec in TOOLS}


def work_item_uri(item_id: str) -> str:
    return WORK_ITEMS + item_id


def changed_by(entry: Entry) -> list[str]:
    """The resources that the write this entry records may have changed: its work items first,
    then the status, and the change log last."""
    uris = []
    if entry["entity"] == "work_item":  # its writes, claims, renewals, releases, archiving
        uris.append(work_item_uri(entry["entity_id"]))
    elif entry["entity"] == "dependency":  # an item shows its dependencies, both ways
        fields = entry.get("fields") or {}
        uris += [work_item_uri(fields[end]) for end in ("work_item_id", "depends_on_id") if fields.get(end)]
    parts = stale_parts([(entry["entity"], entry["op"])])
    if parts is None or not parts.isdisjoint(_SUMMARY_PARTS):
        uris.append(STATUS_JSON)
    if parts is None or not parts.isdisjoint(_FILE_PARTS):
        uris.append(STATUS_MD)
    uris.append(CHANGES)
    return uris


def known(uri: str) -> bool:
    """Whether `uri` names one of our resources (a work item's by its template, whatever the id)."""
    return uri in (STATUS_MD, STATUS_JSON, CHANGES) or (uri.startswith(WORK_ITEMS) and len(uri) > len(WORK_ITEMS))


@dataclass(frozen=True)
class _Reading:
    spec: ToolSpec  # the tool asking the same: its policy decides what degraded mode answers
    arguments: dict[str, Any]
    run: Callable[[], dict[str, Any]]
    mime_type: str
    text: Callable[[dict[str, Any]], str]


def _as_json(body: dict[str, Any]) -> str:
    return json.dumps(body, default=str, ensure_ascii=False)


def _reading(app: App, uri: str) -> _Reading:
    status = _SPECS["generate_full_status"]
    if uri == STATUS_MD:
        return _Reading(
            status, {"output_format": "markdown"}, partial(app.status.generate, "markdown"), MARKDOWN, _markdown
        )
    if uri == STATUS_JSON:
        return _Reading(status, {}, partial(app.status.generate, "json"), JSON, _as_json)
    if uri == CHANGES:
        return _Reading(
            _SPECS["list_changes"], {"limit": LATEST_CHANGES}, partial(_latest_changes, app), JSON, _as_json
        )
    if uri.startswith(WORK_ITEMS):
        item_id = uri.removeprefix(WORK_ITEMS)
        return _Reading(_SPECS["query_work_item"], {"id": item_id}, partial(_work_item, app, item_id), JSON, _as_json)
    raise NotFoundError("resource", id=uri)


def _work_item(app: App, item_id: str) -> dict[str, Any]:
    return dict(app.work_items.query(item_id))


def _markdown(body: dict[str, Any]) -> str:
    return str(body["markdown"])


def _latest_changes(app: App) -> dict[str, Any]:
    changes = app.change_feed.latest(LATEST_CHANGES)
    return {"changes": changes, "last_seq": changes[-1]["seq"] if changes else 0}


def viewer(callers: Callers, ctx: ServerRequestContext[Any], what: str) -> Caller:
    """The caller, if it may read resources (the viewer role); else an MCPError."""
    caller = callers.caller(ctx)
    if caller is None or not caller.role.allows(Role.VIEWER):
        role = "none" if caller is None else caller.role.value
        raise as_mcp_error(PermissionDeniedError(role, what, Role.VIEWER.value))
    return caller


def as_mcp_error(exc: BaseException) -> MCPError:
    """A JSON-RPC error for a refused resource or prompt request, with our error body as its data."""
    body = error_body(exc)
    known_error = as_statusboard_error(exc)
    code = types.INTERNAL_ERROR
    if isinstance(known_error, NotFoundError | ValidationError):
        code = types.INVALID_PARAMS
    elif isinstance(known_error, PermissionDeniedError):
        code = types.INVALID_REQUEST
    return MCPError(code=code, message=body["message"], data=body)


class ResourceHandlers:
    def __init__(self, app: App, callers: Callers) -> None:
        self._app = app
        self._callers = callers

    async def list_resources(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourcesResult:
        viewer(self._callers, ctx, "resources/list")
        return types.ListResourcesResult(resources=RESOURCES)

    async def list_templates(
        self, ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
    ) -> types.ListResourceTemplatesResult:
        viewer(self._callers, ctx, "resources/templates/list")
        return types.ListResourceTemplatesResult(resource_templates=TEMPLATES)

    async def read_resource(
        self, ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
    ) -> types.ReadResourceResult:
        actor = viewer(self._callers, ctx, "resources/read").actor
        try:
            reading = _reading(self._app, params.uri)
            args = reading.spec.args.model_validate(reading.arguments)
            call = self._app.resilience.call
            body = await anyio.to_thread.run_sync(call, reading.spec, actor, args, reading.run)
        except Exception as exc:
            raise as_mcp_error(exc) from None
        body = {"success": True, **body}
        served = {"data_source": body.get("data_source"), "warnings": body.get("warnings", [])}
        contents = types.TextResourceContents(
            uri=params.uri, mime_type=reading.mime_type, text=reading.text(body), meta=served
        )
        return types.ReadResourceResult(contents=[contents])
