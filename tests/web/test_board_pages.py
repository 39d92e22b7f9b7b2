"""The board's pages, asked for over HTTP in-process: what they show, filters, an item's history,
and the Host check they share with /mcp."""

from __future__ import annotations

import html
import re

import httpx2
import pytest

from statusboard.domain.validation import validated
from statusboard.domain.work_items import WorkItemChanges
from statusboard.wiring import App
from tests.support.clock import ManualClock
from tests.web.conftest import Board, board_asgi, seed_board

pytestmark = pytest.mark.anyio
BASE = "http://127.0.0.1:8765"


async def _get(app: App, path: str, **headers: str) -> httpx2.Response:
    transport = httpx2.ASGITransport(app=board_asgi(app))
    async with httpx2.AsyncClient(transport=transport, base_url=BASE) as client:
        return await client.get(path, headers=headers)


def _text(response: httpx2.Response) -> str:
    """The page as a person reads it: tags gone, entities decoded, spaces folded."""
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.text)))
    return re.sub(r" ([:,)])", r"\1", text)


async def test_the_board_shows_tree_holders_ready_blocked_vendors_deployments_plans_and_changes(
    app: App, board: Board
) -> None:
    response = await _get(app, "/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = _text(response)
    for title in ("Invoice extraction", "Sprint 14 session", "Parse Excel exports", "OCR scanned receipts"):
        assert title in page
    assert "claude-1" in page and "left" in page  # the holder and the lease's countdown
    assert "waiting for OCR licence" in page  # blocked, with its reason
    assert "waits on Define the totals schema (active)" in page  # waiting, with what it waits on
    assert "1 operational" in page and "1 broken" in page and "Broken: Globex Ledger" in page
    assert "PR #42 Faster Excel parsing" in page and "Acme Bank" in page
    assert "2026-Q3" in page and "Multi-currency support" in page and "2027-Q1" in page
    assert "copilot update work item OCR scanned receipts" in page
    ready = page.split("Ready to claim", 1)[1].split("Blocked and waiting", 1)[0]
    assert "Define the totals schema" in ready and "Parse Excel exports" not in ready


async def test_the_page_names_the_seq_its_event_stream_resumes_after(app: App, board: Board) -> None:
    last = app.changes.list_changes(0, 1000)["last_seq"]
    response = await _get(app, "/")
    assert f'data-events="/events?since={last}"' in response.text


async def test_filters_keep_the_matching_items_and_their_ancestors(app: App, board: Board) -> None:
    response = await _get(app, "/?type=task&holder=claude-1")
    tree = _text(response).split("Work items", 1)[1].split("Ready to claim", 1)[0]
    assert "1 match the filter" in tree
    assert "Parse Excel exports" in tree and "Invoice extraction" in tree and "Sprint 14 session" in tree
    assert "Reconcile totals" not in tree and "OCR scanned receipts" not in tree
    searched = _text(await _get(app, "/?q=ocr")).split("Work items", 1)[1].split("Ready to claim", 1)[0]
    assert "OCR scanned receipts" in searched and "Reconcile totals" not in searched


async def test_the_fragment_is_the_live_part_without_the_page_around_it(app: App, board: Board) -> None:
    fragment = (await _get(app, "/?fragment=1")).text
    assert "Parse Excel exports" in fragment
    assert "<html" not in fragment and "<form" not in fragment


async def test_an_item_page_shows_its_chain_children_dependencies_and_history(app: App, board: Board) -> None:
    item = board.waiting
    app.work_items.update("copilot", item["id"], 1, validated(WorkItemChanges, {"title": "Reconcile all totals"}))
    app.work_items.update("cursor", item["id"], 2, validated(WorkItemChanges, {"status": "completed"}))
    page = _text(await _get(app, f"/items/{item['id']}"))
    assert "Board › Invoice extraction › Sprint 14 session › Reconcile all totals" in page
    assert "depends on Define the totals schema (active)" in page
    history = page.split("History", 1)[1]
    assert "copilot update title: Reconcile totals → Reconcile all totals" in history
    assert "cursor update status: active → completed" in history
    assert "alice create dependency" in history and "alice create" in history
    session = _text(await _get(app, f"/items/{board.session['id']}"))
    assert "Parse Excel exports active claude-1" in session  # a child, with its holder


async def test_a_claim_and_its_release_show_in_the_history(app: App, board: Board) -> None:
    taken = app.claims.claim("cursor", board.blocker["id"], lease_seconds=600)
    app.claims.release("cursor", board.blocker["id"], taken["claim_token"])
    history = _text(await _get(app, f"/items/{board.blocker['id']}")).split("History", 1)[1]
    assert "cursor release claim.end_reason: — → released" in history
    assert "cursor claim claim.epoch: — → 1 claim.expires_at: — →" in history


async def test_an_unknown_item_is_a_not_found_page(app: App) -> None:
    response = await _get(app, "/items/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404 and "Not found" in response.text
    assert (await _get(app, "/items/not-a-uuid")).status_code == 404


async def test_a_request_naming_a_foreign_host_or_origin_is_refused(app: App) -> None:
    assert (await _get(app, "/", host="evil.example:80")).status_code == 421
    assert (await _get(app, "/events", origin="http://evil.example")).status_code == 403
    assert (await _get(app, "/", host="localhost:8765")).status_code == 200


async def test_the_stylesheet_and_script_come_from_the_package(app: App) -> None:
    css, js = await _get(app, "/static/board.css"), await _get(app, "/static/board.js")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert js.status_code == 200 and "EventSource" in js.text
    assert (await _get(app, "/static/../wiring.py")).status_code == 404


async def test_a_lease_that_ran_out_shows_no_holder_though_nothing_was_written(
    clocked_app: App, clock: ManualClock
) -> None:
    board = seed_board(clocked_app)
    row = f'data-id="{board.claimed["id"]}"'
    before = (await _get(clocked_app, "/")).text
    assert "claude-1" in before.split(row, 1)[1].split("</li>", 1)[0]
    clock.advance(901)
    after = (await _get(clocked_app, "/")).text
    assert "claude-1" not in after.split(row, 1)[1].split("</li>", 1)[0]
    ready = _text(await _get(clocked_app, "/")).split("Ready to claim", 1)[1].split("Blocked and waiting", 1)[0]
    assert "Parse Excel exports" in ready
