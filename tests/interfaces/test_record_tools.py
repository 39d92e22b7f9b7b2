"""The record tools as an MCP client sees them: shapes, error bodies, identity."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from statusboard.config import Settings
from statusboard.wiring import App, build_app
from tests.conftest import mcp_client
from tests.interfaces.test_mcp_tools import call

pytestmark = pytest.mark.anyio

RECORD_TOOLS = {
    "create_vendor",
    "query_vendor_status",
    "update_vendor_status",
    "list_vendors",
    "record_deployment",
    "query_deployment",
    "list_deployments",
    "create_enhancement",
    "update_enhancement",
    "list_enhancements",
    "get_project_configuration",
    "update_project_configuration",
    "record_session_prompt",
    "generate_full_status",
    "trigger_archiving",
    "query_archived_work_items",
    "migrate_from_markdown",
}
SEED_VENDOR = {
    "format_support": {"excel": True, "csv": True, "pdf": False, "ocr": False},
    "test_results": {"passing": 10, "total": 12, "skipped": 2},
    "extractor_version": "1.2.3",
    "manifest_compliant": True,
}


async def test_the_records_work_end_to_end_over_mcp(database_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=database_url, markdown_path=str(tmp_path / ".project_status.md"))
    app = build_app(settings)
    try:
        async with mcp_client(app, "claude-desktop") as client:
            listed = {tool.name for tool in (await client.list_tools()).tools}
            assert listed >= RECORD_TOOLS

            vendor = await call(client, "create_vendor", name="vendor_0", metadata=SEED_VENDOR)
            assert vendor["success"] and vendor["created_by"] == "claude-desktop" and vendor["operational"] is True
            assert vendor["data_source"] == "database" and vendor["warnings"] == []
            queried = await call(client, "query_vendor_status", name="VENDOR_0")
            assert queried["metadata"]["test_results"]["passing"] == 10 and queried["metadata"]["manifest_compliant"]
            stale = await call(client, "update_vendor_status", name="vendor_0", version=2, status="broken")
            assert stale["error"] == "VersionConflictError" and stale["details"]["actual_version"] == 1
            bad = await call(client, "create_vendor", name="v", metadata={"test_results": {"passing": 1}})
            assert bad["error"] == "ValidationError"
            assert {e["field"] for e in bad["details"]["errors"]} == {
                "metadata.test_results.total",
                "metadata.test_results.skipped",
            }
            assert (await call(client, "list_vendors", status="broken"))["total_count"] == 0

            item = await call(client, "create_work_item", item_type="task", title="Task 1")
            deployment = await call(
                client,
                "record_deployment",
                metadata={"pr_number": 123, "pr_title": "Add XYZ", "commit_hash": "a" * 40},
                vendor_names=["vendor_0"],
                work_item_ids=[item["id"]],
            )
            assert deployment["success"] and deployment["affected_vendors"][0]["name"] == "vendor_0"
            assert (await call(client, "query_deployment", id=deployment["id"]))["related_work_items"][0]["title"] == (
                "Task 1"
            )
            missing = await call(client, "record_deployment", metadata={"commit_hash": "abc1234"}, vendor_names=["x"])
            assert missing["error"] == "NotFoundError" and missing["details"] == {"entity": "vendor", "name": "x"}
            assert len((await call(client, "list_deployments", vendor_name="VENDOR_0"))["deployments"]) == 1

            enhancement = await call(client, "create_enhancement", title="A", priority="High", target_quarter="Q1 2026")
            assert enhancement["target_quarter"] == "2026-Q1"
            updated = await call(client, "update_enhancement", id=enhancement["id"], version=1, status="approved")
            assert updated["version"] == 2
            assert (await call(client, "list_enhancements", target_quarter="2026-Q1"))["total_count"] == 1

            config = await call(client, "get_project_configuration")
            changed = await call(client, "update_project_configuration", version=config["version"], git_dirty=True)
            assert changed["version"] == config["version"] + 1 and changed["updated_by"] == "claude-desktop"

            prompt = "---\nsession_id: s1\nschema_version: 1\n---\nDo the thing.\n"
            recorded = await call(client, "record_session_prompt", session_id="s1", content=prompt)
            assert recorded["frontmatter"] == {"session_id": "s1", "schema_version": 1}
            two_lines = await call(client, "record_session_prompt", session_id="s\n1", content=prompt)
            assert two_lines["error"] == "ValidationError" and two_lines["details"]["field"] == "session_id"
            malformed = await call(client, "record_session_prompt", session_id="s1", content="---\nx: [\n---\n")
            assert malformed["error"] == "ValidationError" and "line 2" in malformed["message"]

            status = await call(client, "generate_full_status", output_format="markdown", write_file=True)
            assert status["vendor_health"]["total_vendors"] == 1
            assert status["active_work_items"]["total_count"] == 1
            assert status["recent_deployments"][0]["pr_title"] == "Add XYZ"
            assert (tmp_path / ".project_status.md").read_text(encoding="utf-8") == status["markdown"]
            assert "### Session " in status["markdown"] and "Do the thing." in status["markdown"]
    finally:
        app.close()


async def test_migrate_from_markdown_over_mcp(app_with_file: tuple[App, Path]) -> None:
    app, path = app_with_file
    async with mcp_client(app, "migrator") as client:
        dry = await call(client, "migrate_from_markdown", path=str(path), dry_run=True)
        assert dry["success"] is True and dry["dry_run"] is True and dry["rollback_executed"] is False
        done = await call(client, "migrate_from_markdown", path=str(path))
        assert done["success"] is True and done["reconciliation"]["vendor_count"]["migrated"] == 3
        assert done["data_source"] == "database"
        missing = await call(client, "migrate_from_markdown", path=str(path.with_name("nope.md")))
        assert missing["error"] == "ValidationError" and missing["details"]["field"] == "path"
        assert (await call(client, "list_vendors"))["total_count"] == 3


@pytest.fixture
def app_with_file(database_url: str, tmp_path: Path) -> Iterator[tuple[App, Path]]:
    from tests.support.legacy_files import legacy_status_file

    path = tmp_path / ".project_status.md"
    path.write_text(legacy_status_file(vendors=3, deployments=1, enhancements=1, prompts=1), encoding="utf-8")
    application = build_app(Settings(database_url=database_url))
    yield application, path
    application.close()
