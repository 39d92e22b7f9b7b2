"""With tokens on, /mcp answers 401 before any tool runs unless the request carries a live
agent's token; the token's agent is the actor, whatever the client declares and whatever
STATUSBOARD_CLIENT_ID says."""

from __future__ import annotations

import pytest
from mcp.shared.exceptions import MCPError

from statusboard.services.agents import REVALIDATE
from statusboard.wiring import App
from tests.http.conftest import Serve, call, mcp_over_http, post_mcp, register
from tests.support.clock import ManualClock

pytestmark = pytest.mark.anyio


def _assert_401(response: object) -> None:
    assert response.status_code == 401, response.text  # type: ignore[attr-defined]
    assert response.headers["www-authenticate"].startswith("Bearer ")  # type: ignore[attr-defined]


async def test_mcp_without_a_token_is_answered_401(http_app: App, serve: Serve) -> None:
    register(http_app, "claude-1")
    url = serve(http_app, tokens=True)
    _assert_401(post_mcp(url))


async def test_an_unknown_token_is_answered_401(http_app: App, serve: Serve) -> None:
    token = register(http_app, "claude-1")
    url = serve(http_app, tokens=True)
    _assert_401(post_mcp(url, "sb_0123456789abcdef_not-a-token-anyone-was-given"))
    _assert_401(post_mcp(url, token[:-2] + "zz"))
    assert post_mcp(url, token).status_code == 200


async def test_a_revoked_token_is_answered_401(http_app: App, serve: Serve, clock: ManualClock) -> None:
    token = register(http_app, "claude-1")
    url = serve(http_app, tokens=True)
    assert post_mcp(url, token).status_code == 200
    http_app.agents.revoke("claude-1")
    clock.advance(REVALIDATE.total_seconds())
    _assert_401(post_mcp(url, token))


async def test_an_open_session_is_refused_once_its_token_is_revoked(
    http_app: App, serve: Serve, clock: ManualClock
) -> None:
    token = register(http_app, "claude-1")
    url = serve(http_app, tokens=True)
    async with mcp_over_http(url, token) as client:
        assert (await call(client, "ping"))[0] == "ok"
        http_app.agents.revoke("claude-1")
        clock.advance(REVALIDATE.total_seconds())
        with pytest.raises(MCPError, match="error response"):  # how the SDK client reports a 401
            await client.call_tool("create_work_item", {"item_type": "task", "title": "after the revoke"})
    assert http_app.changes.list_changes(0, 10)["changes"] == []  # nothing was written


@pytest.mark.parametrize("mode", ["legacy", "auto"])
async def test_the_tokens_agent_is_the_actor_whatever_the_client_declares(
    http_app: App, serve: Serve, mode: str
) -> None:
    token = register(http_app, "claude-1")
    url = serve(http_app, tokens=True)
    async with mcp_over_http(url, token, name="someone-else", mode=mode) as client:
        outcome, item = await call(client, "create_work_item", {"item_type": "task", "title": "mine"})
        assert outcome == "ok"
        outcome, claimed = await call(client, "claim_work_item", {"id": item["id"]})
    assert outcome == "ok"
    assert (item["created_by"], item["updated_by"], claimed["holder"]) == ("claude-1", "claude-1", "claude-1")
    assert [c["actor"] for c in http_app.changes.list_changes(0, 10)["changes"]] == ["claude-1", "claude-1"]


async def test_two_agents_with_their_own_tokens_hold_separate_claims(http_app: App, serve: Serve) -> None:
    first, second = register(http_app, "claude-1"), register(http_app, "copilot")
    url = serve(http_app, tokens=True)
    # Both clients declare the SDK's default name: only the tokens tell them apart.
    async with mcp_over_http(url, first, name="mcp") as one, mcp_over_http(url, second, name="mcp") as two:
        _, item = await call(one, "create_work_item", {"item_type": "task", "title": "contested"})
        outcome, claim = await call(one, "claim_work_item", {"id": item["id"]})
        assert (outcome, claim["holder"]) == ("ok", "claude-1")
        outcome, refusal = await call(two, "claim_work_item", {"id": item["id"]})
        assert (outcome, refusal["details"]["holder"]) == ("ClaimConflictError", "claude-1")
        outcome, _ = await call(two, "update_work_item", {"id": item["id"], "version": 1, "title": "taken over"})
        assert outcome == "ClaimConflictError"
        _, nxt = await call(two, "create_work_item", {"item_type": "task", "title": "another"})
        outcome, second_claim = await call(two, "claim_work_item", {"id": nxt["id"]})
        assert (outcome, second_claim["holder"]) == ("ok", "copilot")


async def test_another_agents_token_cannot_use_an_open_session(http_app: App, serve: Serve) -> None:
    first, second = register(http_app, "claude-1"), register(http_app, "copilot")
    url = serve(http_app, tokens=True)
    session = {"mcp-session-id": post_mcp(url, first).headers["mcp-session-id"], "mcp-protocol-version": "2025-11-25"}
    listing = {"jsonrpc": "2.0", "id": 2, "method": "tools/list"}
    assert post_mcp(url, first, listing, **session).status_code == 200
    assert post_mcp(url, second, listing, **session).status_code == 404
