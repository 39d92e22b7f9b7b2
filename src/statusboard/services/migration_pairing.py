"""The file's entries paired with the rows the database holds (see `domain/entry_pairing.py`).

The import steps take from a section's pairing what is already there and add the rest;
once they are flushed, `pair_again` pairs the whole file with the database once more, inside
the import's transaction, and the reconciliation counts from that: the rows the database
really holds for the file's entries, duplicates included.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import Connection

from statusboard.domain.entry_pairing import (
    DeploymentKey,
    Pairing,
    PromptKey,
    WorkItemKey,
    deployment_key,
    enhancement_key,
    prompt_key,
    work_item_key,
)
from statusboard.domain.parsed_status import (
    DEPLOYMENTS,
    ENHANCEMENTS,
    SESSION_PROMPTS,
    VENDORS,
    WORK_ITEMS,
    ParsedDeployment,
    ParsedSessionPrompt,
    ParsedStatus,
    ParsedWorkItem,
)
from statusboard.domain.vendors import name_key
from statusboard.storage.repositories import migration as lookups


def given_uuid(ref: str | None) -> str | None:
    """The id an entry is written with, if it is a UUID (hand-written files use ids like T001)."""
    if ref is None:
        return None
    try:
        return str(uuid.UUID(ref))
    except ValueError:
        return None


def vendor_pairing(conn: Connection) -> Pairing:
    return Pairing((), ((key, vendor_id) for key, vendor_id in lookups.vendor_ids_by_key(conn).items()), ())


def deployment_pairing(conn: Connection) -> Pairing:
    return Pairing((), lookups.deployment_keys(conn), ())


def deployment_entry_key(deployment: ParsedDeployment) -> DeploymentKey:
    return deployment_key(deployment.timestamp, deployment.commit_hash, deployment.pr_number)


def enhancement_pairing(conn: Connection, parsed: ParsedStatus) -> Pairing:
    keyed = lookups.enhancement_keys(conn)
    return Pairing((row_id for _, row_id in keyed), keyed, (given_uuid(e.id) for e in parsed.enhancements))


def prompt_pairing(conn: Connection) -> Pairing:
    return Pairing((), lookups.prompt_keys(conn), ())


def prompt_entry_key(prompt: ParsedSessionPrompt) -> PromptKey:
    return prompt_key(prompt.date, prompt.session_id, prompt.content)


def work_item_pairing(conn: Connection, parsed: ParsedStatus, live_ids: Iterable[str]) -> Pairing:
    """Items are found by id among the live, deleted and archived ones (an archived item is
    still there: bringing it back live would give two items one id), by their natural key
    among the live ones."""
    row_ids = {*live_ids, *lookups.archived_item_ids(conn)}
    return Pairing(row_ids, lookups.live_item_keys(conn), (given_uuid(item.id) for item in parsed.work_items))


def parent_of(item: ParsedWorkItem, ids_by_ref: dict[str, str], ids_by_line: dict[int, str]) -> str | None:
    """The id the item's parent has (or will have) in the database, if it is known."""
    if item.parent_ref is not None and item.parent_ref in ids_by_ref:
        return ids_by_ref[item.parent_ref]
    return None if item.parent_line is None else ids_by_line.get(item.parent_line)


def work_item_entry_key(item: ParsedWorkItem, parent_id: str | None) -> WorkItemKey | None:
    """None for an item below another whose parent is not known: it names no row."""
    return None if item.depth > 0 and parent_id is None else work_item_key(item.item_type, item.title, parent_id)


def remember_item(item: ParsedWorkItem, item_id: str, ids_by_ref: dict[str, str], ids_by_line: dict[int, str]) -> None:
    ids_by_line[item.line] = item_id
    if item.id is not None:
        ids_by_ref[item.id] = item_id


def pair_again(conn: Connection, parsed: ParsedStatus) -> dict[str, Pairing]:
    """Every section of the file paired with the database as it is now."""
    vendors = vendor_pairing(conn)
    for vendor in parsed.vendors:
        vendors.take(None, name_key(vendor.name), vendor.line)
    deployments = deployment_pairing(conn)
    for deployment in parsed.deployments:
        deployments.take(None, deployment_entry_key(deployment), deployment.line)
    enhancements = enhancement_pairing(conn, parsed)
    for e in parsed.enhancements:
        enhancements.take(given_uuid(e.id), enhancement_key(e.title, e.target_quarter), e.line)
    prompts = prompt_pairing(conn)
    for prompt in parsed.session_prompts:
        prompts.take(None, prompt_entry_key(prompt), prompt.line)
    items = work_item_pairing(conn, parsed, lookups.item_places(conn))
    ids_by_ref: dict[str, str] = {}
    ids_by_line: dict[int, str] = {}
    for item in parsed.work_items:
        parent_id = parent_of(item, ids_by_ref, ids_by_line)
        found = items.take(given_uuid(item.id), work_item_entry_key(item, parent_id), item.line)
        if found is not None:
            remember_item(item, found, ids_by_ref, ids_by_line)
    return {
        VENDORS: vendors,
        DEPLOYMENTS: deployments,
        ENHANCEMENTS: enhancements,
        SESSION_PROMPTS: prompts,
        WORK_ITEMS: items,
    }
