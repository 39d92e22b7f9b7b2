"""Core statements run by the driver itself, on a kept connection (see storage/direct.py).

Every statement is written once, in SQLAlchemy Core. The hot paths (the claim of an item
nobody holds, and the one-statement reads of query_work_item and query_vendor_status) run
theirs past SQLAlchemy's execution path (cache lookup, execution context, result metadata,
row objects: on PostgreSQL more than a prepared statement's round trip to a local server;
figures in bench/README.md): `DriverStatement` compiles the statement once per dialect, binds
parameters through SQLAlchemy's own bind processors for their types (SQLite: timestamps in
UTC text, JSON text; psycopg: JSONB) and converts rows with SQLAlchemy's own result
processors, so a value reads and writes exactly as it would through SQLAlchemy. psycopg
prepares the statement on the server after a few runs. Everything else runs its Core
statements through SQLAlchemy on a pooled connection (`Database.reading`, `write`): see
docs/decisions/0004-ways-to-run-sql.md for which is which and why.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import JSON, Connection
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import Executable

from statusboard.storage.direct import Direct

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


@dataclass(frozen=True)
class Compiled:
    """A statement as one dialect's driver takes it: its SQL with named placeholders, and how a
    caller's values become the driver's parameters."""

    sql: str
    names: dict[str, str]  # the caller's key -> the placeholder's name
    processors: dict[str, Processor]  # by placeholder name, where the type has one
    defaults: dict[str, Any]  # placeholders of values written into the statement ('completed')
    as_given: bool  # nothing to convert, add or rename: the caller's values are the parameters

    def params(self, values: Mapping[str, Any]) -> Mapping[str, Any]:
        if self.as_given:
            return values
        params = dict(self.defaults)
        for key, value in values.items():
            name = self.names.get(key)
            if name is not None:
                process = self.processors.get(name)
                params[name] = value if process is None else process(value)
        return params


class DriverStatement:
    def __init__(
        self, statement: Executable, *, columns: Iterable[Any] = (), keys: Sequence[str] | None = None
    ) -> None:
        """`columns`: what the statement returns, for converting its rows; `keys`: for an INSERT
        without values, the columns it sets (as SQLAlchemy compiles it for a row with those keys)."""
        self.statement = statement
        self._keys = list(keys) if keys is not None else None
        self._compiled: dict[str, Compiled] = {}  # by dialect name (a test process has both)
        self._converter = Converter(columns)

    def compiled(self, dialect: Dialect) -> Compiled:
        """Compiled once per dialect."""
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = _compile(self.statement, dialect, self._keys)
        return found

    def sql(self, dialect: Dialect) -> str:
        return self.compiled(dialect).sql

    def execute_on(self, direct: Direct, values: Mapping[str, Any]) -> Any:
        """Runs the statement on a kept driver connection; returns the driver's cursor."""
        compiled = self.compiled(direct.dialect)
        return direct.execute(compiled.sql, compiled.params(values))

    def rows_on(self, direct: Direct, values: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        """Every row, converted as SQLAlchemy would convert it."""
        rows = self.execute_on(direct, values).fetchall()
        return [self._converter.row(direct.dialect, row) for row in rows]

    def converted(self, dialect: Dialect, row: Sequence[Any]) -> Sequence[Any]:
        """A row the driver returned, converted as SQLAlchemy would convert it."""
        return self._converter.row(dialect, row)

    def rows(self, conn: Connection, values: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
        """The same statement through SQLAlchemy on a pooled connection."""
        return conn.execute(self.statement, dict(values)).all()


def _compile(statement: Executable, dialect: Dialect, keys: list[str] | None) -> Compiled:
    # The driver takes named parameters: sqlite3 `:name`, psycopg `%(name)s` (the dialect's own).
    target = SQLiteDialect_pysqlite(paramstyle="named") if dialect.name == "sqlite" else dialect
    compiled: Any = statement.compile(dialect=target, column_keys=keys)  # type: ignore[attr-defined]
    names: dict[str, str] = {}
    processors: dict[str, Processor] = {}
    defaults: dict[str, Any] = {}
    for bind, name in compiled.bind_names.items():
        process = _bind_processor(bind.type, dialect)
        if process is not None:
            processors[name] = process
        if bind.required:
            names[bind.key] = name
        else:
            defaults[name] = bind.value if process is None else process(bind.value)
    as_given = not processors and not defaults and all(key == name for key, name in names.items())
    return Compiled(str(compiled), names, processors, defaults, as_given)


def _bind_processor(type_: Any, dialect: Dialect) -> Processor | None:
    impl = type_.dialect_impl(dialect)
    if dialect.name == "postgresql" and isinstance(impl, JSON):
        # The statement casts the parameter (`::JSONB`): JSON text is stored alike, and sending
        # it skips psycopg's Jsonb adapter, on the claim's hot path.
        return json.dumps
    return impl.bind_processor(dialect)  # type: ignore[no-any-return]
