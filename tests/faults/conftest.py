"""Fixtures of the fault tests: a PostgreSQL cluster a test may stop and pause."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.support.postgres import PostgresCluster, create_cluster, destroy_cluster


@pytest.fixture
def own_cluster() -> Iterator[PostgresCluster]:
    """A cluster of its own, durable (an immediate stop must not lose a commit): the test
    stops and pauses it."""
    try:
        cluster = create_cluster(durable=True)
    except FileNotFoundError as exc:
        if os.environ.get("STATUSBOARD_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required here but unavailable: {exc}")
        pytest.skip(reason=f"PostgreSQL unavailable: {exc}")
    try:
        yield cluster
    finally:
        cluster.resume()  # never leave it paused
        destroy_cluster(cluster)
