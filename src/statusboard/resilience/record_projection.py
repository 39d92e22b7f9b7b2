"""Outage writes to the project records: deployments, enhancements, the configuration and
session prompts."""

from __future__ import annotations

from collections.abc import Callable

from statusboard.domain.deployments import NewDeployment
from statusboard.domain.enhancements import (
    EnhancementChanges,
    NewEnhancement,
    check_enhancement_links,
    enhancement_changes,
    without_repeats,
)
from statusboard.domain.project_configuration import CONFIGURATION_ID, ConfigurationChanges, configuration_changes
from statusboard.domain.session_prompts import parse_frontmatter
from statusboard.domain.vendors import name_key
from statusboard.resilience.journal_write import Projection, Write, checked, stamped
from statusboard.resilience.kinds import (
    CONFIGURATION,
    DEPLOYMENT,
    ENHANCEMENT,
    SESSION_PROMPT,
    VENDOR,
    WORK_ITEM,
    Body,
)


def record_deployment(write: Write) -> Projection:
    draft = NewDeployment.model_validate(write.arguments)
    unverified: list[str] = []
    vendors: dict[str, Body] = {}
    lookups: list[tuple[str, dict[str, str], Body]] = [
        ("vendor_ids", {"id": vendor_id}, {"id": vendor_id, "name": None}) for vendor_id in draft.vendor_ids
    ]
    lookups += [
        ("vendor_names", {"name_key": name_key(name)}, {"id": None, "name": name}) for name in draft.vendor_names
    ]
    for field, lookup, unknown in lookups:
        vendor = write.known(VENDOR, **lookup)
        if vendor is None:
            unverified.append(field)
            vendor = unknown
        vendors.setdefault(vendor["id"] or name_key(vendor["name"]), vendor)
    items = []
    for item_id in dict.fromkeys(draft.work_item_ids):
        item = write.known(WORK_ITEM, id=item_id)
        if item is None:
            unverified.append("work_item_ids")
        items.append(item or {"id": item_id})
    timestamp = (draft.timestamp or write.at).isoformat()
    metadata = draft.metadata.model_dump(mode="json", exclude_none=True)
    body = {
        "id": write.assigned_id(),
        "timestamp": timestamp,
        "commit_hash": draft.metadata.commit_hash,
        "pr_number": draft.metadata.pr_number,
        "metadata": metadata,
        "created_at": write.stamp,
        "created_by": write.actor,
        "affected_vendors": sorted(vendors.values(), key=lambda v: name_key(v.get("name") or "")),
        "related_work_items": items,
    }
    # The replay records the deployment at the time it was acknowledged, not at the replay's.
    arguments = {**write.arguments, "timestamp": timestamp}
    return Projection([(DEPLOYMENT, body)], body, arguments, sorted(set(unverified)))


def create_enhancement(write: Write) -> Projection:
    draft = NewEnhancement.model_validate(write.arguments)
    depends_on = without_repeats(draft.depends_on)
    unverified = ["depends_on"] if any(write.known(ENHANCEMENT, id=other) is None for other in depends_on) else []
    body = {
        **draft.model_dump(mode="json", exclude={"depends_on"}),
        "id": write.assigned_id(),
        "version": 1,
        "depends_on": depends_on,
        "created_at": write.stamp,
        "updated_at": write.stamp,
        "created_by": write.actor,
        "updated_by": write.actor,
    }
    return Projection([(ENHANCEMENT, body)], body, write.arguments, unverified)


def update_enhancement(write: Write) -> Projection:
    enhancement_id, version = write.arguments["id"], write.arguments["version"]
    changes = EnhancementChanges.model_validate(
        {k: v for k, v in write.arguments.items() if k not in ("id", "version")}
    )
    given = enhancement_changes(changes)
    body = checked(write.known(ENHANCEMENT, id=enhancement_id), version, ENHANCEMENT, {"id": enhancement_id})
    unverified = [] if "title" in body else ["id"]
    if "depends_on" in given and not check_enhancement_links(enhancement_id, given["depends_on"], _links(write)):
        unverified.append("depends_on")
    updated = stamped({**body, **given}, version, write)
    return Projection([(ENHANCEMENT, updated)], updated, write.arguments, unverified)


def _links(write: Write) -> Callable[[str], list[str] | None]:
    """Each enhancement's depends_on as the local view holds it; None where it does not."""

    def links(enhancement_id: str) -> list[str] | None:
        known = write.known(ENHANCEMENT, id=enhancement_id)
        return None if known is None else known.get("depends_on")

    return links


def update_configuration(write: Write) -> Projection:
    version = write.arguments["version"]
    changes = ConfigurationChanges.model_validate({k: v for k, v in write.arguments.items() if k != "version"})
    given = configuration_changes(changes)
    current = write.known(CONFIGURATION, id=CONFIGURATION_ID)
    body = stamped({**checked(current, version, CONFIGURATION, {"id": CONFIGURATION_ID}), **given}, version, write)
    return Projection([(CONFIGURATION, body)], body, write.arguments, [] if current else ["version"])


def record_session_prompt(write: Write) -> Projection:
    content = write.arguments["content"]
    frontmatter, _body = parse_frontmatter(content)
    body = {
        "id": write.assigned_id(),
        "session_id": write.arguments["session_id"],
        "schema_version": str(frontmatter["schema_version"]),
        "frontmatter": frontmatter,
        "content": content,
        "recorded_at": write.stamp,
        "created_by": write.actor,
    }
    return Projection([(SESSION_PROMPT, body)], body, write.arguments)
