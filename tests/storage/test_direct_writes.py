"""Writes on the driver's own connection (storage/direct.py): errors, dead connections, formats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from statusboard.domain.errors import DatabaseUnavailableError
from statusboard.storage.direct import Direct
from statusboard.storage.errors import ConstraintViolation
from statusboard.storage.repositories import changes
from statusboard.storage.repositories.changes import ChangeEntry
from statusboard.wiring import App

KEY = "00000000-0000-4000-8000-000000000001"


def _entry(entity_id: str, at: datetime, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    [row] = changes.entry_rows("test", at, [ChangeEntry("probe", entity_id, None, "probe", fields or {})], KEY)
    return row


def _insert_log(direct: Direct, entity_id: str) -> None:
    changes.APPEND_ONE.execute_on(direct, _entry(entity_id, datetime.now(UTC)))


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
def test_values_written_on_the_driver_are_stored_as_sqlalchemy_stores_them(app: App, value: datetime) -> None:
    """Stored timestamps are compared as text on SQLite, so the driver's must be SQLAlchemy's exactly."""
    fields = {"holder": 'a "quoted" ünï', "epoch": 2, "expires_at": value.isoformat(), "none": None}
    app.db.write_direct(lambda direct: changes.APPEND_ONE.execute_on(direct, _entry("driver", value, fields)))
    with app.db.engine.begin() as conn:
        changes.append_many(conn, [{**_entry("sqlalchemy", value, fields), "idempotency_key": None}])
        stored = text("SELECT entity_id, CAST(at AS TEXT), CAST(fields AS TEXT) FROM change_log ORDER BY seq")
        rows = conn.execute(stored).all()
    assert [row[0] for row in rows] == ["driver", "sqlalchemy"]
    assert rows[0][1:] == rows[1][1:]
