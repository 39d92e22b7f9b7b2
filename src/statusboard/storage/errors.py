"""The storage edge: every error a database driver or SQLAlchemy raises leaves storage as ours.

Translated once, where a request's database work ends (`Database`'s reads and writes, the
schema check, a local SQLite file opened by `local_file_errors`), so nothing above storage
needs to know SQLAlchemy, psycopg or sqlite3:

- the database cannot be reached or used now (OperationalError, InterfaceError, no pooled
  connection in time): DatabaseUnavailableError, which the fallback layers act on. SQLite
  reports a file it cannot open or a lock it could not get as OperationalError, as well as
  a table the schema lacks, so those too count as the primary being unusable;
- a value the database refuses to store (DataError: a NUL character in text on PostgreSQL,
  a number out of a column's range): ValidationError, the caller's to fix;
- anything else (a constraint no check foresaw, a statement the database rejects): ours
  too, but no caller's fault: StorageError, ConstraintViolation for a constraint. The
  interfaces report it as an internal error.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc as sa

from statusboard.domain.errors import DatabaseUnavailableError, StatusboardError, ValidationError


class StorageError(Exception):
    """A database error that is no caller's fault: a bug, or a case no check foresaw."""


class ConstraintViolation(StorageError):
    """A write broke a constraint that the code was to have checked first (or a race it missed)."""


class LocalFileError(StorageError):
    """A local SQLite file (the fallback cache and journal) cannot be opened or used."""


def translated(exc: BaseException) -> Exception | None:
    """Ours for a foreign database error; None for anything else (ours already, or not a database's)."""
    if isinstance(exc, StatusboardError | StorageError) or not isinstance(exc, sa.SQLAlchemyError):
        return None
    reason = first_line(exc)
    if isinstance(exc, sa.OperationalError | sa.InterfaceError | sa.TimeoutError):
        return DatabaseUnavailableError(reason, ["primary"])
    if isinstance(exc, sa.DataError):
        return ValidationError.single("", f"a value cannot be stored: {reason}")
    if isinstance(exc, sa.IntegrityError):
        return ConstraintViolation(reason)
    return StorageError(f"{type(exc).__name__}: {reason}")


@contextmanager
def at_the_edge() -> Iterator[None]:
    """Translates the foreign database errors raised inside the block (see the module's docstring)."""
    try:
        yield
    except sa.SQLAlchemyError as exc:
        ours = translated(exc)
        if ours is None:
            raise
        raise ours from exc


@contextmanager
def local_file_errors() -> Iterator[None]:
    """For code that opens a local SQLite file with the driver itself: its errors become LocalFileError,
    with the driver's message."""
    try:
        yield
    except sqlite3.Error as exc:
        raise LocalFileError(str(exc)) from exc


def first_line(exc: sa.SQLAlchemyError) -> str:
    """The driver's own message, first line (SQLAlchemy's adds the statement and its parameters)."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
