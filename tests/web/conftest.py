"""The board's fixtures: a small data set written through the services, and the board's routes
served by a real uvicorn in a thread (for event streams) or called in-process (for pages)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette

from statusboard.domain.deployments import NewDeployment
from statusboard.domain.enhancements import NewEnhancement
from statusboard.domain.validation import validated
from statusboard.domain.vendors import NewVendor
from statusboard.domain.work_items import NewWorkItem, WorkItemChanges
from statusboard.interfaces.http.app import transport_security
from statusboard.interfaces.web.access import ViewAccess
from statusboard.interfaces.web.routes import board_routes
from statusboard.wiring import App

START_TIMEOUT_S = 20.0
RESULTS = {"passing": 10, "total": 12, "skipped": 2}


@dataclass
class Board:
    project: dict[str, Any]
    session: dict[str, Any]
    claimed: dict[str, Any]
    waiting: dict[str, Any]
    blocker: dict[str, Any]
    blocked: dict[str, Any]


def seed_board(app: App) -> Board:
    """A project > session > tasks tree: one task claimed by claude-1, one waiting on another,
    one blocked with a reason; two vendors (one broken), a deployment, two planned enhancements."""
    item = app.work_items

    def create(actor: str, **fields: Any) -> dict[str, Any]:
        return item.create(actor, validated(NewWorkItem, fields))

    project = create("alice", item_type="project", title="Invoice extraction")
    session = create("alice", item_type="session", title="Sprint 14 session", parent_id=project["id"])
    claimed = create("alice", item_type="task", title="Parse Excel exports", parent_id=session["id"])
    waiting = create("alice", item_type="task", title="Reconcile totals", parent_id=session["id"])
    blocker = create("alice", item_type="task", title="Define the totals schema", parent_id=session["id"])
    blocked = create("alice", item_type="task", title="OCR scanned receipts", parent_id=session["id"])
    app.claims.claim("claude-1", claimed["id"], lease_seconds=900)
    app.dependencies.add("alice", waiting["id"], blocker["id"], "depends_on")
    changes = {"status": "blocked", "metadata": {"blocked_reason": "waiting for OCR licence"}}
    item.update("copilot", blocked["id"], 1, validated(WorkItemChanges, changes))
    for name, status in (("Acme Bank", "operational"), ("Globex Ledger", "broken")):
        metadata = {"test_results": RESULTS, "extractor_version": "2.0.1"}
        app.vendors.create("alice", validated(NewVendor, {"name": name, "status": status, "metadata": metadata}))
    deployment = {
        "metadata": {"pr_number": 42, "pr_title": "Faster Excel parsing", "commit_hash": "abcdef1234567"},
        "vendor_names": ["Acme Bank"],
        "work_item_ids": [claimed["id"]],
    }
    app.deployments.record("claude-1", validated(NewDeployment, deployment))
    for title, quarter in (("Multi-currency support", "2026-Q3"), ("Bulk re-extraction", "Q1 2027")):
        plan = {"title": title, "priority": "high", "target_quarter": quarter}
        app.enhancements.create("alice", validated(NewEnhancement, plan))
    return Board(project, session, claimed, waiting, blocker, blocked)


def board_asgi(app: App, **options: Any) -> Starlette:
    """The board's routes alone, with the same Host/Origin checks as `statusboard serve` on loopback."""
    return Starlette(routes=list(board_routes(app, ViewAccess(transport_security("127.0.0.1")), **options)))


@pytest.fixture
def board(app: App) -> Board:
    return seed_board(app)


@pytest.fixture
def serve_board() -> Iterator[Any]:
    """Serves an ASGI app with uvicorn on a free loopback port, in a thread; gives its base URL."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(asgi: Starlette, send_buffer: int | None = None) -> str:
        sock = socket.socket()
        if send_buffer is not None:  # accepted connections inherit it: a stalled client fills it soon
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        server = uvicorn.Server(uvicorn.Config(asgi, log_level="warning", timeout_graceful_shutdown=1))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        servers.append((server, thread))
        ready = threading.Event()
        for _ in range(int(START_TIMEOUT_S / 0.05)):
            if server.started:
                ready.set()
                break
            ready.wait(0.05)
        assert server.started, "uvicorn did not start"
        return f"http://127.0.0.1:{sock.getsockname()[1]}"

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=START_TIMEOUT_S)
