"""Database libraries stay behind the storage edge: the interfaces and the wiring never name them.

Storage translates every error SQLAlchemy, psycopg or sqlite3 raises into one of ours
(storage/errors.py), so nothing above it needs to catch, import or mention them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from statusboard.domain.errors import DatabaseUnavailableError, ValidationError
from statusboard.interfaces.errors import error_body, exit_code
from statusboard.storage.errors import ConstraintViolation, StorageError

SRC = Path(__file__).parents[2] / "src" / "statusboard"
ABOVE_STORAGE = [*sorted((SRC / "interfaces").rglob("*.py")), SRC / "wiring.py"]
DATABASE_LIBRARIES = re.compile(r"sqlalchemy|psycopg|sqlite3")


@pytest.mark.parametrize("path", ABOVE_STORAGE, ids=lambda path: str(path.relative_to(SRC)))
def test_the_interfaces_and_the_wiring_never_name_a_database_library(path: Path) -> None:
    found = [
        f"{n}: {line.strip()}"
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if DATABASE_LIBRARIES.search(line)
    ]
    assert found == [], f"{path.relative_to(SRC)} names a database library; translate at the storage edge"


def test_an_internal_storage_error_is_reported_as_an_internal_error() -> None:
    for error in (StorageError("ProgrammingError: syntax error"), ConstraintViolation("duplicate key")):
        body = error_body(error)
        assert body["error"] == "InternalError" and body["message"] == f"internal error: {type(error).__name__}"
        assert exit_code(error) == 1


def test_translated_database_errors_keep_their_contract_codes() -> None:
    unavailable = DatabaseUnavailableError("connection refused", ["primary"])
    assert error_body(unavailable)["error"] == "DatabaseUnavailableError" and exit_code(unavailable) == 6
    assert exit_code(ValidationError.single("", "a value cannot be stored: NUL")) == 2
