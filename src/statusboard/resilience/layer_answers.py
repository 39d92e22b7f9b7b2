"""What each fallback layer can answer, tool by tool: the cache (entities it holds in full, or
its snapshot of what the status file shows) and the status file itself (in git or on disk)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from statusboard.domain.project_configuration import CONFIGURATION_ID
from statusboard.domain.status_markdown import StatusData
from statusboard.domain.vendors import name_key
from statusboard.resilience import views
from statusboard.resilience.kinds import CONFIGURATION, DEPENDENCY, DEPLOYMENT, VENDOR, WORK_ITEM

if TYPE_CHECKING:
    from statusboard.resilience.gateway import Resilience


CacheAnswer = Callable[["Resilience", dict[str, Any]], tuple[dict[str, Any], float] | None]
FileAnswer = Callable[[StatusData, dict[str, Any]], dict[str, Any] | None]


def _cached_vendor(r: Resilience, a: dict[str, Any]) -> tuple[dict[str, Any], float] | None:
    found = r.fresh_entity(VENDOR, name_key=name_key(a["name"]))
    if found is not None:
        return found
    view = r.cache_view(fresh=True)
    body = None if view is None else views.find_vendor(view[0], a["name"])
    return None if body is None or view is None else (body, view[1])


def _cached_item(r: Resilience, a: dict[str, Any]) -> tuple[dict[str, Any], float] | None:
    found = r.fresh_entity(WORK_ITEM, id=a["id"])
    view = r.cache_view(fresh=True)
    if found is not None:
        body, stored_at = found
        if body.get("deleted_at") and not a.get("include_archived"):
            return None
        children = views.nested_children(view[0], a["id"]) if view is not None and a["include_children"] else []
        # A body read from the primary lists its dependencies as they were then: only newer links count.
        links = [e.body for e in r.store.entities_since(DEPENDENCY, stored_at if "dependencies" in body else 0.0)]
        body = {"parent_chain": [], **body, "dependencies": views.dependencies_with(body, links, r.known)}
        return {**body, "children": children}, stored_at
    outline = None if view is None else views.find_work_item(view[0], a["id"], a["include_children"])
    return None if outline is None or view is None else (outline, view[1])


def _cached(kind: str, id_argument: str | None) -> CacheAnswer:
    def cached(r: Resilience, a: dict[str, Any]) -> tuple[dict[str, Any], float] | None:
        return r.fresh_entity(kind, id=a[id_argument] if id_argument else CONFIGURATION_ID)

    return cached


def _from_view(answer: FileAnswer) -> CacheAnswer:
    def cached(r: Resilience, a: dict[str, Any]) -> tuple[dict[str, Any], float] | None:
        view = r.cache_view(fresh=True)
        if view is None:
            return None
        body = answer(view[0], {**a, "_archived_count": view[2]})
        return None if body is None else (body, view[1])

    return cached


def _first(*answers: CacheAnswer) -> CacheAnswer:
    def cached(r: Resilience, a: dict[str, Any]) -> tuple[dict[str, Any], float] | None:
        return next((found for answer in answers if (found := answer(r, a)) is not None), None)

    return cached


def _status(data: StatusData, a: dict[str, Any]) -> dict[str, Any]:
    body = views.full_status(data, a["output_format"], a.get("_archived_count"))
    if a.get("write_file"):
        body["status_file_written"] = False  # the file is not rewritten from a fallback layer
    return body


FILE_ANSWERS: dict[str, FileAnswer] = {
    "query_vendor_status": lambda d, a: views.find_vendor(d, a["name"]),
    "list_vendors": lambda d, a: views.list_vendors(d, a["status"]),
    "query_work_item": lambda d, a: views.find_work_item(d, a["id"], a["include_children"]),
    "list_work_items": lambda d, a: views.list_work_items(d, a, a["limit"], a["offset"]),
    "list_deployments": lambda d, a: views.list_deployments(d, a["limit"], a["vendor_name"], a["work_item_id"]),
    "list_enhancements": lambda d, a: views.list_enhancements(d, a["priority"], a["status"], a["target_quarter"]),
    "generate_full_status": _status,
    "query_deployment": lambda d, a: views.find_in(d, DEPLOYMENT, id=a["id"]),
    "list_session_prompts": lambda d, a: views.list_session_prompts(d, a["session_id"], a["limit"], a["offset"]),
}
CACHE_ANSWERS: dict[str, CacheAnswer] = {
    **{tool: _from_view(answer) for tool, answer in FILE_ANSWERS.items()},
    "query_deployment": _first(_cached(DEPLOYMENT, "id"), _from_view(FILE_ANSWERS["query_deployment"])),
    "query_vendor_status": _cached_vendor,
    "query_work_item": _cached_item,
    "get_project_configuration": _cached(CONFIGURATION, None),
}
