"""A long tool (trigger_archiving) cancelled over MCP, or cut off by a disconnecting client,
leaves the database exactly as it was."""

from __future__ import annotations

import threading
from typing import Any

import anyio
import pytest
from sqlalchemy import func, select

from statusboard.domain.cancellation import CancelToken, Progress
from statusboard.domain.work_items import NewWorkItem
from statusboard.services.archiving import ArchivingService
from statusboard.storage.tables import archived_work_items, change_log, work_items
from statusboard.wiring import App
from tests.conftest import mcp_client
from tests.support.clock import ManualClock

pytestmark = pytest.mark.anyio
WAIT_S = 20.0
ITEMS = 40


class PausingArchiving(ArchivingService):
    """Archives as usual, but after the first chunk waits (bounded) until it is cancelled."""

    def __init__(self, app: App, clock: ManualClock) -> None:
        super().__init__(app.db, clock, chunk_size=5)
        self.midway = threading.Event()
        self.finished = threading.Event()
        self.outcome: list[str] = []

    def trigger(
        self,
        actor: str,
        older_than_days: int = 365,
        *,
        cancel: CancelToken | None = None,
        progress: Progress | None = None,
    ) -> dict[str, Any]:
        assert cancel is not None and progress is not None, "the server passes both to a long tool"

        def pause_after_first_chunk(done: int, total: int) -> None:
            progress(done, total)
            if not self.midway.is_set():
                self.midway.set()
                cancel.wait(WAIT_S)

        try:
            result = super().trigger(actor, older_than_days, cancel=cancel, progress=pause_after_first_chunk)
            self.outcome.append("finished")
            return result
        except BaseException as exc:
            self.outcome.append(type(exc).__name__)
            raise
        finally:
            self.finished.set()


def _state(app: App) -> tuple[int, ...]:
    with app.db.engine.connect() as conn:
        return tuple(
            int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for table in (work_items, archived_work_items, change_log)
        )


@pytest.fixture
def old_items(clocked_app: App, clock: ManualClock) -> App:
    for n in range(ITEMS):
        clocked_app.work_items.create("planner", NewWorkItem(item_type="task", title=f"old {n}"))
    clock.advance(400 * 24 * 3600)
    return clocked_app


async def test_cancelled_archiving_over_mcp_changes_nothing(old_items: App, clock: ManualClock) -> None:
    app = old_items
    archiving = app.archiving = PausingArchiving(app, clock)
    before = _state(app)
    progress: list[float] = []

    async def on_progress(done: float, total: float | None, _message: str | None) -> None:
        progress.append(done)

    async with mcp_client(app) as client:
        async with anyio.create_task_group() as group:

            async def archive() -> None:
                await client.call_tool("trigger_archiving", {}, progress_callback=on_progress)

            group.start_soon(archive)
            assert await anyio.to_thread.run_sync(archiving.midway.wait, WAIT_S), "archiving never started"
            group.cancel_scope.cancel()
        assert await anyio.to_thread.run_sync(archiving.finished.wait, WAIT_S)
        assert archiving.outcome == ["OperationCancelled"]
        assert _state(app) == before
        result = await client.call_tool("trigger_archiving", {"older_than_days": 365})  # the server carries on
    assert result.structured_content is not None and result.structured_content["archived_count"] == ITEMS
    assert progress[:1] == [5.0]


async def test_client_disconnecting_mid_archiving_changes_nothing(old_items: App, clock: ManualClock) -> None:
    app = old_items
    archiving = app.archiving = PausingArchiving(app, clock)
    before = _state(app)

    async with anyio.create_task_group() as group:

        async def connect_and_archive() -> None:
            async with mcp_client(app) as client:
                await client.call_tool("trigger_archiving", {})

        group.start_soon(connect_and_archive)
        assert await anyio.to_thread.run_sync(archiving.midway.wait, WAIT_S), "archiving never started"
        group.cancel_scope.cancel()  # the client goes away, connection and all

    assert await anyio.to_thread.run_sync(archiving.finished.wait, WAIT_S)
    assert archiving.outcome == ["OperationCancelled"]
    assert _state(app) == before
