"""How each fallback layer answers a read: the cache (entities it holds in full, or its
snapshot of what the status file shows) and the status file itself (in git or on disk).
A read's policy names the answers that serve it; `from_snapshot` makes a file answer serve
from the cache's snapshot too."""

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


def from_snapshot(answer: FileAnswer) -> CacheAnswer:
    """`answer`, asked of the cache's fresh snapshot of what the status file shows."""

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


def _entity(kind: str, id_argument: str | None) -> CacheAnswer:
    def cached(r: Resilience, a: dict[str, Any]) -> tuple[dict[str, Any], float] | None:
        return r.fresh_entity(kind, id=a[id_argument] if id_argument else CONFIGURATION_ID)

    return cached


# -- the status file's answers (also asked of the cache's snapshot) --------------------------


def item_from_file(d: StatusData, a: dict[str, Any]) -> dict[str, Any] | None:
    return views.find_work_item(d, a["id"], a["include_children"])


def items_from_file(d: StatusData, a: dict[str, Any]) -> dict[str, Any] | None:
    return views.list_work_items(d, a, a["limit"], a["offset"])


def vendor_from_file(d: StatusData, a: dict[str, Any]) -> dict[str, Any] | None:
    return views.find_vendor(d, a["name"])


def vendors_from_file(d: StatusData, a: dict[str, Any]) -> dict[str, Any] | None:
    return views.list_vendors(d, a["status"])


def deployment_from_file(d: StatusData, a: dict[str, Any]) -> dict[str, Any] | None:
    return views.find_in(d, DEPLOYMENT, id=a["id"])


def deployments_from_file(d: StatusData, a: dict[str, Any]) -> dict[str, Any] | None:
    return views.list_deployments(d, a["limit"], a["vendor_name"], a["work_item_id"])


def enhancements_from_file(d: StatusData, a: dict[str, Any]) -> dict[str, Any] | None:
    return views.list_enhancements(d, a["priority"], a["status"], a["target_quarter"])


def prompts_from_file(d: StatusData, a: dict[str, Any]) -> dict[str, Any] | None:
    return views.list_session_prompts(d, a["session_id"], a["limit"], a["offset"])


def status_from_file(d: StatusData, a: dict[str, Any]) -> dict[str, Any] | None:
    body = views.full_status(d, a["output_format"], a.get("_archived_count"))
    if a.get("write_file"):
        body["status_file_written"] = False  # the file is not rewritten from a fallback layer
    return body


# -- the cache's answers ----------------------------------------------------------------


def item_from_cache(r: Resilience, a: dict[str, Any]) -> tuple[dict[str, Any], float] | None:
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


def vendor_from_cache(r: Resilience, a: dict[str, Any]) -> tuple[dict[str, Any], float] | None:
    found = r.fresh_entity(VENDOR, name_key=name_key(a["name"]))
    if found is not None:
        return found
    view = r.cache_view(fresh=True)
    body = None if view is None else views.find_vendor(view[0], a["name"])
    return None if body is None or view is None else (body, view[1])


deployment_from_cache = _first(_entity(DEPLOYMENT, "id"), from_snapshot(deployment_from_file))
configuration_from_cache = _entity(CONFIGURATION, None)
items_from_cache = from_snapshot(items_from_file)
vendors_from_cache = from_snapshot(vendors_from_file)
deployments_from_cache = from_snapshot(deployments_from_file)
enhancements_from_cache = from_snapshot(enhancements_from_file)
prompts_from_cache = from_snapshot(prompts_from_file)
status_from_cache = from_snapshot(status_from_file)
