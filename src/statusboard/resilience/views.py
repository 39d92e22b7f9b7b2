"""Answers to read tools from what a fallback layer holds: a StatusData (what the status file
shows), possibly overlaid with entities the cache holds in full. Pure functions.

A fallback answer has the primary's shape with what the layer does not know left out
or null (a file does not show versions, so `version` is null there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

from statusboard.domain.answers import within_bytes
from statusboard.domain.enhancements import PENDING, enhancement_filters
from statusboard.domain.entities import SUMMARY_FIELDS, WorkItemOutline
from statusboard.domain.filters import matches_filter
from statusboard.domain.records import (
    DeploymentMeta,
    DeploymentOutline,
    EnhancementOutline,
    SessionPromptShown,
    VendorOutline,
    VendorRef,
)
from statusboard.domain.status_markdown import StatusData, render
from statusboard.domain.vendors import is_operational, name_key, vendor_health
from statusboard.domain.work_items import LIST_FILTERS
from statusboard.resilience.kinds import DEPLOYMENT, ENHANCEMENT, SESSION_PROMPT, VENDOR, WORK_ITEM, Body
from statusboard.services.status_parts import RECENT_DEPLOYMENTS, deployment_summary, work_item_counts

Entry = TypeVar("Entry", bound=Mapping[str, Any])

# -- from full entity bodies to what the file shows ------------------------------


def vendor_outline(body: Body) -> VendorOutline:
    return {"id": body.get("id"), "name": body["name"], "status": body["status"], "metadata": body.get("metadata", {})}


def work_item_outline(body: Body) -> WorkItemOutline:
    return {
        "id": body["id"],
        "parent_id": body.get("parent_id"),
        "depth": body.get("depth") or 0,
        "item_type": body["item_type"],
        "title": body["title"],
        "status": body["status"],
        "priority": (body.get("metadata") or {}).get("priority"),
        "branch_name": body.get("branch_name"),
        "commit_hash": body.get("commit_hash"),
        "pr_number": body.get("pr_number"),
    }


def deployment_outline(body: Body) -> DeploymentOutline:
    return {
        "id": body["id"],
        "timestamp": _iso(body["timestamp"]),
        "commit_hash": body["commit_hash"],
        "pr_number": body.get("pr_number"),
        "metadata": cast(DeploymentMeta, body.get("metadata") or {}),
        # A vendor named by an id the local view did not know has no name to show yet.
        "affected_vendors": [
            {"id": v.get("id"), "name": v["name"]} for v in body.get("affected_vendors") or [] if v.get("name")
        ],
        "related_work_items": [{"id": item["id"]} for item in body.get("related_work_items") or []],
    }


def overlay(data: StatusData, entities: Mapping[str, Iterable[Body]]) -> StatusData:
    """`data` with newer full bodies put in place: a vendor replaces the one of its name; an item,
    a deployment, an enhancement or a session prompt the one of its id (or joins the list);
    a deleted or archived item leaves the list. A deployment shows each of its vendors as
    the vendors hold it (the copy of a deployment keeps only their ids and names, which never
    change: see domain/change_sources)."""
    by_name = {name_key(vendor["name"]): vendor for vendor in data.vendors}
    for body in entities.get(VENDOR, ()):
        by_name[name_key(body["name"])] = vendor_outline(body)
    by_id = {item["id"]: item for item in data.work_items}
    for body in entities.get(WORK_ITEM, ()):
        if body.get("deleted_at") or body.get("archived"):
            by_id.pop(body["id"], None)
        elif "item_type" in body and "title" in body:
            by_id[body["id"]] = work_item_outline(body)
    deployments = _by_id(data.deployments, map(deployment_outline, entities.get(DEPLOYMENT, ())))
    deployments = [_with_vendors(deployment, by_name) for deployment in deployments]
    # An outage's update of an enhancement holds only the fields it changed: they are laid over the
    # one shown, and one the view never showed stays out until it is known whole. A prompt's is whole.
    shown_enhancements = {e["id"]: e for e in data.enhancements if e.get("id")}
    enhancements = [
        merged
        for e in entities.get(ENHANCEMENT, ())
        if all(key in (merged := {**shown_enhancements.get(e["id"], {}), **e}) for key in _ENHANCEMENT_SHOWN)
    ]
    prompts = entities.get(SESSION_PROMPT, ())
    return replace(
        data,
        vendors=sorted(by_name.values(), key=lambda v: name_key(v["name"])),
        work_items=list(by_id.values()),
        deployments=deployments,
        enhancements=_by_id(data.enhancements, cast(Iterable[EnhancementOutline], enhancements)),
        session_prompts=_by_id(data.session_prompts, cast(Iterable[SessionPromptShown], prompts)),
    )


_ENHANCEMENT_SHOWN = ("title", "priority", "status", "target_quarter")


def _with_vendors(deployment: DeploymentOutline, vendors: Mapping[str, VendorOutline]) -> DeploymentOutline:
    affected: list[VendorRef] = [vendors.get(name_key(v["name"]), v) for v in deployment.get("affected_vendors") or []]
    return {**deployment, "affected_vendors": affected}


def _by_id(entries: Iterable[Entry], newer: Iterable[Entry]) -> list[Entry]:
    merged = {entry.get("id") or f"#{n}": entry for n, entry in enumerate(entries)}
    for body in newer:
        merged[body["id"]] = body
    return list(merged.values())


def _when(timestamp: Any) -> datetime:
    when = timestamp if isinstance(timestamp, datetime) else datetime.fromisoformat(str(timestamp))
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _iso(timestamp: Any) -> str:
    return _when(timestamp).isoformat()


# -- answers ------------------------------------------------------------------------


def vendor_body(vendor: VendorOutline) -> Body:
    """A vendor as the file shows it, in the primary's shape: a file has no versions."""
    metadata = vendor.get("metadata") or {}
    return {
        "id": vendor.get("id"),
        "version": None,
        "name": vendor["name"],
        "status": vendor["status"],
        "operational": is_operational(vendor["status"]),
        "extractor_version": metadata.get("extractor_version"),
        "metadata": metadata,
    }


def find_in(data: StatusData, kind: str, *, id: str | None = None, name_key: str | None = None) -> Body | None:
    """What the view shows of one entity, found by id (or a vendor by its name key)."""
    if kind == VENDOR:
        vendor = next((v for v in data.vendors if (v.get("id") == id if id else _key(v) == name_key)), None)
        return None if vendor is None else vendor_body(vendor)
    if id is None:
        return None
    if kind == WORK_ITEM:
        item = next((i for i in data.work_items if i["id"] == id), None)
        return None if item is None else work_item_body(item)
    entries: Sequence[Mapping[str, Any]] = {DEPLOYMENT: data.deployments, ENHANCEMENT: data.enhancements}.get(kind, ())
    return next((dict(e) for e in entries if e.get("id") == id), None)


def _key(vendor: VendorRef) -> str:
    return name_key(vendor["name"])


def find_vendor(data: StatusData, name: str) -> Body | None:
    key = name_key(name)
    return next((vendor_body(v) for v in data.vendors if name_key(v["name"]) == key), None)


def list_vendors(data: StatusData, status: str | None) -> dict[str, Any]:
    vendors = [vendor_body(v) for v in data.vendors if matches_filter(v, {"status": status})]
    return {"vendors": vendors, "total_count": len(vendors)}


def work_item_body(item: WorkItemOutline) -> Body:
    """A work item as the file shows it, in the primary's shape: no version, and of its metadata
    only the priority."""
    body: Body = {key: value for key, value in item.items() if key != "priority"}
    body.setdefault("version", None)
    body.setdefault("metadata", {"priority": item["priority"]} if item.get("priority") else {})
    return body


def find_work_item(data: StatusData, item_id: str, include_children: bool) -> Body | None:
    by_id = {item["id"]: item for item in data.work_items}
    item = by_id.get(item_id)
    if item is None:
        return None
    chain: list[Body] = []
    parent = by_id.get(item.get("parent_id") or "")
    while parent is not None and len(chain) <= 5:
        chain.insert(0, work_item_body(parent))
        parent = by_id.get(parent.get("parent_id") or "")
    return {
        **work_item_body(item),
        "parent_chain": chain,
        "children": nested_children(data, item_id) if include_children else [],
        "children_truncated": False,
        "dependencies": [],
    }


def nested_children(data: StatusData, root_id: str) -> list[Body]:
    by_parent: dict[str, list[Body]] = {}
    for item in data.work_items:
        parent_id = item.get("parent_id")
        if parent_id:
            by_parent.setdefault(parent_id, []).append({**work_item_body(item), "children": []})
    for nodes in by_parent.values():
        for node in nodes:
            node["children"] = by_parent.get(node["id"], [])
    return by_parent.get(root_id, [])


def dependencies_with(item: Body, links: Iterable[Body], known: Callable[..., Body | None]) -> list[Body]:
    """The item's dependencies with newer links laid over them, oldest first (a removal drops one)."""
    item_id = item["id"]
    current = {view["id"]: view for view in item.get("dependencies") or []}
    for link in links:
        if item_id not in (link["work_item_id"], link["depends_on_id"]):
            continue
        outgoing = link["work_item_id"] == item_id
        other = link["depends_on_id"] if outgoing else link["work_item_id"]
        direction = "outgoing" if outgoing else "incoming"
        if link.get("removed"):
            current = {
                key: view
                for key, view in current.items()
                if key != link["id"] and (view["direction"], view["related_item"].get("id")) != (direction, other)
            }
            continue
        current[link["id"]] = {
            "id": link["id"],
            "type": link["dependency_type"],
            "direction": direction,
            "related_item": known(WORK_ITEM, id=other) or {"id": other},
            "created_at": link.get("created_at"),
            "created_by": link.get("created_by"),
        }
    return list(current.values())


def list_session_prompts(data: StatusData, session_id: str | None, limit: int, offset: int) -> dict[str, Any]:
    chosen = [p for p in data.session_prompts if matches_filter(p, {"session_id": session_id})]
    return {"prompts": chosen[offset : offset + limit], "total_count": len(chosen), "limit": limit, "offset": offset}


def list_work_items(data: StatusData, filters: Mapping[str, Any], limit: int, offset: int) -> dict[str, Any]:
    """As the primary lists them: summary rows unless `detail` is full, bounded in bytes. What the
    layer cannot know is null: the version, and the claim (a file shows no claims)."""
    wanted = {key: filters.get(key) for key in LIST_FILTERS}
    items = [{**work_item_body(item), "claim": None} for item in data.work_items]
    matching = [item for item in items if matches_filter(item, wanted)]
    page = matching[offset : offset + limit]
    if filters.get("detail", "summary") != "full":
        page = [{key: item.get(key) for key in SUMMARY_FIELDS} for item in page]
    rows = within_bytes(page)
    return {
        "items": rows,
        "total_count": len(matching),
        "limit": limit,
        "offset": offset,
        "has_more": offset + len(rows) < len(matching),
    }


def list_deployments(data: StatusData, limit: int, vendor_name: str | None, work_item_id: str | None) -> dict[str, Any]:
    deployments = _newest_first(data.deployments)
    if vendor_name is not None:
        key = name_key(vendor_name)
        deployments = [d for d in deployments if any(name_key(v["name"]) == key for v in d["affected_vendors"])]
    if work_item_id is not None:
        deployments = [d for d in deployments if any(i["id"] == work_item_id for i in d["related_work_items"])]
    return {"deployments": deployments[:limit], "total_count": len(deployments)}


def list_enhancements(
    data: StatusData, priority: str | None, status: str | None, quarter: str | None
) -> dict[str, Any]:
    wanted = enhancement_filters(priority, status, quarter)
    chosen = [e for e in data.enhancements if matches_filter(e, wanted)]
    return {"enhancements": chosen, "total_count": len(chosen)}


def full_status(data: StatusData, output_format: str, archived_count: int | None) -> dict[str, Any]:
    operational = sum(1 for v in data.vendors if is_operational(v["status"]))
    counts = work_item_counts(
        [(item["item_type"], item["status"], item.get("priority"), 1) for item in data.work_items]
    )
    recent = _newest_first(data.deployments)[:RECENT_DEPLOYMENTS]
    report: dict[str, Any] = {
        "vendor_health": vendor_health(operational, len(data.vendors)),
        "active_work_items": {**counts, "archived_count": archived_count},
        "recent_deployments": [
            deployment_summary(
                d, d.get("id"), [v["name"] for v in d["affected_vendors"]], [i["id"] for i in d["related_work_items"]]
            )
            for d in recent
        ],
        "pending_enhancements": [e for e in data.enhancements if e["status"] in PENDING],
    }
    if output_format == "markdown":
        report["markdown"] = render(data)
    return report


def _newest_first(deployments: Iterable[DeploymentOutline]) -> list[DeploymentOutline]:
    return sorted(deployments, key=lambda d: _when(d["timestamp"]), reverse=True)
