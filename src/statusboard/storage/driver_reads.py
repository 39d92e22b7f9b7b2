"""Hot reads run by the driver itself.

Per statement, SQLAlchemy's execution path (cache lookup, execution context, result
metadata, row objects) costs about 0.3-0.5 ms on PostgreSQL: more than the round trip of
a prepared statement to a local server; and a request's pool checkout and return cost
about as much again (on PostgreSQL autocommit switched on and back off and the reset, on
SQLite a BEGIN and a ROLLBACK). The read every agent makes all the time
(query_work_item) therefore compiles its statement once and runs it on the driver's
cursor of a kept connection in autocommit (`Database.read_direct`): one statement, one
snapshot. psycopg prepares it on the server after a few runs. The rows are converted as
SQLAlchemy would convert them (on SQLite: timestamps, JSON, booleans; psycopg decodes the
PostgreSQL types used here itself). Errors come back as SQLAlchemy's, so callers handle
them as any other (an outage becomes DatabaseUnavailableError in `Database`). `rows` runs
it on a connection a request already checked out instead.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import CompoundSelect, Connection, Select
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import Dialect

from statusboard.storage.direct import Direct, wrapped

Processor = Callable[[Any], Any]


class DriverQuery:
    def __init__(self, statement: Select[Any] | CompoundSelect[Any]) -> None:
        self._statement = statement
        self._sql: dict[str, str] = {}  # by dialect name (a test process has both)
        self._processors: dict[str, list[tuple[int, Processor]]] = {}

    def sql(self, dialect: Dialect) -> str:
        """The statement as the driver receives it, with named parameters (compiled once)."""
        sql = self._sql.get(dialect.name)
        if sql is None:
            target = SQLiteDialect_pysqlite(paramstyle="named") if dialect.name == "sqlite" else dialect
            sql = self._sql[dialect.name] = str(self._statement.compile(dialect=target))
        return sql

    def rows_on(self, direct: Direct, params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        """On a kept driver connection (`Database.read_direct`), converted as SQLAlchemy would."""
        rows = direct.execute(self.sql(direct.dialect), params).fetchall()
        processors = self._processors_for(direct.dialect)
        if not processors:
            return rows  # type: ignore[no-any-return]
        converted = []
        for row in rows:
            values = list(row)
            for n, process in processors:
                values[n] = process(values[n])
            converted.append(values)
        return converted

    def _processors_for(self, dialect: Dialect) -> list[tuple[int, Processor]]:
        """The result columns the driver hands back in another form than SQLAlchemy's, and how
        SQLAlchemy converts them (SQLite: timestamps, JSON and booleans; psycopg: none)."""
        processors = self._processors.get(dialect.name)
        if processors is None:
            found: list[tuple[int, Processor]] = []
            for n, column in enumerate(self._statement.selected_columns):
                process = column.type.dialect_impl(dialect).result_processor(dialect, None)
                if process is not None:
                    found.append((n, process))
            processors = self._processors[dialect.name] = found
        return processors

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
