"""The status file: the legacy `.project_status.md` layout, written so that it reads back.

Everything the legacy format shows is written the legacy way. What it lacks is added in
forms a reader can parse without guessing:
- vendor lines may end with `manifest ✓` / `manifest ✗`;
- a `## Work Items` section lists live items as an indented tree, each line ending
  with `#<id>`; enhancement lines end with `#<id>` too, so links can name them;
- deployment headers carry the time in UTC (`### 2025-10-01T14:03:07Z - PR #100`) and
  the PR title on a `- Title:` line;
- multi-line text is kept on one line with `\\n` escapes (and `\\\\` for a backslash);
- session prompt lines that start with `#` (after any backslashes) get one more leading
  backslash, so no prompt line can pass for a section header; readers remove one.
Sections and entries come in a fixed order, so the same data always gives the same file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import product
from typing import Any, NamedTuple

from statusboard.domain.deployments import ordered_test_summary
from statusboard.domain.enhancements import display_quarter
from statusboard.domain.entities import OutlineRow, WorkItemOutline
from statusboard.domain.records import DeploymentOutline, EnhancementOutline, SessionPromptShown, VendorOutline
from statusboard.domain.vendors import FORMATS

TITLE = "# Project Status"
FORMAT_LABELS = {"excel": "Excel", "csv": "CSV", "pdf": "PDF", "ocr": "OCR"}
TICK = {True: "✓", False: "✗"}
_LABELS = tuple(FORMAT_LABELS[name] for name in FORMATS)
_HEADER_LIKE = re.compile(r"^\\*#")


@dataclass
class StatusData:
    """Everything the status file shows, as the database, the file itself or a fallback layer holds it."""

    vendors: Sequence[VendorOutline] = field(default_factory=list)  # by name
    work_items: Sequence[WorkItemOutline] = field(default_factory=list)  # oldest first
    deployments: Sequence[DeploymentOutline] = field(default_factory=list)  # in the order they were recorded
    enhancements: Sequence[EnhancementOutline] = field(default_factory=list)
    session_prompts: Sequence[SessionPromptShown] = field(default_factory=list)


def render(data: StatusData) -> str:
    return assemble(
        vendors_section(data.vendors),
        deployments_section(data.deployments),
        enhancements_section(data.enhancements),
        work_items_section(data.work_items),
        prompts_section(data.session_prompts),
    )


def assemble(*sections: str) -> str:
    """The file from its sections' texts (as the `*_section` functions give them), in file order."""
    return "\n".join((TITLE, *sections)) + "\n"


def _section(name: str, count: int, lines: Iterable[str]) -> str:
    return "\n".join((f"## {name} ({count} total)", *lines))


# -- vendors ------------------------------------------------------------------------------


class VendorFacts(NamedTuple):
    """What the file shows of a vendor, flat: the form the database picks out of its metadata."""

    name: str
    status: str
    passing: int | None  # the test results: all three or none
    total: int | None
    skipped: int | None
    excel: bool | None  # the format support: all four or none
    csv: bool | None
    pdf: bool | None
    ocr: bool | None
    extractor_version: str | None
    manifest_compliant: bool | None


def vendors_section(vendors: Iterable[VendorOutline]) -> str:
    return vendor_lines_section([vendor_line(vendor_facts(vendor)) for vendor in vendors])


def vendor_lines_section(lines: Sequence[str]) -> str:
    """The vendor section from its lines (as `vendor_line` gives them), in file order."""
    return _section("Vendors", len(lines), lines)


def vendor_facts(vendor: VendorOutline) -> VendorFacts:
    meta = vendor["metadata"]
    results: Mapping[str, Any] = meta.get("test_results") or {}
    formats: Mapping[str, Any] = meta.get("format_support") or {}
    return VendorFacts(
        vendor["name"],
        vendor["status"],
        results.get("passing"),
        results.get("total"),
        results.get("skipped"),
        formats.get("excel"),
        formats.get("csv"),
        formats.get("pdf"),
        formats.get("ocr"),
        meta.get("extractor_version"),
        meta.get("manifest_compliant"),
    )


# Format support has 16 possible values: each one's text is made once.
_FORMATS_TEXT = {
    flags: " [" + ", ".join([label for label, on in zip(_LABELS, flags, strict=True) if on]) + "]"
    for flags in product((False, True), repeat=len(FORMATS))
}
_MANIFEST_TEXT = {flag: f" manifest {tick}" for flag, tick in TICK.items()}


def vendor_line(vendor: VendorFacts) -> str:
    name, status, passing, total, skipped, excel, csv, pdf, ocr, version, manifest = vendor
    line = f"- {name}: {status}"
    if total is not None:
        line = f"{line} ({passing}/{total} tests passed, {skipped} skipped)"
    if excel is not None:
        line += _FORMATS_TEXT[bool(excel), bool(csv), bool(pdf), bool(ocr)]
    if version:
        line = f"{line} v{version}"
    if manifest is not None:
        line += _MANIFEST_TEXT[manifest]
    return line


# -- deployments --------------------------------------------------------------------------


def deployments_section(deployments: Iterable[DeploymentOutline]) -> str:
    """Newest first by what the file shows (see `_deployment_order`). Each deployment is
    written as it comes, and only its text and its sort key are kept (see `outline_rows_section`)."""
    keys: list[tuple[str, int, str]] = []
    blocks: list[str] = []
    for deployment in deployments:
        key = _deployment_order(deployment)
        keys.append(key)
        blocks.append("\n".join(_deployment_lines(deployment, key[0])))
    newest_first = sorted(range(len(keys)), key=keys.__getitem__, reverse=True)  # stable, ties keep their order
    return _section("Deployments", len(blocks), [blocks[i] for i in newest_first])


def _deployment_order(deployment: DeploymentOutline) -> tuple[str, int, str]:
    """Newest first by what the file shows; the sort is stable, so deployments the file shows
    alike keep the order they were recorded in (the order a migration records them back)."""
    return (utc_stamp(deployment["timestamp"]), deployment.get("pr_number") or 0, deployment["commit_hash"])


def utc_stamp(timestamp: str) -> str:
    return datetime.fromisoformat(timestamp).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _deployment_lines(deployment: DeploymentOutline, stamp: str) -> list[str]:
    meta = deployment["metadata"]
    header = f"### {stamp}"
    if meta.get("pr_number") is not None:
        header += f" - PR #{meta['pr_number']}"
    lines = [header]
    if meta.get("pr_title"):
        lines.append(f"- Title: {meta['pr_title']}")
    lines.append(f"- Commit: {deployment['commit_hash']}")
    items = deployment.get("related_work_items") or []
    if items:
        lines.append("- Work Items: " + ", ".join([f"#{item['id']}" for item in items]))
    vendors = deployment.get("affected_vendors") or []
    if vendors:
        lines.append("- Vendors: " + ", ".join([vendor["name"] for vendor in vendors]))
    summary = meta.get("test_summary")
    if summary:
        lines.append("- Tests: " + ", ".join([f"{count} {name}" for name, count in ordered_test_summary(summary)]))
    if meta.get("constitutional_compliance") is not None:
        lines.append(f"- Constitutional Compliance: {TICK[meta['constitutional_compliance']]}")
    return lines


# -- enhancements -------------------------------------------------------------------------


def enhancements_section(enhancements: Sequence[EnhancementOutline]) -> str:
    lines: list[str] = []
    for enhancement in enhancements:
        lines += _enhancement_lines(enhancement)
    return _section("Future Enhancements", len(enhancements), lines)


def _enhancement_lines(enhancement: EnhancementOutline) -> list[str]:
    attrs = [f"Priority: {enhancement['priority'].capitalize()}", display_quarter(enhancement["target_quarter"])]
    if enhancement["status"] != "planned":
        attrs.append(f"Status: {enhancement['status']}")
    lines = [f"- {enhancement['title']} ({', '.join(attrs)}) #{enhancement['id']}"]
    description = enhancement.get("description")
    if description:
        lines.append(f"  - Description: {one_line(description)}")
    if enhancement.get("requires_principles"):
        lines.append(f"  - Requires: {json.dumps(enhancement['requires_principles'], ensure_ascii=False)}")
    if enhancement.get("depends_on"):
        lines.append("  - Depends on: " + ", ".join(f"#{other}" for other in enhancement["depends_on"]))
    return lines


# -- work items ---------------------------------------------------------------------------


def work_items_section(items: Iterable[WorkItemOutline]) -> str:
    return outline_rows_section(map(outline_row, items))


def outline_rows_section(items: Iterable[OutlineRow]) -> str:
    """Live items, oldest first, written as a tree (see `_tree_order`).

    Each item is kept only as its id, its parent's id and its line (strings, in three
    lists): thousands of rows held to the end would have the garbage collector promote
    them, and every few builds pay for a full collection of the process.
    """
    ids: list[str] = []
    parents: list[str | None] = []
    lines: list[str] = []
    for item in items:
        ids.append(item[0])
        parents.append(item[1])
        lines.append(_work_item_line(item))
    order = _tree_order(ids, parents)
    return _section("Work Items", len(order), [lines[i] for i in order])


def outline_row(item: WorkItemOutline) -> OutlineRow:
    return (
        item["id"],
        item["parent_id"],
        item["depth"],
        item["item_type"],
        item["title"],
        item["status"],
        item.get("priority"),
        item.get("branch_name"),
        item.get("commit_hash"),
        item.get("pr_number"),
    )


def _tree_order(ids: list[str], parents: list[str | None]) -> list[int]:
    """The positions of the items, parents before their children and siblings in the order
    given: a depth-first walk. An item whose parent is not among them is a root."""
    position = {item_id: i for i, item_id in enumerate(ids)}
    count = len(ids)
    first_child, last_child, next_sibling = [-1] * count, [-1] * count, [-1] * count
    first_root = last_root = -1
    for i, parent_id in enumerate(parents):
        parent = -1 if parent_id is None else position.get(parent_id, -1)
        if parent == -1:
            if last_root == -1:
                first_root = i
            else:
                next_sibling[last_root] = i
            last_root = i
        else:
            if last_child[parent] == -1:
                first_child[parent] = i
            else:
                next_sibling[last_child[parent]] = i
            last_child[parent] = i
    ordered: list[int] = []
    later: list[int] = []  # next siblings to come back to, innermost last
    node = first_root
    while node != -1 or later:
        if node == -1:
            node = later.pop()
        ordered.append(node)
        if next_sibling[node] != -1:
            later.append(next_sibling[node])
        node = first_child[node]
    return ordered


def _work_item_line(item: OutlineRow) -> str:
    item_id, _, depth, item_type, title, status, priority, branch, commit, pr_number = item
    attrs = status
    if priority:
        attrs += f", priority: {priority}"
    if branch:
        attrs += f", branch: {branch}"
    if commit:
        attrs += f", commit: {commit}"
    if pr_number:
        attrs += f", PR #{pr_number}"
    return f"{'  ' * depth}- [{item_type}] {one_line(title)} ({attrs}) #{item_id}"


# -- session prompts ----------------------------------------------------------------------


def prompts_section(prompts: Sequence[SessionPromptShown]) -> str:
    lines: list[str] = []
    for prompt in prompts:
        lines += _prompt_lines(prompt)
    return _section("Session Prompts", len(prompts), lines)


def _prompt_lines(prompt: SessionPromptShown) -> list[str]:
    header = f"### Session {prompt['recorded_at'][:10]}"
    if prompt["frontmatter"].get("session_id") != prompt["session_id"]:
        header += f" (session_id: {prompt['session_id']})"
    body = prompt["content"].rstrip("\n").split("\n")
    return [header, *(escape_prompt_line(line) for line in body)]


def prompt_as_read(content: str) -> str:
    """The prompt's text as a reader of the file gets it back: `_prompt_lines` drops its final
    line breaks, the reader drops blank lines before it and empty ones (or a lone carriage
    return) after it, and ends it with one line break."""
    lines = content.rstrip("\n").split("\n")
    start = next((index for index, line in enumerate(lines) if line.strip()), len(lines))
    end = len(lines)
    while end > start and lines[end - 1] in ("", "\r"):
        end -= 1
    return "\n".join(lines[start:end]) + "\n"


def escape_prompt_line(line: str) -> str:
    return "\\" + line if _HEADER_LIKE.match(line) else line


def unescape_prompt_line(line: str) -> str:
    return line[1:] if line.startswith("\\") and _HEADER_LIKE.match(line[1:]) else line


def one_line(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\r", "").replace("\n", "\\n")


def from_one_line(text: str) -> str:
    return re.sub(r"\\(\\|n)", lambda m: "\\" if m[1] == "\\" else "\n", text)
