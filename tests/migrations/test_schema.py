"""Migrating an empty database gives exactly the schema the code's tables describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from statusboard.storage import schema
from statusboard.storage.engine import build_engine
from statusboard.storage.tables import metadata
from tests.conftest import fresh_postgres_database


@pytest.fixture
def empty_database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    return fresh_postgres_database(request.getfixturevalue("pg_cluster"), migrated=False)


def _differences(url: str) -> list[object]:
    engine = build_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def test_upgrading_an_empty_database_gives_exactly_the_models_schema(empty_database_url: str) -> None:
    engine = build_engine(empty_database_url)
    assert schema.current_revision(engine) is None
    schema.upgrade(engine)
    assert schema.current_revision(engine) == schema.head_revision()
    tables = set(inspect(engine).get_table_names()) - {"alembic_version", "sqlite_sequence"}
    engine.dispose()
    assert tables == set(metadata.tables)
    assert _differences(empty_database_url) == []


def test_upgrade_twice_is_harmless(empty_database_url: str) -> None:
    engine = build_engine(empty_database_url)
    schema.upgrade(engine)
    schema.ensure_current(engine)
    schema.upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 1
    engine.dispose()


def test_check_constraints_exist_in_the_database(empty_database_url: str) -> None:
    engine = build_engine(empty_database_url)
    schema.upgrade(engine)
    names = {c["name"] for c in inspect(engine).get_check_constraints("work_items")}
    engine.dispose()
    assert {"ck_work_items_depth", "ck_work_items_item_type", "ck_work_items_status"} <= names
