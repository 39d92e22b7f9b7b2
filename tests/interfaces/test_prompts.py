"""The MCP prompts and instructions: `start_work` (what is ready, how to claim it, the rules of the
road) and `handoff` (what an agent holds and changed), rendered with the board's data as it is."""

from __future__ import annotations

import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from statusboard.domain.work_items import NewWorkItem
from statusboard.wiring import App
from tests.conftest import mcp_client
from tests.interfaces.test_mcp_tools import call
from tests.interfaces.test_resources import LEGACY, MODERN, client_of

pytestmark = pytest.mark.anyio


def create(app: App, title: str, item_type: str = "task") -> str:
    return app.work_items.create("planner", NewWorkItem.model_validate({"item_type": item_type, "title": title}))["id"]


async def render(client: Client, name: str, **arguments: str) -> str:
    result = await client.get_prompt(name, arguments)
    (message,) = result.messages
    assert message.role == "user" and message.content.type == "text"
    return message.content.text


@pytest.mark.parametrize("mode", [MODERN, LEGACY])
async def test_both_prompts_are_listed_with_their_arguments_described(app: App, mode: str) -> None:
    async with client_of(app, mode) as client:
        prompts = {prompt.name: prompt for prompt in (await client.list_prompts()).prompts}
    assert set(prompts) == {"start_work", "handoff"}
    for prompt in prompts.values():
        assert prompt.title and prompt.description and prompt.arguments
        assert all(argument.description and not argument.required for argument in prompt.arguments)
    assert [a.name for a in prompts["start_work"].arguments or []] == ["item_type", "limit"]
    assert [a.name for a in prompts["handoff"].arguments or []] == ["actor", "recent"]


async def test_start_work_lists_the_ready_items_and_how_to_claim_them(app: App) -> None:
    ready = create(app, "write the parser")
    claimed_id = create(app, "already taken")
    create(app, "a research note", "research")
    async with mcp_client(app, "claude-code") as client:
        assert (await call(client, "claim_work_item", id=claimed_id))["claimed"] is True
        text = await render(client, "start_work", item_type="task")
    assert f"write the parser (task, id {ready}, version 1)" in text
    assert "already taken" not in text and "a research note" not in text
    for step in ("claim_work_item", "claim_token", "update_work_item", "VersionConflictError", "list_changes"):
        assert step in text


async def test_start_work_says_when_nothing_is_ready(app: App) -> None:
    async with mcp_client(app) as client:
        text = await render(client, "start_work")
    assert "nothing is ready right now" in text


async def test_handoff_lists_the_callers_claims_and_its_latest_changes(app: App) -> None:
    held = create(app, "half done")
    other = create(app, "someone else's")
    async with mcp_client(app, "claude-code") as client:
        claim = await call(client, "claim_work_item", id=held)
        renamed = await call(
            client, "update_work_item", id=held, version=1, title="half done, renamed", **_token(claim)
        )
        assert renamed["success"]
        async with mcp_client(app, "another-agent") as another:
            assert (await call(another, "claim_work_item", id=other))["claimed"] is True
        text = await render(client, "handoff")
    assert text.startswith("Handoff from claude-code")
    assert f"half done, renamed (task, active, id {held}; claim expires {claim['expires_at']})" in text
    assert "someone else's" not in text
    assert f"claim work_item {held}" in text and f'update work_item {held} "half done, renamed" (title)' in text
    assert claim["claim_token"] not in text  # a token is never shown


def _token(claim: dict[str, str]) -> dict[str, str]:
    return {"claim_token": claim["claim_token"]}


async def test_handoff_for_another_actor_shows_theirs(app: App) -> None:
    item_id = create(app, "by the planner")
    async with mcp_client(app, "claude-code") as client:
        text = await render(client, "handoff", actor="planner", recent="1")
    assert text.startswith("Handoff from planner") and f"create work_item {item_id}" in text
    assert "Claims planner holds (0):\n- none" in text


async def test_a_bad_argument_or_an_unknown_prompt_is_refused_with_our_error_body(app: App) -> None:
    async with mcp_client(app) as client:
        refusals = []
        for name, arguments in [("start_work", {"item_type": "epic"}), ("handoff", {"recent": "0"}), ("nope", {})]:
            with pytest.raises(MCPError) as refused:
                await client.get_prompt(name, arguments)
            refusals.append(refused.value.data["error"])
    assert refusals == ["ValidationError", "ValidationError", "NotFoundError"]


@pytest.mark.parametrize("mode", [MODERN, LEGACY])
async def test_the_instructions_give_the_working_protocol(app: App, mode: str) -> None:
    async with client_of(app, mode) as client:
        instructions = client.instructions
    assert instructions is not None
    steps = [line for line in instructions.splitlines() if line[:1].isdigit()]  # in the order an agent works
    said = [("list_ready_work",), ("claim_work_item",), ("version", "claim_token"), ("completed",), ("list_changes",)]
    assert len(steps) == len(said)
    for step, words in zip(steps, said, strict=True):
        assert all(word in step for word in words), step
    assert len(instructions.splitlines()) <= 12
