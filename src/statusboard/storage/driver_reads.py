"""Hot reads run by the driver itself, on PostgreSQL.

Per statement, SQLAlchemy's execution path (cache lookup, execution context, result
metadata, row objects) costs about 0.3-0.5 ms on PostgreSQL: more than the round trip of
a prepared statement to a local server. The read every agent makes all the time
(query_work_item) therefore compiles its statement once and runs it on a psycopg cursor:
on a kept driver connection in autocommit (`Database.read_direct`, past the pool's
checkout and return, which cost as much again), or on the connection a request already
checked out. psycopg prepares it on the server after a few runs. The rows are the ones
SQLAlchemy would return: psycopg decodes jsonb, timestamptz and booleans itself, and the
PostgreSQL types used here add no result processing of their own. Errors come back as
SQLAlchemy's, so callers handle them as any other (an outage becomes
DatabaseUnavailableError in `Database`).
SQLite keeps the ordinary path: its driver call is cheap, and its types do need processing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Executable
from sqlalchemy.engine import Dialect

from statusboard.storage.direct import Direct, wrapped


class DriverQuery:
    def __init__(self, statement: Executable) -> None:
        self._statement = statement
        self._sql: str | None = None

    def sql(self, dialect: Dialect) -> str:
        """The statement as the driver receives it (compiled once; one dialect per process)."""
        if self._sql is None:
            self._sql = str(self._statement.compile(dialect=dialect))  # type: ignore[attr-defined]
        return self._sql

    def rows_on(self, direct: Direct, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        """On a kept driver connection (PostgreSQL: `Database.read_direct`)."""
        return direct.execute(self.sql(direct.dialect), params).fetchall()  # type: ignore[no-any-return]

    def rows(self, conn: Connection, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        if conn.dialect.name != "postgresql":
            return conn.execute(self._statement, dict(params)).all()
        dialect = conn.dialect
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute(self.sql(dialect), params)
            return cursor.fetchall()  # type: ignore[no-any-return]
        except dialect.loaded_dbapi.Error as exc:
            if dialect.is_disconnect(exc, conn.connection.dbapi_connection, cursor):
                conn.invalidate(exc)  # the pool must not hand a dead connection out again
            raise wrapped(dialect, exc) from exc
        finally:
            cursor.close()
