"""The MCP resources as a client sees them: listed, read (through the same service call and
fallback as the matching tool), and subscribed to on both protocol generations (2026-07-28
`subscriptions/listen`, and `resources/subscribe` on older ones), fed by the change log."""

from __future__ import annotations

import json
import warnings
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import mcp_types as types
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPDeprecationWarning, MCPError

from statusboard.config import Settings
from statusboard.domain.vendors import NewVendor
from statusboard.domain.work_items import NewWorkItem, WorkItemChanges
from statusboard.interfaces.mcp.callers import Caller
from statusboard.interfaces.mcp.server import build_server
from statusboard.wiring import App, build_app
from tests.interfaces.test_mcp_tools import call
from tests.support.notifications import WAIT_S, Updates, next_updates
from tests.support.postgres import free_port

pytestmark = [pytest.mark.anyio, pytest.mark.filterwarnings("ignore::mcp.shared.exceptions.MCPDeprecationWarning")]

MODERN, LEGACY = "auto", "legacy"  # the in-process client's modes: 2026-07-28, and 2025-11-25
STATUS_MD, STATUS_JSON, CHANGES = "statusboard://status.md", "statusboard://status.json", "statusboard://changes"
MISSING = "00000000-0000-0000-0000-000000000000"


def item_uri(item_id: str) -> str:
    return f"statusboard://work-items/{item_id}"


@asynccontextmanager
async def client_of(
    app: App, mode: Any = MODERN, updates: Updates | None = None, **options: Any
) -> AsyncIterator[Client]:
    info = types.Implementation(name="reader", version="1")
    server = build_server(app, **options)
    async with Client(server, mode=mode, client_info=info, message_handler=updates, read_timeout_seconds=30) as client:
        yield client


async def read(client: Client, uri: str) -> types.TextResourceContents:
    (contents,) = (await client.read_resource(uri)).contents
    assert isinstance(contents, types.TextResourceContents) and contents.uri == uri
    return contents


async def read_json(client: Client, uri: str) -> dict[str, Any]:
    contents = await read(client, uri)
    assert contents.mime_type == "application/json"
    body: dict[str, Any] = json.loads(contents.text)
    return body


def create(app: App, title: str = "task") -> str:
    return app.work_items.create("another-agent", NewWorkItem(item_type="task", title=title))["id"]


async def write(app: App, item_id: str, title: str) -> None:
    """A write by another agent, through the service (not this client's server)."""
    version = app.work_items.query(item_id)["version"]
    await anyio.to_thread.run_sync(lambda: app.work_items.update("another-agent", item_id, version, _title(title)))


def _title(title: str) -> WorkItemChanges:
    return WorkItemChanges.model_validate({"title": title})


async def watch_ends(app: App) -> None:
    """Waits (bounded) until the process's change watcher has no subscriber left."""
    with anyio.fail_after(WAIT_S):
        while app.change_feed.subscriber_count:
            await anyio.lowlevel.checkpoint()


@pytest.mark.parametrize("mode", [MODERN, LEGACY])
async def test_the_three_resources_and_the_work_item_template_are_listed(app: App, mode: str) -> None:
    async with client_of(app, mode) as client:
        resources = {r.uri: r for r in (await client.list_resources()).resources}
        templates = (await client.list_resource_templates()).resource_templates
    assert set(resources) == {STATUS_MD, STATUS_JSON, CHANGES}
    assert resources[STATUS_MD].mime_type == "text/markdown"
    assert all(r.description and r.title for r in resources.values())
    assert [t.uri_template for t in templates] == ["statusboard://work-items/{id}"]


async def test_status_md_reads_as_the_status_file_generate_full_status_gives(app: App) -> None:
    create(app, "in the file")
    async with client_of(app) as client:
        contents = await read(client, STATUS_MD)
        status = await call(client, "generate_full_status", output_format="markdown")
    assert contents.mime_type == "text/markdown"
    assert contents.text == status["markdown"] and "in the file" in contents.text
    assert contents.meta == {"data_source": "database", "warnings": []}


async def test_status_json_reads_as_the_full_status_report(app: App) -> None:
    create(app)
    async with client_of(app) as client:
        body = await read_json(client, STATUS_JSON)
        status = await call(client, "generate_full_status")
    assert body["active_work_items"]["total_count"] == 1
    without_time = {key: value for key, value in body.items() if key != "generated_at"}
    assert without_time == {key: value for key, value in status.items() if key != "generated_at"}


@pytest.mark.parametrize("mode", [MODERN, LEGACY])
async def test_a_work_item_reads_as_query_work_item_returns_it(app: App, mode: str) -> None:
    item_id = create(app)
    async with client_of(app, mode) as client:
        body = await read_json(client, item_uri(item_id))
        queried = await call(client, "query_work_item", id=item_id)
    assert body == queried and body["id"] == item_id and body["data_source"] == "database"


async def test_changes_reads_the_latest_100_entries_oldest_first(app: App) -> None:
    for n in range(103):
        create(app, f"item {n}")
    async with client_of(app) as client:
        body = await read_json(client, CHANGES)
    seqs = [entry["seq"] for entry in body["changes"]]
    assert len(seqs) == 100 and seqs == sorted(seqs) and body["last_seq"] == seqs[-1]
    assert body["changes"][-1]["fields"]["title"] == "item 102" and body["changes"][0]["fields"]["title"] == "item 3"


async def test_an_unknown_item_a_malformed_id_or_an_unknown_resource_is_refused_with_our_error_body(app: App) -> None:
    async with client_of(app) as client:
        refusals = {}
        for uri in (item_uri(MISSING), item_uri("not-a-uuid"), "statusboard://nothing", "file:///etc/passwd"):
            with pytest.raises(MCPError) as refused:
                await client.read_resource(uri)
            refusals[uri] = refused.value
    assert refusals[item_uri(MISSING)].data["error"] == "NotFoundError"
    assert refusals[item_uri("not-a-uuid")].data["error"] == "ValidationError"
    assert all(r.code == types.INVALID_PARAMS and r.data["success"] is False for r in refusals.values())


async def test_listen_tells_of_writes_and_claims_on_the_subscribed_item_only(app: App) -> None:
    watched, other = create(app), create(app)
    async with client_of(app) as client, client.listen(resource_subscriptions=[item_uri(watched)]) as stream:
        await write(app, other, "not watched")
        await write(app, watched, "watched")
        assert await next_updates(stream, {item_uri(watched)}) == [item_uri(watched)]
        claimed = await call(client, "claim_work_item", id=watched)
        assert claimed["claimed"] is True
        assert await next_updates(stream, {item_uri(watched)}) == [item_uri(watched)]


async def test_listen_tells_of_the_status_only_for_writes_it_shows(app: App) -> None:
    shown = [STATUS_JSON, STATUS_MD, CHANGES]
    async with client_of(app) as client, client.listen(resource_subscriptions=shown) as stream:
        assert (await call(client, "update_project_configuration", version=1, git_branch="main"))["success"]
        assert await next_updates(stream, {CHANGES}) == [CHANGES]  # the configuration shows in no status
        vendor = NewVendor.model_validate({"name": "vendor_a", "metadata": {}})
        await anyio.to_thread.run_sync(app.vendors.create, "another-agent", vendor)
        assert await next_updates(stream, set(shown)) == shown


async def test_subscribe_on_the_older_protocol_tells_of_a_write_by_another_agent(app: App) -> None:
    item_id = create(app)
    updates = Updates()
    async with client_of(app, LEGACY, updates) as client:
        assert client.protocol_version == "2025-11-25"
        await client.subscribe_resource(item_uri(item_id))
        await client.subscribe_resource(CHANGES)
        await write(app, item_id, "changed elsewhere")
        await updates.wait_for(CHANGES)
    assert updates.uris == [item_uri(item_id), CHANGES]


async def test_unsubscribing_stops_the_notifications(app: App) -> None:
    left, kept = create(app, "left"), create(app, "kept")
    updates = Updates()
    async with client_of(app, LEGACY, updates) as client:
        for uri in (item_uri(left), item_uri(kept)):
            await client.subscribe_resource(uri)
        await client.unsubscribe_resource(item_uri(left))
        await write(app, left, "after the unsubscribe")
        await write(app, kept, "later still")  # told of in seq order: after any notice of the first
        await updates.wait_for(item_uri(kept))
    assert updates.uris == [item_uri(kept)]


async def test_subscribing_to_something_not_a_statusboard_resource_is_refused(app: App) -> None:
    async with client_of(app, LEGACY) as client:
        with pytest.raises(MCPError) as refused:
            await client.subscribe_resource("file:///etc/passwd")
    assert refused.value.code == types.INVALID_PARAMS and refused.value.data["error"] == "ValidationError"


async def test_the_watch_runs_only_while_someone_subscribes(app: App) -> None:
    async with client_of(app) as client:
        async with client.listen(resource_subscriptions=[CHANGES]):
            assert app.change_feed.subscriber_count == 1
        await watch_ends(app)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MCPDeprecationWarning)
        async with client_of(app, LEGACY) as client:
            await client.subscribe_resource(CHANGES)
            assert app.change_feed.subscriber_count == 1
        # The client went away without unsubscribing: its subscriptions go with it.
    await watch_ends(app)


class NoOne:
    """Callers who proved nothing (over HTTP the SDK answers them 401 first)."""

    def caller(self, ctx: Any) -> Caller | None:
        return None


async def test_a_caller_without_the_viewer_role_may_not_read_or_subscribe(app: App) -> None:
    async with client_of(app, LEGACY, callers=NoOne()) as client:
        for request in (client.list_resources(), client.read_resource(CHANGES), client.subscribe_resource(CHANGES)):
            with pytest.raises(MCPError) as refused:
                await request
            assert refused.value.data["error"] == "PermissionDeniedError"
    assert app.change_feed.subscriber_count == 0


@pytest.fixture
def unreachable(tmp_path: Path) -> Iterator[App]:
    """A server whose primary refuses every connection; its project's status file is on disk."""
    status_file = tmp_path / ".project_status.md"
    status_file.write_text("# Project Status\n## Vendors (1 total)\n- vendor_1: operational\n")
    settings = Settings(
        database_url=f"postgresql://postgres@127.0.0.1:{free_port()}/gone",
        markdown_path=str(status_file),
        git_repo=str(tmp_path),  # not a git repository: the file on disk answers
    )
    app = build_app(settings, migrate=False)
    yield app
    app.close()


async def test_the_status_falls_back_as_generate_full_status_does(unreachable: App) -> None:
    async with client_of(unreachable) as client:
        contents = await read(client, STATUS_MD)
        body = await read_json(client, STATUS_JSON)
        status = await call(client, "generate_full_status", output_format="markdown")
        with pytest.raises(MCPError) as refused:
            await client.read_resource(CHANGES)  # the change log has no fallback layer
    assert "- vendor_1: operational" in contents.text and contents.text == status["markdown"]
    assert contents.meta == {"data_source": "markdown_file", "warnings": status["warnings"]}
    assert "using_markdown_fallback" in status["warnings"]
    assert body["vendor_health"]["operational_count"] == 1 and body["data_source"] == "markdown_file"
    assert refused.value.data["error"] == "DatabaseUnavailableError"
