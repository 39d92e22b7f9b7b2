"""Every database error leaves storage as one of ours (storage/errors.py), whichever way the SQL ran."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import text

from statusboard.domain.errors import DatabaseUnavailableError, ValidationError
from statusboard.domain.work_items import NewWorkItem
from statusboard.storage import schema
from statusboard.storage.database import Database
from statusboard.storage.engine import build_engine
from statusboard.storage.errors import ConstraintViolation, StorageError
from statusboard.wiring import App
from tests.support.postgres import free_port

DUPLICATE = "INSERT INTO work_item_dependencies SELECT * FROM work_item_dependencies"


def _task(app: App, title: str = "task") -> str:
    return str(app.work_items.create("tester", NewWorkItem(item_type="project", title=title))["id"])


def test_a_constraint_a_write_breaks_comes_out_as_a_constraint_violation(app: App) -> None:
    first, second = _task(app, "first"), _task(app, "second")
    app.dependencies.add("tester", first, second, "depends_on")
    with pytest.raises(ConstraintViolation):
        app.db.write(lambda conn: conn.execute(text(DUPLICATE)))


def test_a_statement_the_database_rejects_comes_out_as_ours(app: App) -> None:
    """PostgreSQL: an internal error. SQLite reports a missing table as OperationalError, as it
    does a file it cannot open: the primary counts as unusable."""
    expected = StorageError if app.db.backend == "postgresql" else DatabaseUnavailableError
    with pytest.raises(expected), app.db.reading() as conn:
        conn.execute(text("SELECT * FROM no_such_table"))
    with pytest.raises(expected):
        app.db.read_direct(lambda direct: direct.execute("SELECT * FROM no_such_table").fetchall())


@pytest.mark.parametrize("backend", ["postgresql"])  # SQLite stores a NUL character
def test_a_text_postgresql_cannot_store_is_refused_as_a_validation_error(app: App) -> None:
    # The argument models refuse a NUL first (limits.StorableText); built unchecked here, it
    # reaches the database, and the storage edge is the last line.
    unchecked = NewWorkItem.model_construct(item_type="project", title="nul \x00 inside")
    with pytest.raises(ValidationError, match="cannot be stored"):
        app.work_items.create("tester", unchecked)
    with app.db.reading() as conn:
        assert conn.execute(text("SELECT count(*) FROM work_items")).scalar_one() == 0


def _read(db: Database) -> None:
    with db.reading() as conn:
        conn.execute(text("SELECT 1"))


def _snapshot(db: Database) -> None:
    with db.snapshot() as conn:
        conn.execute(text("SELECT 1"))


EVERY_WAY: dict[str, Callable[[Database], Any]] = {
    "reading": _read,
    "snapshot": _snapshot,
    "write": lambda db: db.write(lambda conn: conn.execute(text("SELECT 1"))),
    "read_direct": lambda db: db.read_direct(lambda direct: direct.execute("SELECT 1").fetchone()),
    "write_direct": lambda db: db.write_direct(lambda direct: direct.execute("SELECT 1").fetchone()),
    "schema check": lambda db: schema.ensure_current(db.engine),
}


@pytest.mark.parametrize("way", EVERY_WAY)
def test_an_unreachable_postgresql_is_database_unavailable_whichever_way_sql_runs(way: str) -> None:
    db = Database(build_engine(f"postgresql://postgres@127.0.0.1:{free_port()}/nothing_listens"))
    try:
        with pytest.raises(DatabaseUnavailableError):
            EVERY_WAY[way](db)
    finally:
        db.dispose()
