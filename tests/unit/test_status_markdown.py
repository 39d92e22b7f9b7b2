"""The status file writer: the contract's legacy lines, and escapes that read back exactly."""

from __future__ import annotations

from typing import Any

import pytest

from statusboard.domain.status_markdown import (
    StatusData,
    escape_prompt_line,
    from_one_line,
    one_line,
    render,
    unescape_prompt_line,
)

ITEM_DEFAULTS: dict[str, Any] = {"branch_name": None, "commit_hash": None, "pr_number": None}


def vendor(name: str, status: str, passing: int, total: int, skipped: int, formats: list[str], version: str) -> Any:
    flags = {flag: flag in formats for flag in ("excel", "csv", "pdf", "ocr")}
    meta = {
        "test_results": {"passing": passing, "total": total, "skipped": skipped},
        "format_support": flags,
        "extractor_version": version,
    }
    return {"name": name, "status": status, "metadata": meta}


def test_the_contract_example_comes_out_line_for_line() -> None:
    data = StatusData(
        vendors=[
            vendor("vendor_1", "operational", 10, 12, 2, ["excel", "csv"], "1.2.3"),
            vendor("vendor_2", "broken", 5, 10, 0, ["pdf", "ocr"], "2.0.1"),
        ],
        deployments=[
            {
                "id": "d1",
                "timestamp": "2025-10-01T00:00:00+00:00",
                "commit_hash": "abc1234",
                "metadata": {
                    "pr_number": 100,
                    "commit_hash": "abc1234",
                    "test_summary": {"failed": 0, "passed": 45},
                    "constitutional_compliance": True,
                },
                "related_work_items": [{"id": "T001"}, {"id": "T002"}],
                "affected_vendors": [{"name": "vendor_1"}, {"name": "vendor_2"}],
            }
        ],
        enhancements=[
            {"id": "e1", "title": "Enhancement A", "priority": "high", "status": "planned", "target_quarter": "2026-Q1"}
        ],
        session_prompts=[
            {
                "recorded_at": "2025-10-01T09:00:00+00:00",
                "session_id": "sess_001",
                "frontmatter": {"session_id": "sess_001"},
                "content": "---\nsession_id: sess_001\ntoken_budget: 50000\n---\nPrompt content...\n",
            }
        ],
    )
    assert render(data).split("\n") == [
        "# Project Status",
        "## Vendors (2 total)",
        "- vendor_1: operational (10/12 tests passed, 2 skipped) [Excel, CSV] v1.2.3",
        "- vendor_2: broken (5/10 tests passed, 0 skipped) [PDF, OCR] v2.0.1",
        "## Deployments (1 total)",
        "### 2025-10-01T00:00:00Z - PR #100",
        "- Commit: abc1234",
        "- Work Items: #T001, #T002",
        "- Vendors: vendor_1, vendor_2",
        "- Tests: 45 passed, 0 failed",
        "- Constitutional Compliance: ✓",
        "## Future Enhancements (1 total)",
        "- Enhancement A (Priority: High, Q1 2026) #e1",
        "## Work Items (0 total)",
        "## Session Prompts (1 total)",
        "### Session 2025-10-01",
        "---",
        "session_id: sess_001",
        "token_budget: 50000",
        "---",
        "Prompt content...",
        "",
    ]


def test_work_items_come_out_as_a_tree_keeping_their_order() -> None:
    def item(item_id: str, parent: str | None, depth: int, created: str, **extra: Any) -> dict[str, Any]:
        fields = {"item_type": "task", "title": item_id.upper(), "status": "active", **ITEM_DEFAULTS, **extra}
        return {"id": item_id, "parent_id": parent, "depth": depth, "created_at": created, **fields}

    items = [  # oldest first, as the repository gives them
        item("a", None, 0, "2025-01-01", status="blocked", branch_name="feat/x", commit_hash="abc1234"),
        item("b", None, 0, "2025-01-02", pr_number=7, priority="low"),
        item("c", "a", 1, "2025-01-03"),
        item("d", "c", 2, "2025-01-04"),
    ]
    lines = render(StatusData(work_items=items)).split("\n")
    start = lines.index("## Work Items (4 total)")
    assert lines[start + 1 : start + 5] == [
        "- [task] A (blocked, branch: feat/x, commit: abc1234) #a",
        "  - [task] C (active) #c",
        "    - [task] D (active) #d",
        "- [task] B (active, priority: low, PR #7) #b",
    ]


def test_the_tree_takes_orphans_as_roots_and_leaves_out_what_no_root_reaches() -> None:
    def item(item_id: str, parent: str | None, depth: int) -> dict[str, Any]:
        return {"id": item_id, "parent_id": parent, "depth": depth, "item_type": "task", "title": item_id}

    items = [
        item("a", None, 0),
        item("x", "y", 1),  # x and y are each other's parent: no root reaches them
        item("b", "gone", 1),  # its parent is not listed: a root
        item("c", "a", 1),
        item("y", "x", 1),
        item("d", "a", 1),
        item("e", "b", 2),
        item("f", "c", 2),
    ]
    lines = render(StatusData(work_items=[{"status": "active", **ITEM_DEFAULTS, **i} for i in items])).split("\n")
    start = lines.index("## Work Items (6 total)")
    assert [line.split(" #")[-1] for line in lines[start + 1 : start + 7]] == ["a", "c", "f", "d", "b", "e"]


@pytest.mark.parametrize("text", ["plain", "two\nlines", "back\\slash\\n not a newline", "\\", "\n\n"])
def test_one_line_text_reads_back(text: str) -> None:
    assert "\n" not in one_line(text)
    assert from_one_line(one_line(text)) == text


@pytest.mark.parametrize("line", ["## Heading", "### Session x", "# Project Status", "\\## already", "\\\\#", "plain"])
def test_prompt_lines_never_look_like_headers_and_read_back(line: str) -> None:
    escaped = escape_prompt_line(line)
    assert not escaped.startswith("#")
    assert unescape_prompt_line(escaped) == line
