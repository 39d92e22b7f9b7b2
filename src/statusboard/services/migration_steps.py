"""The migration's import steps: each section's entries validated and added, unless already there."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Table

from statusboard.domain.deployments import NewDeployment
from statusboard.domain.enhancements import NewEnhancement, has_cycle
from statusboard.domain.entry_pairing import enhancement_key
from statusboard.domain.errors import ValidationError
from statusboard.domain.parsed_status import ParsedEnhancement, ParsedStatus, deployment_metadata
from statusboard.domain.reconciliation import COUNT_CHECKS, ReportedProblem
from statusboard.domain.validation import new_id, validated
from statusboard.domain.vendors import NewVendor, name_key, new_vendor_row, validate_vendor_metadata
from statusboard.domain.work_items import MAX_DEPTH, NewWorkItem, child_path, root_path
from statusboard.services.changes import ChangeEntry
from statusboard.services.migration_pairing import (
    deployment_entry_key,
    deployment_pairing,
    enhancement_pairing,
    given_uuid,
    parent_of,
    prompt_entry_key,
    prompt_pairing,
    remember_item,
    work_item_entry_key,
    work_item_pairing,
)
from statusboard.storage import tables
from statusboard.storage.repositories import enhancements as enhancements_repo
from statusboard.storage.repositories import migration as lookups

SECTIONS = tuple(COUNT_CHECKS)
OP = "import"
FLUSH_BATCH = 1000
INSERT_ORDER = (
    tables.vendors,
    tables.work_items,
    tables.deployments,
    tables.deployment_vendors,
    tables.deployment_work_items,
    tables.enhancements,
    tables.enhancement_dependencies,
    tables.session_prompts,
)
UNVERSIONED = "unversioned"  # a legacy prompt written before frontmatter carried schema_version


@dataclass
class ImportJob:
    conn: Connection
    actor: str
    now: datetime
    source: str
    errors: list[ReportedProblem] = field(default_factory=list)
    log: list[ChangeEntry] = field(default_factory=list)
    added: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    vendor_ids: dict[str, str] = field(default_factory=dict)  # name key -> id, of every vendor there will be
    item_ids: dict[str, str] = field(default_factory=dict)  # a reference as written -> id
    item_ids_by_line: dict[int, str] = field(default_factory=dict)
    enhancement_ids: dict[str, str] = field(default_factory=dict)
    serial: int = 0
    pending: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def refuse(self, line: int, section: str, reason: str) -> None:
        self.errors.append({"line": line, "section": section, "message": reason})

    def created_at(self, base: datetime | None = None) -> datetime:
        """`base` (now by default) plus a step that grows with each entry, so the file's order
        is the order they are listed in."""
        self.serial += 1
        return (base or self.now) + timedelta(microseconds=self.serial)

    def add(self, table: Table, rows: list[dict[str, Any]]) -> None:
        """Keeps rows to insert in bulk (see `flush`): one statement per table, not one per row."""
        self.pending.setdefault(table.name, []).extend(rows)

    def flush(self) -> None:
        """Inserts the kept rows, parents before children and tables before those that refer to them."""
        for table in INSERT_ORDER:
            rows = self.pending.pop(table.name, [])
            for start in range(0, len(rows), FLUSH_BATCH):
                self.conn.execute(table.insert(), rows[start : start + FLUSH_BATCH])

    def logged(self, entity: str, entity_id: str, version: int | None, line: int) -> None:
        self.log.append(ChangeEntry(entity, entity_id, version, OP, {"source": self.source, "line": line}))


def import_vendors(job: ImportJob, parsed: ParsedStatus) -> None:
    job.vendor_ids.update(lookups.vendor_ids_by_key(job.conn))
    existing = set(job.vendor_ids)
    in_file: set[str] = set()
    for vendor in parsed.vendors:
        key = name_key(vendor.name)
        if key in in_file:
            job.refuse(vendor.line, "vendors", f"the name {vendor.name!r} appears twice (names ignore case)")
            continue
        in_file.add(key)
        if key in existing:
            continue
        try:
            draft = validated(NewVendor, {"name": vendor.name, "status": vendor.status, "metadata": vendor.metadata})
            metadata = validate_vendor_metadata(draft.metadata)
        except ValidationError as exc:
            job.refuse(vendor.line, "vendors", exc.message)
            continue
        vendor_id = new_id()
        job.add(tables.vendors, [new_vendor_row(vendor_id, draft, metadata, job.actor, job.created_at())])
        job.vendor_ids[name_key(draft.name)] = vendor_id
        job.added["vendors"] += 1
        job.logged("vendor", vendor_id, 1, vendor.line)


def import_work_items(job: ImportJob, parsed: ParsedStatus) -> None:
    places = lookups.item_places(job.conn)  # id -> (path, depth) of every item already there
    pairing = work_item_pairing(job.conn, parsed, places)
    for item in parsed.work_items:
        parent_id = parent_of(item, job.item_ids, job.item_ids_by_line)
        item_id = given_uuid(item.id)
        known = pairing.take(item_id, work_item_entry_key(item, parent_id), item.line)
        if known is not None:
            remember_item(item, known, job.item_ids, job.item_ids_by_line)
            continue
        if item.depth > 0 and parent_id is None:
            job.refuse(item.line, "work_items", "its parent was not migrated")
            continue
        parent_place = places.get(parent_id) if parent_id else None
        if parent_id is not None and parent_place is None:
            job.refuse(item.line, "work_items", f"parent {parent_id} not found")
            continue
        fields = {
            "item_type": item.item_type,
            "title": item.title,
            "status": item.status,
            "parent_id": parent_id,
            "metadata": {"priority": item.priority} if item.priority else {},
            "branch_name": item.branch_name,
            "commit_hash": item.commit_hash,
            "pr_number": item.pr_number,
        }
        try:
            draft = validated(NewWorkItem, {key: value for key, value in fields.items() if value is not None})
        except ValidationError as exc:
            job.refuse(item.line, "work_items", exc.message)
            continue
        item_id = item_id or new_id()
        if parent_place is None:
            path, depth = root_path(item_id), 0
        else:
            path, depth = child_path(parent_place[0], item_id), parent_place[1] + 1
        if depth > MAX_DEPTH:
            job.refuse(item.line, "work_items", f"deeper than {MAX_DEPTH} levels below the root")
            continue
        at = job.created_at()
        values = {
            **draft.model_dump(),
            "id": item_id,
            "version": 1,
            "path": path,
            "depth": depth,
            "archived": False,
            "created_at": at,
            "updated_at": at,
            "created_by": job.actor,
            "updated_by": job.actor,
        }
        job.add(tables.work_items, [values])
        places[item_id] = (path, depth)
        remember_item(item, item_id, job.item_ids, job.item_ids_by_line)
        job.added["work_items"] += 1
        job.logged("work_item", item_id, 1, item.line)


def import_deployments(job: ImportJob, parsed: ParsedStatus) -> None:
    pairing = deployment_pairing(job.conn)
    for deployment in parsed.deployments:
        if pairing.take(None, deployment_entry_key(deployment), deployment.line) is not None:
            continue
        try:
            draft = validated(
                NewDeployment, {"metadata": deployment_metadata(deployment), "timestamp": deployment.timestamp}
            )
        except ValidationError as exc:
            job.refuse(deployment.line, "deployments", exc.message)
            continue
        linked_vendors = []
        for name in deployment.vendor_names:
            found = job.vendor_ids.get(name_key(name))
            if found is None:
                job.refuse(deployment.line, "deployments", f"unknown vendor {name!r}: not linked")
            else:
                linked_vendors.append(found)
        linked_items = []
        for ref in deployment.work_item_refs:
            found_item = job.item_ids.get(ref) or lookups.existing_item(job.conn, given_uuid(ref))
            if found_item is None:
                job.refuse(deployment.line, "deployments", f"unknown work item #{ref}: not linked")
            else:
                linked_items.append(found_item)
        deployment_id = new_id()
        values = {
            "id": deployment_id,
            "timestamp": draft.timestamp,
            "commit_hash": draft.metadata.commit_hash,
            "pr_number": draft.metadata.pr_number,
            "metadata": draft.metadata.model_dump(mode="json", exclude_none=True),
            "created_at": job.created_at(),
            "created_by": job.actor,
        }
        job.add(tables.deployments, [values])
        job.add(
            tables.deployment_vendors,
            [{"deployment_id": deployment_id, "vendor_id": v} for v in dict.fromkeys(linked_vendors)],
        )
        job.add(
            tables.deployment_work_items,
            [{"deployment_id": deployment_id, "work_item_id": w} for w in dict.fromkeys(linked_items)],
        )
        job.added["deployments"] += 1
        job.logged("deployment", deployment_id, None, deployment.line)


def import_enhancements(job: ImportJob, parsed: ParsedStatus) -> None:
    pairing = enhancement_pairing(job.conn, parsed)
    pending_links: list[tuple[ParsedEnhancement, str]] = []
    for enhancement in parsed.enhancements:
        given = given_uuid(enhancement.id)
        known = pairing.take(given, enhancement_key(enhancement.title, enhancement.target_quarter), enhancement.line)
        if known is not None:
            _remember_enhancement(job, enhancement, known)
            continue
        fields = {
            "title": enhancement.title,
            "description": enhancement.description,
            "priority": enhancement.priority,
            "status": enhancement.status,
            "target_quarter": enhancement.target_quarter,
            "requires_principles": list(enhancement.requires_principles),
        }
        try:
            draft = validated(NewEnhancement, fields)
        except ValidationError as exc:
            job.refuse(enhancement.line, "enhancements", exc.message)
            continue
        enhancement_id = given or new_id()
        at = job.created_at()
        audit = {"created_at": at, "updated_at": at, "created_by": job.actor, "updated_by": job.actor}
        values = {**draft.model_dump(exclude={"depends_on"}), "id": enhancement_id, "version": 1, **audit}
        job.add(tables.enhancements, [values])
        _remember_enhancement(job, enhancement, enhancement_id)
        pending_links.append((enhancement, enhancement_id))
        job.added["enhancements"] += 1
        job.logged("enhancement", enhancement_id, 1, enhancement.line)
    _link_enhancements(job, pending_links)


def _remember_enhancement(job: ImportJob, enhancement: ParsedEnhancement, enhancement_id: str) -> None:
    job.enhancement_ids[enhancement.id or f"line-{enhancement.line}"] = enhancement_id


def _link_enhancements(job: ImportJob, pending: list[tuple[ParsedEnhancement, str]]) -> None:
    edges = enhancements_repo.all_links(job.conn)
    for enhancement, enhancement_id in pending:
        targets = []
        for ref in enhancement.depends_on:
            target = job.enhancement_ids.get(ref)
            if target is None:
                job.refuse(enhancement.line, "enhancements", f"depends on unknown enhancement #{ref}: not linked")
                continue
            edges[enhancement_id] = {*edges.get(enhancement_id, set()), target}
            if has_cycle(edges, enhancement_id):
                edges[enhancement_id].discard(target)
                job.refuse(enhancement.line, "enhancements", f"depending on #{ref} would make a cycle: not linked")
                continue
            targets.append(target)
        if targets:
            links = [{"enhancement_id": enhancement_id, "depends_on_id": t} for t in dict.fromkeys(targets)]
            job.add(tables.enhancement_dependencies, links)


def import_prompts(job: ImportJob, parsed: ParsedStatus) -> None:
    pairing = prompt_pairing(job.conn)
    for prompt in parsed.session_prompts:
        if pairing.take(None, prompt_entry_key(prompt), prompt.line) is not None:
            continue
        if not 1 <= len(prompt.session_id) <= 100:
            job.refuse(prompt.line, "session_prompts", "session_id must be 1 to 100 characters")
            continue
        prompt_id = new_id()
        recorded_at = job.created_at(datetime.combine(prompt.date, time(), UTC))
        job.add(
            tables.session_prompts,
            [
                {
                    "id": prompt_id,
                    "session_id": prompt.session_id,
                    "schema_version": str(prompt.frontmatter.get("schema_version", UNVERSIONED)),
                    "frontmatter": prompt.frontmatter,
                    "content": prompt.content,
                    "recorded_at": recorded_at,
                    "created_by": job.actor,
                }
            ],
        )
        job.added["session_prompts"] += 1
        job.logged("session_prompt", prompt_id, None, prompt.line)


STEPS = (import_vendors, import_work_items, import_deployments, import_enhancements, import_prompts)
