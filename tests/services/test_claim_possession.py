"""Possession of the claim token, never a name, proves a claim (docs/security.md, What a claim token protects).

A name is what a caller declares: two processes of one agent, or anyone at all, may share it.
So only the call that creates a claim, or a caller presenting its token, ever sees the token;
the holder's name alone gets ClaimConflictError, whose message says to pass the token.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from statusboard.domain.errors import ClaimConflictError, LeaseExpiredError, ValidationError
from statusboard.domain.work_items import NewWorkItem, WorkItemChanges
from statusboard.interfaces.mcp.server import build_server
from statusboard.wiring import App
from tests.conftest import mcp_client
from tests.interfaces.test_mcp_tools import call
from tests.resilience.test_fallback_layers import Project, down_app, primary_app, project, seed
from tests.support.clock import ManualClock

__all__ = ["primary_app", "project"]  # fixtures used here
LEASE = 60


def task(app: App, title: str = "T1", **fields: Any) -> dict[str, Any]:
    draft = NewWorkItem(item_type=fields.pop("item_type", "task"), title=title, **fields)
    return app.work_items.create("planner", draft)


def test_the_holders_name_without_its_token_gets_claim_conflict_saying_to_pass_it(clocked_app: App) -> None:
    item = task(clocked_app)
    first = clocked_app.claims.claim("agent-a", item["id"], LEASE)
    with pytest.raises(ClaimConflictError) as refused:
        clocked_app.claims.claim("agent-a", item["id"], LEASE)
    assert refused.value.details == {"holder": "agent-a", "expires_at": first["expires_at"]}
    assert "claim_token" in refused.value.message
    assert first["claim_token"] not in json.dumps([refused.value.message, refused.value.details])
    with pytest.raises(ClaimConflictError) as other:
        clocked_app.claims.claim("agent-b", item["id"], LEASE)
    assert other.value.details == refused.value.details and "claim_token" not in other.value.message


def test_presenting_the_token_returns_the_same_claim_and_logs_nothing(clocked_app: App, clock: ManualClock) -> None:
    item = task(clocked_app)
    first = clocked_app.claims.claim("agent-a", item["id"], LEASE)
    logged = clocked_app.changes.list_changes()["last_seq"]
    clock.advance(10)
    again = clocked_app.claims.claim("agent-a", item["id"], LEASE, claim_token=first["claim_token"])
    assert {key: again[key] for key in ("claim_token", "epoch", "expires_at", "claim")} == {
        key: first[key] for key in ("claim_token", "epoch", "expires_at", "claim")
    }
    assert clocked_app.changes.list_changes(logged)["changes"] == []


def test_a_token_that_is_not_the_live_claims_gets_claim_conflict(clocked_app: App) -> None:
    one, two = task(clocked_app, "one"), task(clocked_app, "two")
    mine = clocked_app.claims.claim("agent-a", one["id"], LEASE)["claim_token"]
    clocked_app.claims.claim("agent-b", two["id"], LEASE)
    for token in (mine, "1.forged"):
        with pytest.raises(ClaimConflictError):
            clocked_app.claims.claim("agent-b", one["id"], LEASE, claim_token=token.replace("1.", "9.", 1))
        with pytest.raises(ClaimConflictError):
            clocked_app.claims.claim("agent-a", two["id"], LEASE, claim_token=token)


def test_an_expired_claims_token_claims_the_item_anew(clocked_app: App, clock: ManualClock) -> None:
    item = task(clocked_app)
    first = clocked_app.claims.claim("agent-a", item["id"], LEASE)
    clock.advance(LEASE)
    again = clocked_app.claims.claim("agent-a", item["id"], LEASE, claim_token=first["claim_token"])
    assert again["epoch"] == 2 and again["claim_token"] != first["claim_token"]


def test_a_claim_token_without_an_id_is_a_validation_error(clocked_app: App) -> None:
    task(clocked_app)
    with pytest.raises(ValidationError) as refused:
        clocked_app.claims.claim("agent-a", None, LEASE, claim_token="1.abc")
    assert refused.value.details["field"] == "claim_token"


def test_the_holders_own_write_without_its_token_says_to_pass_it(clocked_app: App) -> None:
    item = task(clocked_app)
    clocked_app.claims.claim("agent-a", item["id"], LEASE)
    changes = WorkItemChanges(title="mine")
    with pytest.raises(ClaimConflictError) as own:
        clocked_app.work_items.update("agent-a", item["id"], 1, changes)
    with pytest.raises(ClaimConflictError) as other:
        clocked_app.work_items.update("agent-b", item["id"], 1, changes)
    assert "claim_token" in own.value.message and "claim_token" not in other.value.message
    assert own.value.details == other.value.details


@pytest.mark.anyio
async def test_a_second_process_declaring_the_holders_name_cannot_take_over_its_claim(app: App) -> None:
    """The issue's finding: a second client that declares the holder's name and asks for the
    item got the holder's live token, and could then write, renew for days or release."""
    async with mcp_client(app, "claude-code") as holder, mcp_client(app, "claude-code") as impostor:
        item = await call(holder, "create_work_item", item_type="task", title="mine")
        claimed = await call(holder, "claim_work_item", id=item["id"])
        token = claimed["claim_token"]
        answers = [
            await call(impostor, "claim_work_item", id=item["id"]),
            await call(impostor, "claim_work_item", id=item["id"], lease_seconds=7 * 24 * 3600),
            await call(impostor, "update_work_item", id=item["id"], version=1, title="taken"),
            await call(impostor, "list_ready_work"),
            await call(impostor, "list_work_items", detail="full"),
            await call(impostor, "query_work_item", id=item["id"], include_children=True),
            await call(impostor, "list_changes"),
            await call(impostor, "generate_full_status", output_format="markdown"),
        ]
        again = await call(holder, "claim_work_item", id=item["id"], claim_token=token)
    assert [answer.get("error") for answer in answers[:3]] == ["ClaimConflictError"] * 3
    assert all("claim_token" in answer["message"] for answer in answers[:3])
    assert token not in json.dumps(answers)
    assert again["claim_token"] == token and again["expires_at"] == claimed["expires_at"]


@pytest.mark.anyio
async def test_no_answer_but_the_claim_itself_and_its_renewal_carries_the_token(app: App) -> None:
    async with mcp_client(app, "agent-a") as client:
        project_item = await call(client, "create_work_item", item_type="project", title="P")
        item = await call(client, "create_work_item", item_type="task", title="T", parent_id=project_item["id"])
        claimed = await call(client, "claim_work_item", id=item["id"])
        token = claimed["claim_token"]
        others = [
            await call(client, "update_work_item", id=item["id"], version=1, title="T2", claim_token=token),
            await call(client, "update_work_item", id=item["id"], version=1, title="stale", claim_token=token),
            await call(client, "query_work_item", id=item["id"]),
            await call(client, "query_work_item", id=project_item["id"], include_children=True),
            await call(client, "list_work_items"),
            await call(client, "list_work_items", detail="full"),
            await call(client, "list_changes"),
            await call(client, "generate_full_status"),
            await call(client, "release_claim", id=item["id"], claim_token=token),
        ]
    assert others[1]["error"] == "VersionConflictError"
    assert others[0]["claim"] == {"holder": "agent-a", "expires_at": claimed["expires_at"]}
    assert others[1]["details"]["current"]["claim"] == others[0]["claim"]
    assert token not in json.dumps(others)


@pytest.mark.anyio
async def test_sync_conflicts_list_journaled_arguments_without_claim_tokens(primary_app: App, project: Project) -> None:
    item = task(primary_app, "held through the outage")
    await seed(primary_app, project)
    token = primary_app.claims.claim("claude-code", item["id"], 3600)["claim_token"]
    app = down_app(project.unreachable())
    try:
        async with mcp_client(app, "claude-code") as client:
            offline = await call(
                client, "update_work_item", id=item["id"], version=item["version"], title="offline", claim_token=token
            )
            batch = await call(
                client,
                "update_work_items",
                items=[{"id": item["id"], "version": item["version"] + 1, "status": "blocked", "claim_token": token}],
            )
            assert offline["success"] and batch["success"] and offline["data_source"] == "sqlite_cache"
    finally:
        app.close()
    for version in (1, 2):  # meanwhile, the holder's other process writes through the primary
        changes = WorkItemChanges(title=f"online {version}")
        primary_app.work_items.update("claude-code", item["id"], version, changes, token)

    build_server(primary_app)  # the server that replays: it knows how to run each tool
    assert primary_app.resilience.sync() is True
    async with mcp_client(primary_app) as client:
        conflicts = await call(client, "list_sync_conflicts")
    assert conflicts["total_count"] == 2
    assert token not in json.dumps(conflicts)
    first, second = conflicts["conflicts"]
    assert first["arguments"]["claim_token"] == "(redacted)" and first["arguments"]["title"] == "offline"
    assert second["arguments"]["items"][0]["claim_token"] == "(redacted)"
    assert primary_app.resilience.store.conflicts(10, 0)[0][0].arguments["claim_token"] == token  # kept for replay


def test_an_expired_claim_shows_as_none(clocked_app: App, clock: ManualClock) -> None:
    item = task(clocked_app)
    claimed = clocked_app.claims.claim("agent-a", item["id"], LEASE)
    assert clocked_app.work_items.query(item["id"])["claim"] == claimed["claim"]
    clock.advance(LEASE)
    assert clocked_app.work_items.query(item["id"])["claim"] is None
    with pytest.raises(LeaseExpiredError):
        clocked_app.claims.renew("agent-a", item["id"], claimed["claim_token"], LEASE)
