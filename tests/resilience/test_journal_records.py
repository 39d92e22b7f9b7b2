"""Every kind of write keeps working during an outage: deployments, enhancements, the project
configuration, session prompts, dependencies and batch updates are journaled, acknowledged
with the outage warnings, shown by reads and the status file, and replayed exactly once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from statusboard.interfaces.mcp.server import build_server
from statusboard.resilience import file_layers
from statusboard.storage.tables import change_log
from statusboard.wiring import App
from tests.conftest import mcp_client
from tests.interfaces.test_mcp_tools import call
from tests.resilience.test_fallback_layers import Project, down_app, primary_app, project, seed

pytestmark = pytest.mark.anyio
__all__ = ["primary_app", "project"]  # fixtures used here
PROMPT = "---\nschema_version: 1\nsession_id: sess_offline\n---\nWork on the parser.\n"


async def seed_records(app: App, project: Project) -> dict[str, Any]:
    """Vendors (see `seed`), a project with two tasks, an enhancement and the configuration,
    all read or written through the primary, so the local cache knows them."""
    async with mcp_client(app, "claude-code") as client:
        parent = await call(client, "create_work_item", item_type="project", title="Parser")
        tasks = [
            await call(client, "create_work_item", item_type="task", title=f"Task {n}", parent_id=parent["id"])
            for n in (1, 2)
        ]
        enhancement = await call(client, "create_enhancement", title="OCR", priority="high", target_quarter="Q1 2027")
        configuration = await call(client, "get_project_configuration")
    await seed(app, project)
    return {"parent": parent, "tasks": tasks, "enhancement": enhancement, "configuration": configuration}


def log_count(app: App, entity: str) -> int:
    with app.db.reading() as conn:
        stmt = select(func.count()).select_from(change_log).where(change_log.c.entity == entity)
        return int(conn.execute(stmt).scalar_one())


def assert_journaled(answer: dict[str, Any], *, in_file: bool = True) -> None:
    assert answer["success"], answer
    assert answer["data_source"] == "sqlite_cache" and answer["journal_seq"] >= 1
    assert {"database_unavailable", "wrote_to_cache"} <= set(answer["warnings"])
    assert answer["wrote_to_cache"] is True
    assert answer["wrote_to_markdown"] is in_file and ("wrote_to_markdown" in answer["warnings"]) is in_file


async def test_record_writes_during_an_outage_are_served_and_replayed_exactly_once(
    primary_app: App, project: Project
) -> None:
    seeded = await seed_records(primary_app, project)
    task_1, task_2 = seeded["tasks"]
    enhancement_id = seeded["enhancement"]["id"]
    config_version = seeded["configuration"]["version"]
    app = down_app(project.unreachable())
    try:
        async with mcp_client(app, "copilot") as client:
            deployment = await call(
                client,
                "record_deployment",
                metadata={"commit_hash": "abc1234", "pr_number": 77, "pr_title": "Offline deploy"},
                vendor_names=["VENDOR_A"],
                work_item_ids=[task_1["id"]],
            )
            assert_journaled(deployment)
            assert [v["name"] for v in deployment["affected_vendors"]] == ["vendor_a"]
            assert [i["id"] for i in deployment["related_work_items"]] == [task_1["id"]]
            assert "checked_on_replay" not in deployment  # every reference was known locally

            planned = await call(
                client, "create_enhancement", title="PDF tables", priority="low", target_quarter="2027-Q2"
            )
            assert_journaled(planned)
            changed = await call(client, "update_enhancement", id=enhancement_id, version=1, status="approved")
            assert_journaled(changed)
            assert changed["version"] == 2 and changed["status"] == "approved" and changed["title"] == "OCR"
            stale = await call(client, "update_enhancement", id=enhancement_id, version=1, status="completed")
            assert stale["error"] == "VersionConflictError" and stale["details"]["actual_version"] == 2

            configured = await call(
                client, "update_project_configuration", version=config_version, git_branch="feature/offline"
            )
            assert_journaled(configured, in_file=False)  # the status file does not show the configuration
            assert configured["version"] == config_version + 1 and configured["git_branch"] == "feature/offline"

            prompt = await call(client, "record_session_prompt", session_id="sess_offline", content=PROMPT)
            assert_journaled(prompt)
            assert prompt["schema_version"] == "1" and prompt["frontmatter"]["session_id"] == "sess_offline"

            linked = await call(
                client,
                "add_dependency",
                work_item_id=task_2["id"],
                depends_on_id=task_1["id"],
                dependency_type="depends_on",
            )
            assert_journaled(linked, in_file=False)
            assert linked["checked_on_replay"] == ["depends_on_id"]  # only the primary sees every link
            batch = await call(
                client,
                "update_work_items",
                items=[
                    {"id": task_1["id"], "version": 1, "status": "completed"},
                    {"id": task_2["id"], "version": 1, "title": "Task two"},
                ],
            )
            assert_journaled(batch)
            assert [(i["version"], i["status"], i["title"]) for i in batch["items"]] == [
                (2, "completed", "Task 1"),
                (2, "active", "Task two"),
            ]

            # Reads during the outage see every write.
            listed = await call(client, "list_deployments")
            assert listed["data_source"] == "sqlite_cache" and listed["deployments"][0]["id"] == deployment["id"]
            queried = await call(client, "query_deployment", id=deployment["id"])
            assert queried["success"] and queried["metadata"]["pr_title"] == "Offline deploy"
            plans = await call(client, "list_enhancements")
            assert {(e["title"], e["status"]) for e in plans["enhancements"]} == {
                ("OCR", "approved"),
                ("PDF tables", "planned"),
            }
            settings = await call(client, "get_project_configuration")
            assert settings["data_source"] == "sqlite_cache" and settings["git_branch"] == "feature/offline"
            prompts = await call(client, "list_session_prompts", session_id="sess_offline")
            assert prompts["total_count"] == 1 and prompts["prompts"][0]["id"] == prompt["id"]
            item = await call(client, "query_work_item", id=task_2["id"])
            assert item["title"] == "Task two"
            assert [(d["direction"], d["related_item"]["id"]) for d in item["dependencies"]] == [
                ("outgoing", task_1["id"])
            ]
            status = await call(client, "generate_full_status", output_format="markdown")
            assert "### " in status["markdown"] and "PR #77" in status["markdown"]
            assert status["active_work_items"]["by_status"]["completed"] == 1
            health = await call(client, "get_health")
            assert health["journal"]["pending"] == 7

        on_disk = file_layers.from_disk(project.status_file)  # the file written during the outage reads back
        assert any(d["metadata"].get("pr_number") == 77 for d in on_disk.deployments)
        assert any(p["session_id"] == "sess_offline" for p in on_disk.session_prompts)
        assert {e["title"] for e in on_disk.enhancements} == {"OCR", "PDF tables"}
    finally:
        app.close()

    build_server(primary_app)
    assert primary_app.resilience.sync() is True
    async with mcp_client(primary_app) as client:
        health = await call(client, "get_health")
        assert health["journal"] == {"pending": 0, "conflicts": 0} and health["last_sync"]["applied"] == 7
        replayed = await call(client, "query_deployment", id=deployment["id"])
        assert replayed["data_source"] == "database" and replayed["created_by"] == "copilot"
        assert replayed["timestamp"] == deployment["timestamp"]  # recorded when acknowledged, not at replay
        assert [v["name"] for v in replayed["affected_vendors"]] == ["vendor_a"]
        plans = await call(client, "list_enhancements")
        assert {(e["id"], e["version"], e["status"]) for e in plans["enhancements"]} == {
            (enhancement_id, 2, "approved"),
            (planned["id"], 1, "planned"),
        }
        settings = await call(client, "get_project_configuration")
        assert settings["version"] == config_version + 1 and settings["git_branch"] == "feature/offline"
        prompts = await call(client, "list_session_prompts", session_id="sess_offline")
        assert [p["id"] for p in prompts["prompts"]] == [prompt["id"]]
        item = await call(client, "query_work_item", id=task_2["id"])
        assert item["version"] == 2 and item["title"] == "Task two"
        assert [(d["id"], d["related_item"]["id"]) for d in item["dependencies"]] == [(linked["id"], task_1["id"])]
        done = await call(client, "query_work_item", id=task_1["id"])
        assert done["version"] == 2 and done["status"] == "completed"

    assert primary_app.resilience.sync() is True  # nothing is replayed twice
    counts = {e: log_count(primary_app, e) for e in ("deployment", "session_prompt", "dependency")}
    assert counts == {"deployment": 1, "session_prompt": 1, "dependency": 1}
    assert log_count(primary_app, "enhancement") == 3  # two creates (one before the outage) and the update
    assert log_count(primary_app, "project_configuration") == 1


async def test_outage_writes_are_checked_locally_and_what_only_the_primary_can_refuse_is_kept(
    primary_app: App, project: Project
) -> None:
    seeded = await seed_records(primary_app, project)
    enhancement_id = seeded["enhancement"]["id"]
    app = down_app(project.unreachable())
    try:
        async with mcp_client(app, "codex") as client:
            malformed = await call(
                client, "record_session_prompt", session_id="s", content="---\nschema_version: [1\n---\nx\n"
            )
            assert malformed["error"] == "ValidationError" and "line" in malformed["message"]

            after = await call(
                client,
                "create_enhancement",
                title="Later",
                priority="medium",
                target_quarter="Q3 2027",
                depends_on=[enhancement_id],
            )
            assert_journaled(after)
            cycle = await call(client, "update_enhancement", id=enhancement_id, version=1, depends_on=[after["id"]])
            assert cycle["error"] == "ValidationError" and "cycle" in cycle["message"]

            unknown = await call(
                client, "record_deployment", metadata={"commit_hash": "def5678"}, vendor_names=["vendor_zz"]
            )
            assert_journaled(unknown)
            assert unknown["checked_on_replay"] == ["vendor_names"] and "checked_on_replay" in unknown["warnings"]

            assert "- Commit: def5678" in project.status_file.read_text()
            archiving = await call(client, "trigger_archiving")
            assert archiving["error"] == "DatabaseUnavailableError"
            assert archiving["details"]["layers_tried"] == ["primary"]
    finally:
        app.close()

    build_server(primary_app)
    assert primary_app.resilience.sync() is True
    async with mcp_client(primary_app) as client:
        conflicts = await call(client, "list_sync_conflicts")
        assert conflicts["total_count"] == 1
        [kept] = conflicts["conflicts"]
        assert kept["tool"] == "record_deployment" and kept["actor"] == "codex"
        assert kept["error"]["error"] == "NotFoundError" and kept["error"]["details"]["name"] == "vendor_zz"
        listed = await call(client, "list_deployments")
        assert listed["total_count"] == 0  # nothing half-recorded
        plans = await call(client, "list_enhancements")
        assert {e["title"] for e in plans["enhancements"]} == {"OCR", "Later"}
    # After the replay the status file shows what the primary holds: the refused deployment left it.
    assert (
        "def5678" not in project.status_file.read_text()
        and "- Later (Priority: Medium" in project.status_file.read_text()
    )
