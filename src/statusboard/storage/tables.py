"""The schema, as SQLAlchemy Core tables. Alembic migrations must produce exactly this."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

Json = JSON().with_variant(JSONB(), "postgresql")
Timestamp = DateTime(timezone=True)
Uuid = String(36)

work_items = Table(
    "work_items",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("item_type", String(16), nullable=False),
    Column("title", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    Column("parent_id", Uuid, ForeignKey("work_items.id"), nullable=True),
    Column("path", String(240), nullable=False),
    Column("depth", Integer, nullable=False),
    Column("branch_name", String(255), nullable=True),
    Column("commit_hash", String(40), nullable=True),
    Column("pr_number", Integer, nullable=True),
    Column("metadata", Json, nullable=False),
    Column("deleted_at", Timestamp, nullable=True),
    Column("archived", Boolean, nullable=False, server_default=text("false")),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("updated_by", String(200), nullable=False),
    CheckConstraint("item_type IN ('project', 'session', 'task', 'research')", name="item_type"),
    CheckConstraint("status IN ('active', 'completed', 'blocked')", name="status"),
    CheckConstraint("depth BETWEEN 0 AND 5", name="depth"),
    CheckConstraint("version >= 1", name="version"),
    CheckConstraint("pr_number IS NULL OR pr_number >= 1", name="pr_number"),
    Index(None, "parent_id"),
    Index(None, "item_type", "status"),
    Index(None, "created_by"),
    Index(None, "created_at"),
)

work_item_dependencies = Table(
    "work_item_dependencies",
    metadata,
    Column("id", Uuid, nullable=False, unique=True),
    Column("work_item_id", Uuid, ForeignKey("work_items.id"), primary_key=True),
    Column("depends_on_id", Uuid, ForeignKey("work_items.id"), primary_key=True),
    Column("dependency_type", String(16), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("created_by", String(200), nullable=False),
    CheckConstraint("dependency_type IN ('depends_on', 'blocks')", name="dependency_type"),
    CheckConstraint("work_item_id <> depends_on_id", name="not_self"),
    Index(None, "depends_on_id"),
)

# One row per claim ever taken. A claim is open until it ends (released, completed,
# expired and taken over, or its item deleted); the partial unique index is the
# database's own guarantee that an item never has two open claims.
work_item_claims = Table(
    "work_item_claims",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("work_item_id", Uuid, ForeignKey("work_items.id"), nullable=False),
    Column("epoch", Integer, nullable=False),
    Column("token", String(64), nullable=False, unique=True),
    Column("holder", String(200), nullable=False),
    Column("claimed_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=False),
    Column("ended_at", Timestamp, nullable=True),
    Column("end_reason", String(16), nullable=True),
    CheckConstraint("epoch >= 1", name="epoch"),
    CheckConstraint(
        "(ended_at IS NULL AND end_reason IS NULL) OR "
        "(ended_at IS NOT NULL AND end_reason IN ('released', 'completed', 'expired', 'deleted'))",
        name="ended",
    ),
    UniqueConstraint("work_item_id", "epoch"),
    Index(
        "uq_work_item_claims_open",
        "work_item_id",
        unique=True,
        sqlite_where=text("ended_at IS NULL"),
        postgresql_where=text("ended_at IS NULL"),
    ),
)

# Archived work items leave work_items (and with them their dependencies and claim
# history, kept in `record`), so default queries never see them. Only whole subtrees
# whose dependencies stay inside the archived set are moved: nothing left in
# work_items ever points at an archived row.
archived_work_items = Table(
    "archived_work_items",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("item_type", String(16), nullable=False),
    Column("title", String(200), nullable=False),
    Column("status", String(16), nullable=False),
    Column("parent_id", Uuid, nullable=True),
    Column("path", String(240), nullable=False),
    Column("depth", Integer, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("archived_at", Timestamp, nullable=False),
    Column("archived_by", String(200), nullable=False),
    Column("record", Json, nullable=False),
    Index(None, "parent_id"),
    Index(None, "archived_at"),
)

change_log = Table(
    "change_log",
    metadata,
    Column("seq", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("entity", String(32), nullable=False),
    Column("entity_id", Uuid, nullable=False),
    Column("version", Integer, nullable=True),
    Column("op", String(16), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("at", Timestamp, nullable=False),
    Column("fields", Json, nullable=False),
    Index(None, "entity", "entity_id"),
    sqlite_autoincrement=True,
)
