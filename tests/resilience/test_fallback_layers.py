"""Degraded mode as an MCP client sees it, with real files, a real git repository and a primary
that really does not answer (a PostgreSQL URL on a port nobody listens on).

A server on the real primary fills the local cache and writes the status file; a second
server, configured with the same cache and files but an unreachable primary, then answers
from the fallback layers: the user's scenario 4 (cache -> git history -> markdown file).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from statusboard.config import Settings
from statusboard.interfaces.mcp.tools import TOOLS
from statusboard.resilience.policy import Journaled, Local, PrimaryOnly, Read
from statusboard.wiring import App, build_app
from tests.conftest import mcp_client
from tests.interfaces.test_mcp_tools import call
from tests.support.postgres import free_port

pytestmark = pytest.mark.anyio
READS = {
    "query_work_item",
    "list_work_items",
    "list_ready_work",
    "query_archived_work_items",
    "list_changes",
    "query_vendor_status",
    "list_vendors",
    "query_deployment",
    "list_deployments",
    "list_enhancements",
    "get_project_configuration",
    "list_session_prompts",
    "generate_full_status",
}
JOURNALED = {
    "create_work_item",
    "update_work_item",
    "delete_work_item",
    "update_work_items",
    "add_dependency",
    "remove_dependency",
    "create_vendor",
    "update_vendor_status",
    "record_deployment",
    "create_enhancement",
    "update_enhancement",
    "update_project_configuration",
    "record_session_prompt",
}
LOCAL = {"ping", "get_health", "list_sync_conflicts"}  # never touch the primary
# A lease must come from one authority; archiving and migration work over the whole database.
PRIMARY_ONLY = {"claim_work_item", "renew_claim", "release_claim", "trigger_archiving", "migrate_from_markdown"}


@dataclass
class Project:
    root: Path
    settings: Settings  # the real primary

    @property
    def status_file(self) -> Path:
        return Path(self.settings.markdown_path)

    def unreachable(self, **changes: Any) -> Settings:
        """The same project, with a primary that refuses every connection."""
        fields = {**self.settings.__dict__, "database_url": f"postgresql://postgres@127.0.0.1:{free_port()}/gone"}
        return Settings(**{**fields, **changes})

    def commit_status_file(self) -> None:
        git = ["git", "-C", str(self.root), "-c", "user.name=t", "-c", "user.email=t@example.com"]
        subprocess.run([*git, "add", self.status_file.name], check=True, capture_output=True, timeout=30)
        subprocess.run([*git, "commit", "-qm", "status"], check=True, capture_output=True, timeout=30)


@pytest.fixture
def project(database_url: str, tmp_path: Path) -> Project:
    root = tmp_path / "project"
    root.mkdir()
    subprocess.run(["git", "init", "-q", str(root)], check=True, capture_output=True, timeout=30)
    settings = Settings(
        database_url=database_url,
        cache_path=str(root / ".statusboard" / "cache.db"),
        markdown_path=str(root / ".project_status.md"),
        git_repo=str(root),
    )
    return Project(root, settings)


@pytest.fixture
def primary_app(project: Project) -> Iterator[App]:
    app = build_app(project.settings)
    yield app
    app.close()


def down_app(settings: Settings) -> App:
    return build_app(settings, migrate=False)


async def seed(app: App, project: Project) -> None:
    """Two vendors and a work item through the primary; the file written and committed;
    the cache filled as every successful read and write fills it."""
    async with mcp_client(app, "claude-code") as client:
        for name in ("vendor_a", "vendor_b"):
            assert (await call(client, "create_vendor", name=name, status="operational"))["success"]
        assert (await call(client, "query_vendor_status", name="vendor_a"))["data_source"] == "database"
        status = await call(client, "generate_full_status", write_file=True)
        assert status["success"] and status["data_source"] == "database"
    project.commit_status_file()
    app.resilience.refresh_cache_now()


def test_every_tool_is_exactly_one_of_read_journaled_local_or_primary_only() -> None:
    classes = {Read: READS, Local: LOCAL, Journaled: JOURNALED, PrimaryOnly: PRIMARY_ONLY}
    assert {spec.name for spec in TOOLS} == set().union(*classes.values())
    assert sum(len(c) for c in classes.values()) == len(set().union(*classes.values())), "a tool is in two classes"
    for spec in TOOLS:
        assert [kind for kind in classes if isinstance(spec.policy, kind)] == [type(spec.policy)], spec.name
    assert {kind: {spec.name for spec in TOOLS if isinstance(spec.policy, kind)} for kind in classes} == classes


async def test_reads_fall_back_from_cache_to_git_history_to_the_markdown_file(
    primary_app: App, project: Project
) -> None:
    await seed(primary_app, project)
    app = down_app(project.unreachable())
    try:
        async with mcp_client(app) as client:
            cached = await call(client, "query_vendor_status", name="VENDOR_A")
            assert cached["success"] and cached["name"] == "vendor_a" and cached["operational"] is True
            assert cached["data_source"] == "sqlite_cache" and "using_fallback_cache" in cached["warnings"]
            assert 0 <= cached["cache_age_minutes"] < 30 and cached["version"] == 1

            app.resilience.store.clear_cache()
            from_git = await call(client, "query_vendor_status", name="vendor_a")
            assert from_git["success"] and from_git["operational"] is True
            assert from_git["data_source"] == "git_history" and "using_git_history_fallback" in from_git["warnings"]
            assert "cache_age_minutes" not in from_git

            # A vendor only the file on disk knows (added after the last commit).
            text = project.status_file.read_text().replace(
                "- vendor_b: operational", "- vendor_b: operational\n- vendor_c: broken"
            )
            project.status_file.write_text(text.replace("## Vendors (2 total)", "## Vendors (3 total)"))
            from_disk = await call(client, "query_vendor_status", name="vendor_c")
            assert from_disk["success"] and from_disk["operational"] is False
            assert from_disk["data_source"] == "markdown_file" and "using_markdown_fallback" in from_disk["warnings"]
    finally:
        app.close()


async def test_without_git_the_markdown_file_answers(primary_app: App, project: Project, tmp_path: Path) -> None:
    await seed(primary_app, project)
    not_a_repo = tmp_path / "elsewhere"
    not_a_repo.mkdir()
    app = down_app(project.unreachable(git_repo=str(not_a_repo)))
    try:
        app.resilience.store.clear_cache()
        async with mcp_client(app) as client:
            listed = await call(client, "list_vendors")
            assert listed["success"] and listed["total_count"] == 2
            assert listed["data_source"] == "markdown_file" and "using_markdown_fallback" in listed["warnings"]
            status = await call(client, "generate_full_status", output_format="markdown")
            assert status["success"] and status["data_source"] == "markdown_file"
            assert status["vendor_health"]["operational_count"] == 2 and "- vendor_a: operational" in status["markdown"]
    finally:
        app.close()


async def test_cache_entries_older_than_the_ttl_are_not_served(primary_app: App, project: Project) -> None:
    await seed(primary_app, project)
    app = down_app(project.unreachable(cache_ttl_minutes=0))
    try:
        async with mcp_client(app) as client:
            answer = await call(client, "query_vendor_status", name="vendor_a")
        assert answer["success"] and answer["data_source"] == "git_history"
    finally:
        app.close()


async def test_when_no_layer_answers_the_error_lists_the_layers_tried(project: Project, tmp_path: Path) -> None:
    app = down_app(project.unreachable(git_repo=str(tmp_path)))
    try:
        async with mcp_client(app) as client:
            answer = await call(client, "query_vendor_status", name="vendor_a")
            assert answer["success"] is False and answer["error"] == "DatabaseUnavailableError"
            assert answer["details"]["layers_tried"] == ["primary", "sqlite_cache", "git_history", "markdown_file"]
            claim = await call(client, "claim_work_item")
            assert claim["error"] == "DatabaseUnavailableError" and claim["details"]["layers_tried"] == ["primary"]
    finally:
        app.close()


async def test_full_status_from_the_cache_shows_what_the_primary_showed(primary_app: App, project: Project) -> None:
    await seed(primary_app, project)
    async with mcp_client(primary_app) as client:
        expected = await call(client, "generate_full_status")
    app = down_app(project.unreachable())
    try:
        async with mcp_client(app) as client:
            cached = await call(client, "generate_full_status")
        assert cached["data_source"] == "sqlite_cache"
        for key in ("vendor_health", "active_work_items", "pending_enhancements"):
            assert cached[key] == expected[key]
    finally:
        app.close()
