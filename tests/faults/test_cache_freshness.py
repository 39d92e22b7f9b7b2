"""The cache holds what was just written or read when PostgreSQL stops at that very moment.

Round after round, another agent (a second app with a cache of its own) changes a vendor and a
work item; this server writes one and reads the other, and PostgreSQL is stopped with
`pg_ctl stop -m immediate` right after, before anything else runs. The reads that follow
must come from the cache, at the version last written or read: the cache is kept fresh by
every successful read and write, not some time later.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from statusboard.config import Settings
from statusboard.wiring import App, build_app
from tests.conftest import mcp_client
from tests.interfaces.test_mcp_tools import call
from tests.support.postgres import PostgresCluster, create_migrated_database

pytestmark = pytest.mark.anyio
ROUNDS = 4


def settings_in(root: Path, url: str) -> Settings:
    root.mkdir(parents=True, exist_ok=True)
    return Settings(
        database_url=url,
        cache_path=str(root / ".statusboard" / "cache.db"),
        markdown_path=str(root / ".project_status.md"),
        git_repo=str(root),
    )


def served_from_cache(body: dict[str, Any]) -> bool:
    return body["success"] and body["data_source"] == "sqlite_cache" and "using_fallback_cache" in body["warnings"]


async def test_what_was_just_written_or_read_is_served_when_postgresql_stops_at_once(
    own_cluster: PostgresCluster, tmp_path: Path
) -> None:
    url = create_migrated_database(own_cluster, "freshness")
    app, other = build_app(settings_in(tmp_path / "server", url)), build_app(settings_in(tmp_path / "other", url))
    try:
        async with mcp_client(app, "codex") as client, mcp_client(other, "copilot") as elsewhere:
            item = await call(elsewhere, "create_work_item", item_type="task", title="read by the server")
            await call(elsewhere, "create_vendor", name="written_by_the_server")
            for round_ in range(1, ROUNDS + 1):
                # Another agent changes the item: only a read tells this server.
                item = await call(
                    elsewhere, "update_work_item", id=item["id"], version=item["version"], title=f"r{round_}"
                )
                read = await call(client, "query_work_item", id=item["id"])
                assert read["data_source"] == "database" and read["version"] == item["version"]
                own_cluster.stop("immediate")
                cached = await call(client, "query_work_item", id=item["id"])
                assert served_from_cache(cached), cached
                assert cached["version"] == item["version"] and cached["title"] == f"r{round_}"
                restart(own_cluster, app, other)

                vendor = await call(elsewhere, "query_vendor_status", name="written_by_the_server")
                written = await call(
                    client,
                    "update_vendor_status",
                    name="written_by_the_server",
                    version=vendor["version"],
                    status="broken" if round_ % 2 else "operational",
                )
                assert written["data_source"] == "database"
                own_cluster.stop("immediate")
                cached = await call(client, "query_vendor_status", name="written_by_the_server")
                assert served_from_cache(cached), cached
                assert cached["version"] == written["version"] and cached["status"] == written["status"]
                restart(own_cluster, app, other)
    finally:
        app.close()
        other.close()


def restart(cluster: PostgresCluster, *apps: App) -> None:
    cluster.start()
    for app in apps:
        app.db.dispose()  # connections from before the stop are dead; a server's monitor does the same
