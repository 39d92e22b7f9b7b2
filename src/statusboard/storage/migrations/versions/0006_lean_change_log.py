"""A leaner change log: every write appends one entry, so each page it touches is paid on every write.

- SQLite: the table is rebuilt without AUTOINCREMENT. AUTOINCREMENT rewrites a row of
  sqlite_sequence on every insert, one page more in every commit; plain INTEGER PRIMARY KEY
  gives max(seq) + 1, the same numbers as long as no entry is ever deleted (none is). Seqs are
  kept as they were.
- Both: the index on (entity, entity_id) goes (no query uses it), and the index of idempotency
  keys holds only the entries that have one (a write replayed from the outage journal), not a
  NULL for every other entry.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Timestamp = sa.DateTime(timezone=True)
COLUMNS = "seq, entity, entity_id, version, op, actor, at, fields, idempotency_key"
KEYED = sa.text("idempotency_key IS NOT NULL")


def upgrade() -> None:
    op.drop_index(op.f("ix_change_log_entity_entity_id"), table_name="change_log")
    op.drop_index(op.f("ix_change_log_idempotency_key"), table_name="change_log")
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_change_log(autoincrement=False)
    op.create_index(
        op.f("ix_change_log_idempotency_key"),
        "change_log",
        ["idempotency_key"],
        unique=True,
        sqlite_where=KEYED,
        postgresql_where=KEYED,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_change_log_idempotency_key"), table_name="change_log")
    if op.get_bind().dialect.name == "sqlite":
        _rebuild_change_log(autoincrement=True)
    op.create_index(op.f("ix_change_log_idempotency_key"), "change_log", ["idempotency_key"], unique=True)
    op.create_index(op.f("ix_change_log_entity_entity_id"), "change_log", ["entity", "entity_id"])


def _rebuild_change_log(*, autoincrement: bool) -> None:
    """SQLite cannot alter AUTOINCREMENT: a new table, the rows copied with their seqs, renamed."""
    op.create_table(
        "change_log_rebuilt",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("op", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("fields", Json, nullable=False),
        sa.Column("idempotency_key", sa.String(36), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_change_log")),
        sqlite_autoincrement=autoincrement,
    )
    op.execute(f"INSERT INTO change_log_rebuilt ({COLUMNS}) SELECT {COLUMNS} FROM change_log")
    op.drop_table("change_log")
    op.rename_table("change_log_rebuilt", "change_log")
