"""Migrating an empty database gives exactly the schema the code's tables describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

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


def _log_entry(seq_hint: str, key: str | None = None) -> dict[str, object]:
    return {
        "entity": "work_item",
        "entity_id": f"00000000-0000-0000-0000-{seq_hint:0>12}",
        "version": 1,
        "op": "create",
        "actor": "tester",
        "at": "2026-11-21 10:00:00.000000",
        "fields": "{}",
        "idempotency_key": key,
    }


_INSERT_ENTRY = text(
    "INSERT INTO change_log (entity, entity_id, version, op, actor, at, fields, idempotency_key) "
    "VALUES (:entity, :entity_id, :version, :op, :actor, :at, :fields, :idempotency_key)"
)


def test_the_lean_change_log_keeps_every_entry_and_goes_on_counting(empty_database_url: str) -> None:
    """0006 rebuilds the SQLite change log without AUTOINCREMENT and narrows its indexes: the entries
    written before keep their seqs, the next one follows the last, and a replayed key is still refused."""
    engine = build_engine(empty_database_url)
    try:
        schema.upgrade(engine, "0005")
        with engine.begin() as conn:
            for n in range(1, 6):
                conn.execute(_INSERT_ENTRY, _log_entry(str(n), key=f"00000000-0000-0000-0000-00000000000{n}"))
            conn.execute(_INSERT_ENTRY, _log_entry("6"))
            before = conn.execute(text("SELECT seq, entity_id, idempotency_key FROM change_log ORDER BY seq")).all()
        schema.upgrade(engine)
        with engine.begin() as conn:
            after = conn.execute(text("SELECT seq, entity_id, idempotency_key FROM change_log ORDER BY seq")).all()
            conn.execute(_INSERT_ENTRY, _log_entry("7"))
            conn.execute(_INSERT_ENTRY, _log_entry("8"))
            newest = conn.execute(text("SELECT seq FROM change_log ORDER BY seq DESC LIMIT 2")).scalars().all()
        with pytest.raises(IntegrityError), engine.begin() as conn:
            conn.execute(_INSERT_ENTRY, _log_entry("9", key="00000000-0000-0000-0000-000000000003"))
        indexes = {index["name"]: index for index in inspect(engine).get_indexes("change_log")}
        if engine.dialect.name == "sqlite":
            with engine.connect() as conn:
                ddl = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'change_log'")).scalar_one()
            assert "AUTOINCREMENT" not in ddl.upper()
    finally:
        engine.dispose()
    assert [tuple(row) for row in after] == [tuple(row) for row in before] and len(before) == 6
    last = before[-1][0]
    assert newest == [last + 2, last + 1]
    assert set(indexes) == {"ix_change_log_idempotency_key"}
    assert indexes["ix_change_log_idempotency_key"]["unique"]


def test_the_lean_change_log_downgrades_and_upgrades_again_keeping_its_entries(empty_database_url: str) -> None:
    from alembic import command

    engine = build_engine(empty_database_url)
    try:
        schema.upgrade(engine)
        with engine.begin() as conn:
            for n in range(1, 4):
                conn.execute(_INSERT_ENTRY, _log_entry(str(n), key=f"00000000-0000-0000-0000-00000000000{n}"))
            before = conn.execute(text("SELECT seq, entity_id, idempotency_key FROM change_log ORDER BY seq")).all()
        with engine.begin() as conn:
            command.downgrade(schema._alembic_config(conn), "0005")
        assert schema.current_revision(engine) == "0005"
        with engine.connect() as conn:
            downgraded = conn.execute(text("SELECT seq, entity_id, idempotency_key FROM change_log ORDER BY seq")).all()
        indexes = {index["name"] for index in inspect(engine).get_indexes("change_log")}
        schema.upgrade(engine)
        with engine.connect() as conn:
            again = conn.execute(text("SELECT seq, entity_id, idempotency_key FROM change_log ORDER BY seq")).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in downgraded] == [tuple(r) for r in before] == [tuple(r) for r in again]
    assert indexes == {"ix_change_log_entity_entity_id", "ix_change_log_idempotency_key"}


def test_the_head_read_from_the_file_names_is_alembics_head() -> None:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(schema.MIGRATIONS))
    assert schema.head_revision() == scripts.get_current_head()
    for script in scripts.walk_revisions():
        assert Path(script.path).name.startswith(f"{script.revision}_"), script.path
