"""Schema migrations, applied at start by every process that opens the database.

Many `statusboard mcp` processes may start at once against one fresh database, so
the upgrade runs under a lock: BEGIN IMMEDIATE on SQLite (DDL is transactional
there) and an advisory lock on PostgreSQL. Whoever comes second finds the schema
at head and does nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, inspect, text

from statusboard.storage.database import UPGRADE_LOCK, Database
from statusboard.storage.errors import at_the_edge

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
_REVISION_FILES = "[0-9][0-9][0-9][0-9]_*.py"  # each named after its revision, each revising the one before


def _alembic_config(conn: Connection) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = conn
    return config


def head_revision() -> str:
    """The newest revision, read from the file names: every process checks it at start, and
    Alembic's own reading of the scripts costs that start more than the rest of the check."""
    return max(path.name.split("_", 1)[0] for path in (MIGRATIONS / "versions").glob(_REVISION_FILES))


def current_revision(engine: Engine) -> str | None:
    with at_the_edge(), engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, target: str = "head") -> None:
    from alembic import command

    db = Database(engine)

    def migrate(conn: Connection) -> None:
        db.lock(conn, UPGRADE_LOCK)
        command.upgrade(_alembic_config(conn), target)

    db.write(migrate)


def ensure_current(engine: Engine) -> None:
    """Upgrades only when needed, so an up-to-date start takes no write lock."""
    if current_revision(engine) != head_revision():
        upgrade(engine)
