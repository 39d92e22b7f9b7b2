"""Fixtures shared by every test: a real SQLite file or a real PostgreSQL database per test."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import mcp_types as types
import pytest
from mcp import Client
from sqlalchemy import create_engine, text

from statusboard.config import Settings
from statusboard.interfaces.mcp.server import build_server
from statusboard.storage import schema
from statusboard.storage.engine import build_engine
from statusboard.wiring import App, build_app
from tests.support.clock import ManualClock
from tests.support.outputs import checking_every_answer
from tests.support.postgres import PostgresCluster, create_cluster, destroy_cluster

BACKENDS = ["sqlite", "postgresql"]
TEMPLATE_DB = "statusboard_template"
_db_numbers = itertools.count()


def _postgres_required() -> bool:
    """PostgreSQL tests fail when no cluster can start, unless STATUSBOARD_REQUIRE_POSTGRES=0 allows skips."""
    return os.environ.get("STATUSBOARD_REQUIRE_POSTGRES", "1") != "0"


# The slow tier (`-m slow`; `./scripts/test --fast` leaves it out): separate OS processes racing,
# real outages and killed servers, servers started as subprocesses, and the generated round trips.
SLOW_DIRECTORIES = frozenset({"concurrency", "faults"})
SLOW_MODULES = frozenset({"test_processes.py", "test_status_roundtrip.py", "test_migration_roundtrip.py"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.parent.name in SLOW_DIRECTORIES or item.path.name in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PostgresCluster]:
    try:
        cluster = create_cluster()
    except FileNotFoundError as exc:
        if _postgres_required():
            pytest.fail(f"PostgreSQL is required here but unavailable: {exc}")
        pytest.skip(reason=f"PostgreSQL unavailable: {exc}")
    admin = create_engine(
        cluster.admin_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {TEMPLATE_DB}"))
    template = build_engine(cluster.url(TEMPLATE_DB))
    schema.upgrade(template)
    template.dispose()
    admin.dispose()
    yield cluster
    destroy_cluster(cluster)


def fresh_postgres_database(cluster: PostgresCluster, *, migrated: bool = True) -> str:
    name = f"sb_test_{os.getpid()}_{next(_db_numbers)}"
    admin = create_engine(
        cluster.admin_url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        template = f" TEMPLATE {TEMPLATE_DB}" if migrated else ""
        conn.execute(text(f"CREATE DATABASE {name}{template}"))
    admin.dispose()
    return cluster.url(name)


@pytest.fixture(autouse=True)
def _own_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings default to paths under the working directory (the local cache, the status
    file): each test gets its own, so none writes into the checkout or sees another's."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """A migrated, empty database of the test's backend."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'status.db'}"
        engine = build_engine(url)
        schema.upgrade(engine)
        engine.dispose()
        return url
    cluster: PostgresCluster = request.getfixturevalue("pg_cluster")
    return fresh_postgres_database(cluster)


@pytest.fixture
def app(database_url: str) -> Iterator[App]:
    application = build_app(Settings(database_url=database_url))
    yield application
    application.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def clocked_app(database_url: str, clock: ManualClock) -> Iterator[App]:
    """An app whose time moves only when the test advances `clock`."""
    application = build_app(Settings(database_url=database_url), clock=clock)
    yield application
    application.close()


@asynccontextmanager
async def mcp_client(application: App, client_name: str = "test-client") -> AsyncIterator[Client]:
    """An in-process MCP client that declares `client_name` as its clientInfo.name. Every answer
    it gets is checked against its tool's output schema, or the error body's shape
    (tests/support/outputs.py)."""
    info = types.Implementation(name=client_name, version="1.0")
    async with Client(build_server(application), client_info=info, read_timeout_seconds=30) as client:
        yield checking_every_answer(client)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


_skipped_postgres: list[str] = []
# The fuzz suite's summary (how many examples ran on each backend), which its tests pass on as a
# user property: it reaches this, the one conftest pytest-xdist's controller always loads, from
# the workers too, and is shown at the end of the run.
FUZZ_SUMMARY = "fuzz_summary"
_fuzz_summaries: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped and "postgresql" in report.nodeid:
        _skipped_postgres.append(report.nodeid)
    if report.when == "call":
        _fuzz_summaries.extend(str(value) for name, value in report.user_properties if name == FUZZ_SUMMARY)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _fuzz_summaries:
        terminalreporter.section("fuzzed tool calls")
        for line in _fuzz_summaries:
            terminalreporter.write_line(line)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Where PostgreSQL is required (CI, scripts/test), a skipped PostgreSQL test fails the run."""
    if _postgres_required() and _skipped_postgres and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print(f"\n{len(_skipped_postgres)} PostgreSQL test(s) were skipped but PostgreSQL is required, e.g.:")
        for nodeid in _skipped_postgres[:5]:
            print(f"  {nodeid}")
