"""Nothing a client sends can hurt: every tool, with arguments generated from the input schema
tools/list gives for it (so a new tool is fuzzed too) and hostile values mixed in at every level
(tests/fuzz/strategies.py), through the in-process MCP client, on both backends.

Each call must answer a success or one of the contract's error codes (never a protocol error,
never a masked internal error; a ValidationError names its field), a refused call must leave
the change log where it was, and after each example every read that needs no argument, the
status report (json and markdown, written to the status file) and a dry-run migration of the
written file must still succeed. The board's state carries over from example to example, so
what one call wrote is what the next ones read, update and render.

The run is bounded for CI (FUZZ_EXAMPLES_DEFAULT examples per backend); for a long run set
STATUSBOARD_FUZZ_EXAMPLES, e.g.

    STATUSBOARD_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest tests/fuzz

The number of examples that ran on each backend is printed at the end of the run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from anyio.from_thread import start_blocking_portal
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from statusboard.config import Settings
from statusboard.wiring import build_app
from tests.conftest import FUZZ_SUMMARY, mcp_client
from tests.fuzz.board import Board
from tests.fuzz.strategies import SchemaStrategies

FUZZ_EXAMPLES_DEFAULT = 40
EXAMPLES = int(os.environ.get("STATUSBOARD_FUZZ_EXAMPLES", FUZZ_EXAMPLES_DEFAULT))
CALLS_PER_EXAMPLE = 3


@pytest.fixture
def board(database_url: str, tmp_path: Path) -> Iterator[Board]:
    status_file = tmp_path / ".project_status.md"
    app = build_app(Settings(database_url=database_url, markdown_path=str(status_file), git_repo=str(tmp_path)))
    try:
        with start_blocking_portal() as portal, portal.wrap_async_context_manager(mcp_client(app)) as client:
            board = Board(portal, client, status_file)
            _seed(board)
            yield board
    finally:
        app.close()


def _seed(board: Board) -> None:
    """One of each record (and a claim), so that generated arguments can name real ones."""
    project = board.reads("create_work_item", {"item_type": "project", "title": "p"})
    session = board.reads("create_work_item", {"item_type": "session", "title": "s", "parent_id": project["id"]})
    task = board.reads("create_work_item", {"item_type": "task", "title": "t", "parent_id": session["id"]})
    research = board.reads("create_work_item", {"item_type": "research", "title": "r"})
    board.reads(
        "add_dependency", {"work_item_id": research["id"], "depends_on_id": task["id"], "dependency_type": "blocks"}
    )
    board.reads("create_vendor", {"name": "acme"})
    board.reads("record_deployment", {"metadata": {"commit_hash": "abcdef1"}, "vendor_names": ["acme"]})
    board.reads("create_enhancement", {"title": "e", "priority": "low", "target_quarter": "2027-Q1"})
    board.reads("record_session_prompt", {"session_id": session["id"], "content": "---\nschema_version: 1\n---\nhi"})
    board.reads("claim_work_item", {"id": research["id"]})
    board.check_everything_reads()


@pytest.mark.timeout(120 + EXAMPLES)  # a long run's examples take well under a second each
def test_no_arguments_a_client_sends_break_the_board(
    board: Board, backend: str, request: pytest.FixtureRequest
) -> None:
    schemas = SchemaStrategies(board.known)
    names = sorted(board.tools)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )
    @given(st.data())
    def calls_then_reads(data: st.DataObject) -> None:
        board.tally.examples += 1
        for _ in range(data.draw(st.integers(1, CALLS_PER_EXAMPLE), label="calls")):
            tool = data.draw(st.sampled_from(names), label="tool")
            arguments = data.draw(schemas.arguments(board.tools[tool].input_schema), label=tool)
            board.fuzz(tool, arguments)
        board.check_everything_reads()

    try:
        calls_then_reads()
    finally:
        request.node.user_properties.append((FUZZ_SUMMARY, board.tally.summary(backend)))
