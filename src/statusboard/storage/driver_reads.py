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

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import CompoundSelect, Connection, Select
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import Dialect

from statusboard.storage.direct import Direct, wrapped

Processor = Callable[[Any], Any]


class Converter:
    """Converts rows the driver hands back as SQLAlchemy would convert them (SQLite:
    timestamps, JSON and booleans; psycopg: nothing), using SQLAlchemy's own result
    processors for `columns`, found once per dialect."""

    def __init__(self, columns: Iterable[Any]) -> None:
        self._columns = list(columns)
        self._processors: dict[str, list[tuple[int, Processor]]] = {}  # by dialect name (a test process has both)

    def row(self, dialect: Dialect, values: Sequence[Any]) -> Sequence[Any]:
        processors = self._for(dialect)
        if not processors:
            return values
        converted = list(values)
        for n, process in processors:
            converted[n] = process(converted[n])
        return converted

    def _for(self, dialect: Dialect) -> list[tuple[int, Processor]]:
        processors = self._processors.get(dialect.name)
        if processors is None:
            found: list[tuple[int, Processor]] = []
            for n, column in enumerate(self._columns):
                process = column.type.dialect_impl(dialect).result_processor(dialect, None)
                if process is not None:
                    found.append((n, process))
            processors = self._processors[dialect.name] = found
        return processors


class DriverQuery:
    def __init__(self, statement: Select[Any] | CompoundSelect[Any]) -> None:
        self._statement = statement
        self._sql: dict[str, str] = {}  # by dialect name (a test process has both)
        self._converter = Converter(statement.selected_columns)

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
        return [self._converter.row(direct.dialect, row) for row in rows]

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
