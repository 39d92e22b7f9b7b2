"""Limits as an MCP client meets them: a hostile argument is a ValidationError naming the field,
it writes nothing, and nothing accepted breaks a later read, the status file or a migration."""

from __future__ import annotations

from pathlib import Path

import pytest

from statusboard.config import Settings
from statusboard.domain.status_parser import parse_status_file
from statusboard.wiring import App, build_app
from tests.conftest import mcp_client
from tests.interfaces.test_mcp_tools import call

pytestmark = pytest.mark.anyio

MAX_SAFE = 2**53 - 1
INT_COLUMN = 2**31 - 1  # PostgreSQL's integer: pull request numbers, a vendor's test counts
MISSING = "00000000-0000-0000-0000-000000000000"


@pytest.mark.parametrize(
    ("tool", "arguments", "field"),
    [
        ("create_work_item", {"item_type": "task", "title": "t", "pr_number": 2**63}, "pr_number"),
        ("list_work_items", {"offset": 2**63}, "offset"),
        ("list_changes", {"since_seq": 2**63}, "since_seq"),
        ("query_archived_work_items", {"offset": 2**64}, "offset"),
        ("update_work_item", {"id": MISSING, "version": 2**63}, "version"),
        ("list_session_prompts", {"offset": 2**63}, "offset"),
    ],
)
async def test_integers_at_2_63_are_validation_errors_not_internal_errors(
    app: App, tool: str, arguments: dict[str, object], field: str
) -> None:
    async with mcp_client(app) as client:
        body = await call(client, tool, **arguments)
    assert body["error"] == "ValidationError" and body["details"]["field"] == field


async def test_a_deeply_nested_session_prompt_is_refused_and_the_prompts_still_list(app: App) -> None:
    hostile = "---\nschema_version: 1\nx: " + "[" * 400 + "]" * 400 + "\n---\nbody"
    async with mcp_client(app) as client:
        refused = await call(client, "record_session_prompt", session_id="s1", content=hostile)
        listed = await call(client, "list_session_prompts")
        changes = await call(client, "list_changes")
    assert refused["error"] == "ValidationError" and refused["details"]["field"] == "content"
    assert refused["message"].startswith("content: line 3: ")
    assert listed["success"] is True and listed["total_count"] == 0
    assert changes["changes"] == []


async def test_ten_megabyte_metadata_strings_are_refused_and_nothing_is_written(app: App) -> None:
    huge = "x" * 10_000_000
    async with mcp_client(app) as client:
        item = await call(client, "create_work_item", item_type="research", title="t", metadata={"references": [huge]})
        vendor = await call(client, "create_vendor", name="v", metadata={"extractor_version": huge})
        listed = await call(client, "list_work_items")
    assert item["error"] == vendor["error"] == "ValidationError"
    assert item["details"]["field"] == vendor["details"]["field"] == "metadata"
    assert listed["total_count"] == 0


async def test_the_largest_numbers_accepted_render_and_read_back_and_larger_ones_are_refused(
    database_url: str, tmp_path: Path
) -> None:
    status_file = tmp_path / ".project_status.md"
    app = build_app(Settings(database_url=database_url, markdown_path=str(status_file)))
    counts = {"passing": INT_COLUMN - 2, "total": INT_COLUMN, "skipped": 2}
    try:
        async with mcp_client(app) as client:
            too_many = await call(
                client, "create_vendor", name="big", metadata={"test_results": {**counts, "total": INT_COLUMN + 1}}
            )
            too_high = await call(
                client, "record_deployment", metadata={"commit_hash": "abcdef1", "pr_number": INT_COLUMN + 1}
            )
            vendor = await call(client, "create_vendor", name="v", metadata={"test_results": counts})
            deployment = await call(
                client,
                "record_deployment",
                metadata={"commit_hash": "abcdef1", "pr_number": INT_COLUMN, "test_summary": {"passed": MAX_SAFE}},
                vendor_names=["v"],
                timestamp="9999-12-31T23:59:59Z",
            )
            item = await call(client, "create_work_item", item_type="task", title="t", pr_number=INT_COLUMN)
            stale = await call(client, "update_work_item", id=item["id"], version=MAX_SAFE, title="u")
            pages = [
                await call(client, "list_work_items", offset=MAX_SAFE),
                await call(client, "list_changes", since_seq=MAX_SAFE),
                await call(client, "query_archived_work_items", offset=MAX_SAFE),
                await call(client, "list_session_prompts", offset=MAX_SAFE),
            ]
            written = await call(client, "generate_full_status", output_format="markdown", write_file=True)
    finally:
        app.close()
    assert too_many["error"] == too_high["error"] == "ValidationError"
    assert vendor["success"] and deployment["success"] and item["success"]
    assert stale["error"] == "VersionConflictError" and all(page["success"] for page in pages)
    assert written["success"] is True, written
    parsed = parse_status_file(status_file.read_text(encoding="utf-8"))
    assert parsed.problems == ()
    assert parsed.vendors[0].metadata["test_results"] == counts
    (shown,) = parsed.deployments
    assert shown.pr_number == INT_COLUMN and shown.test_summary == {"passed": MAX_SAFE}


async def test_a_client_name_beyond_100_characters_is_refused_on_every_call(app: App) -> None:
    async with mcp_client(app, "c" * 101) as long_name, mcp_client(app, "line\nbreak") as control:
        read = await call(long_name, "list_work_items")
        write = await call(control, "create_work_item", item_type="task", title="t")
    async with mcp_client(app, "c" * 100) as longest:
        created = await call(longest, "create_work_item", item_type="task", title="t")
    assert read["error"] == write["error"] == "ValidationError"
    assert read["details"]["field"] == write["details"]["field"] == "clientInfo.name"
    assert created["created_by"] == "c" * 100


async def test_a_nul_character_is_refused_alike_on_both_backends_naming_the_field_and_nothing_is_written(
    app: App,
) -> None:
    async with mcp_client(app) as client:
        refused = [
            await call(client, "create_work_item", item_type="task", title="a\x00b"),
            await call(client, "create_work_item", item_type="task", title="t", metadata={"blocked_reason": "\x00"}),
            await call(client, "record_session_prompt", session_id="s", content="---\nschema_version: 1\n---\n\x00"),
            await call(client, "list_work_items", created_by="\x00"),
        ]
        changes = await call(client, "list_changes")
    assert [(body["error"], body["details"]["field"]) for body in refused] == [
        ("ValidationError", "title"),
        ("ValidationError", "metadata"),
        ("ValidationError", "content"),
        ("ValidationError", "created_by"),
    ]
    assert changes["changes"] == []


async def test_a_path_or_name_that_is_not_unicode_text_is_a_validation_error_not_an_internal_error(app: App) -> None:
    async with mcp_client(app) as client:
        path = await call(client, "migrate_from_markdown", path="\x00", dry_run=True)
        name = await call(client, "create_vendor", name="\ud800")
        title = await call(client, "create_enhancement", title="\ud800", priority="low", target_quarter="2027-Q1")
    assert [(body["error"], body["details"]["field"]) for body in (path, name, title)] == [
        ("ValidationError", "path"),
        ("ValidationError", "name"),
        ("ValidationError", "title"),
    ]
