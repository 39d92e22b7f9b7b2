"""Writes on the driver's own connection (storage/direct.py): errors, dead connections, formats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import IntegrityError

from statusboard.domain.errors import DatabaseUnavailableError
from statusboard.storage.direct import Direct
from statusboard.storage.errors import ConstraintViolation
from statusboard.storage.repositories.fresh_claims import sqlite_json, sqlite_time
from statusboard.storage.tables import change_log, work_item_claims
from statusboard.wiring import App


def _insert_log(direct: Direct, entity_id: str) -> None:
    named = ":{}" if direct.backend == "sqlite" else "%({})s"
    columns = ("entity", "entity_id", "op", "actor", "at", "fields", "idempotency_key")
    sql = f"INSERT INTO change_log ({', '.join(columns)}) VALUES ({', '.join(named.format(c) for c in columns)})"
    at: Any = datetime.now(UTC)
    if direct.backend == "sqlite":
        at = sqlite_time(at)
    row = {"entity": "probe", "entity_id": entity_id, "op": "probe", "actor": "test", "at": at, "fields": "{}"}
    direct.execute(sql, {**row, "idempotency_key": "00000000-0000-4000-8000-000000000001"})


def _probes(app: App) -> list[str]:
    with app.db.engine.connect() as conn:
        return list(conn.execute(text("SELECT entity_id FROM change_log WHERE entity = 'probe'")).scalars())


def test_a_failed_write_is_rolled_back_and_the_connection_serves_the_next(app: App) -> None:
    app.db.write_direct(lambda direct: _insert_log(direct, "first"))
    with pytest.raises(ConstraintViolation) as refused:  # the same idempotency key again
        app.db.write_direct(lambda direct: _insert_log(direct, "second"))
    assert isinstance(refused.value.__cause__, IntegrityError)
    assert _probes(app) == ["first"]
    with app.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM change_log WHERE entity = 'probe'"))
    app.db.write_direct(lambda direct: _insert_log(direct, "third"))
    assert _probes(app) == ["third"]


@pytest.mark.parametrize("backend", ["postgresql"])  # an SQLite connection cannot be dropped from outside
def test_a_connection_the_server_dropped_fails_one_write_and_is_replaced(app: App) -> None:
    pid = app.db.write_direct(lambda direct: direct.execute("SELECT pg_backend_pid()").fetchone()[0])
    with app.db.engine.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        conn.commit()
    with pytest.raises(DatabaseUnavailableError):
        app.db.write_direct(lambda direct: direct.execute("SELECT 1").fetchone())
    assert app.db.write_direct(lambda direct: direct.execute("SELECT 1").fetchone()) == (1,)


@pytest.mark.parametrize(
    "value",
    [
        datetime(2026, 11, 21, 12, 0, tzinfo=UTC),
        datetime(2026, 11, 21, 12, 0, 0, 120000, tzinfo=UTC),
        datetime(2026, 11, 21, 12, 0, tzinfo=timezone(timedelta(hours=5, minutes=30))),
        datetime(999, 1, 2, 3, 4, 5, 6),
    ],
)
def test_sqlite_values_are_written_as_sqlalchemy_writes_them(value: datetime) -> None:
    dialect = sqlite.dialect()
    as_sqlalchemy = work_item_claims.c.claimed_at.type.dialect_impl(dialect).bind_processor(dialect)
    assert as_sqlalchemy is not None and sqlite_time(value) == as_sqlalchemy(value)
    fields = {"holder": 'a "quoted" ünï', "epoch": 2, "expires_at": value.isoformat(), "none": None}
    json_as_sqlalchemy = change_log.c.fields.type.dialect_impl(dialect).bind_processor(dialect)
    assert json_as_sqlalchemy is not None and sqlite_json(fields) == json_as_sqlalchemy(fields)
