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
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from statusboard.domain.deployments import ordered_test_summary
from statusboard.domain.enhancements import display_quarter
from statusboard.domain.vendors import FORMATS

TITLE = "# Project Status"
FORMAT_LABELS = {"excel": "Excel", "csv": "CSV", "pdf": "PDF", "ocr": "OCR"}
TICK = {True: "✓", False: "✗"}
_HEADER_LIKE = re.compile(r"^\\*#")


@dataclass
class StatusData:
    vendors: list[dict[str, Any]] = field(default_factory=list)
    work_items: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    deployments: list[dict[str, Any]] = field(default_factory=list)  # in the order they were recorded
    enhancements: list[dict[str, Any]] = field(default_factory=list)
    session_prompts: list[dict[str, Any]] = field(default_factory=list)


def render(data: StatusData) -> str:
    lines = [TITLE]
    lines += _section("Vendors", data.vendors, _vendor_lines)
    lines += _section("Deployments", sorted(data.deployments, key=_deployment_order, reverse=True), _deployment_lines)
    lines += _section("Future Enhancements", data.enhancements, _enhancement_lines)
    lines += _section("Work Items", _tree_order(data.work_items), _work_item_lines)
    lines += _section("Session Prompts", data.session_prompts, _prompt_lines)
    return "\n".join(lines) + "\n"


def _section(name: str, entries: list[dict[str, Any]], render_entry: Any) -> list[str]:
    lines = [f"## {name} ({len(entries)} total)"]
    for entry in entries:
        lines += render_entry(entry)
    return lines


def _vendor_lines(vendor: dict[str, Any]) -> list[str]:
    meta = vendor["metadata"]
    line = f"- {vendor['name']}: {vendor['status']}"
    results = meta.get("test_results")
    if results is not None:
        line += f" ({results['passing']}/{results['total']} tests passed, {results['skipped']} skipped)"
    formats = meta.get("format_support")
    if formats is not None:
        line += " [" + ", ".join(FORMAT_LABELS[name] for name in FORMATS if formats[name]) + "]"
    if meta.get("extractor_version"):
        line += f" v{meta['extractor_version']}"
    if meta.get("manifest_compliant") is not None:
        line += f" manifest {TICK[meta['manifest_compliant']]}"
    return [line]


def _deployment_order(deployment: dict[str, Any]) -> tuple[str, int, str]:
    """Newest first by what the file shows; the sort is stable, so deployments the file shows
    alike keep the order they were recorded in (the order a migration records them back)."""
    return (utc_stamp(deployment["timestamp"]), deployment.get("pr_number") or 0, deployment["commit_hash"])


def utc_stamp(timestamp: str) -> str:
    return datetime.fromisoformat(timestamp).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _deployment_lines(deployment: dict[str, Any]) -> list[str]:
    meta = deployment["metadata"]
    header = f"### {utc_stamp(deployment['timestamp'])}"
    if meta.get("pr_number") is not None:
        header += f" - PR #{meta['pr_number']}"
    lines = [header]
    if meta.get("pr_title"):
        lines.append(f"- Title: {meta['pr_title']}")
    lines.append(f"- Commit: {deployment['commit_hash']}")
    items = deployment.get("related_work_items") or []
    if items:
        lines.append("- Work Items: " + ", ".join(f"#{item['id']}" for item in items))
    vendors = deployment.get("affected_vendors") or []
    if vendors:
        lines.append("- Vendors: " + ", ".join(vendor["name"] for vendor in vendors))
    summary = meta.get("test_summary")
    if summary:
        lines.append("- Tests: " + ", ".join(f"{count} {name}" for name, count in ordered_test_summary(summary)))
    if meta.get("constitutional_compliance") is not None:
        lines.append(f"- Constitutional Compliance: {TICK[meta['constitutional_compliance']]}")
    return lines


def _enhancement_lines(enhancement: dict[str, Any]) -> list[str]:
    attrs = [f"Priority: {enhancement['priority'].capitalize()}", display_quarter(enhancement["target_quarter"])]
    if enhancement["status"] != "planned":
        attrs.append(f"Status: {enhancement['status']}")
    lines = [f"- {enhancement['title']} ({', '.join(attrs)}) #{enhancement['id']}"]
    if enhancement.get("description"):
        lines.append(f"  - Description: {one_line(enhancement['description'])}")
    if enhancement.get("requires_principles"):
        lines.append(f"  - Requires: {json.dumps(enhancement['requires_principles'], ensure_ascii=False)}")
    if enhancement.get("depends_on"):
        lines.append("  - Depends on: " + ", ".join(f"#{other}" for other in enhancement["depends_on"]))
    return lines


def _tree_order(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Parents before their children, siblings in the order given: a depth-first walk."""
    children: dict[str | None, list[dict[str, Any]]] = {}
    known = {item["id"] for item in items}
    for item in items:
        parent = item["parent_id"] if item["parent_id"] in known else None
        children.setdefault(parent, []).append(item)
    ordered: list[dict[str, Any]] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        item = stack.pop()
        ordered.append(item)
        stack.extend(reversed(children.get(item["id"], [])))
    return ordered


def _work_item_lines(item: dict[str, Any]) -> list[str]:
    attrs = [item["status"]]
    priority = item.get("priority")
    if priority:
        attrs.append(f"priority: {priority}")
    if item.get("branch_name"):
        attrs.append(f"branch: {item['branch_name']}")
    if item.get("commit_hash"):
        attrs.append(f"commit: {item['commit_hash']}")
    if item.get("pr_number"):
        attrs.append(f"PR #{item['pr_number']}")
    indent = "  " * item["depth"]
    return [f"{indent}- [{item['item_type']}] {one_line(item['title'])} ({', '.join(attrs)}) #{item['id']}"]


def _prompt_lines(prompt: dict[str, Any]) -> list[str]:
    header = f"### Session {prompt['recorded_at'][:10]}"
    if prompt["frontmatter"].get("session_id") != prompt["session_id"]:
        header += f" (session_id: {prompt['session_id']})"
    body = prompt["content"].rstrip("\n").split("\n")
    return [header, *(escape_prompt_line(line) for line in body)]


def escape_prompt_line(line: str) -> str:
    return "\\" + line if _HEADER_LIKE.match(line) else line


def unescape_prompt_line(line: str) -> str:
    return line[1:] if line.startswith("\\") and _HEADER_LIKE.match(line[1:]) else line


def one_line(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\r", "").replace("\n", "\\n")


def from_one_line(text: str) -> str:
    return re.sub(r"\\(\\|n)", lambda m: "\\" if m[1] == "\\" else "\n", text)
