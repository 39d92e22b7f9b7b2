"""The schema, as SQLAlchemy Core tables. Alembic migrations must produce exactly this."""

from __future__ import annotations

from datetime import datetime

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
    Text,
    TypeDecorator,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect

from statusboard.domain.clock import as_utc

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

Json = JSON().with_variant(JSONB(), "postgresql")


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored as its instant in UTC. SQLite's DATETIME keeps the wall-clock digits and
    drops the offset, so a value must be in UTC before it is written there; PostgreSQL's
    timestamptz keeps the instant by itself, and gets UTC too, so that both backends agree."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else as_utc(value)


Timestamp = UtcDateTime()
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
    # Set by a write that may be replayed from the outage journal: a replay finds it and skips.
    Column("idempotency_key", Uuid, nullable=True),
    Index(
        None,
        "idempotency_key",
        unique=True,
        sqlite_where=text("idempotency_key IS NOT NULL"),
        postgresql_where=text("idempotency_key IS NOT NULL"),
    ),
)

# Vendor names are unique regardless of case: `name_key` holds the case-folded name.
vendors = Table(
    "vendors",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("name", String(100), nullable=False),
    Column("name_key", String(100), nullable=False, unique=True),
    Column("status", String(16), nullable=False),
    Column("extractor_version", String(50), nullable=True),
    Column("metadata", Json, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("updated_by", String(200), nullable=False),
    CheckConstraint("status IN ('operational', 'broken')", name="status"),
    CheckConstraint("version >= 1", name="version"),
)

# Deployments never change once recorded.
deployments = Table(
    "deployments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("timestamp", Timestamp, nullable=False),
    Column("commit_hash", String(40), nullable=False),
    Column("pr_number", Integer, nullable=True),
    Column("metadata", Json, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("created_by", String(200), nullable=False),
    Index(None, "timestamp"),
)

deployment_vendors = Table(
    "deployment_vendors",
    metadata,
    Column("deployment_id", Uuid, ForeignKey("deployments.id"), primary_key=True),
    Column("vendor_id", Uuid, ForeignKey("vendors.id"), primary_key=True),
    Index(None, "vendor_id"),
)

# No foreign key to work_items: a referenced item may later move to archived_work_items,
# and the reference must stay valid there.
deployment_work_items = Table(
    "deployment_work_items",
    metadata,
    Column("deployment_id", Uuid, ForeignKey("deployments.id"), primary_key=True),
    Column("work_item_id", Uuid, primary_key=True),
    Index(None, "work_item_id"),
)

enhancements = Table(
    "enhancements",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", String(2000), nullable=True),
    Column("priority", String(8), nullable=False),
    Column("status", String(16), nullable=False),
    Column("target_quarter", String(7), nullable=False),
    Column("requires_principles", Json, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("updated_by", String(200), nullable=False),
    CheckConstraint("priority IN ('high', 'medium', 'low')", name="priority"),
    CheckConstraint("status IN ('planned', 'approved', 'in_progress', 'completed')", name="status"),
    CheckConstraint("version >= 1", name="version"),
    Index(None, "priority", "status"),
)

enhancement_dependencies = Table(
    "enhancement_dependencies",
    metadata,
    Column("enhancement_id", Uuid, ForeignKey("enhancements.id"), primary_key=True),
    Column("depends_on_id", Uuid, ForeignKey("enhancements.id"), primary_key=True),
    CheckConstraint("enhancement_id <> depends_on_id", name="not_self"),
    Index(None, "depends_on_id"),
)

# The singleton: exactly one row, created by the migration.
project_configuration = Table(
    "project_configuration",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("active_context_type", String(16), nullable=True),
    Column("default_token_budget", Integer, nullable=True),
    Column("current_session_id", String(100), nullable=True),
    Column("git_branch", String(255), nullable=True),
    Column("git_head", String(40), nullable=True),
    Column("git_dirty", Boolean, nullable=True),
    Column("health_status", String(16), nullable=True),
    Column("updated_at", Timestamp, nullable=False),
    Column("updated_by", String(200), nullable=False),
    CheckConstraint("id = '00000000-0000-0000-0000-000000000001'", name="singleton"),
    CheckConstraint("version >= 1", name="version"),
)

session_prompts = Table(
    "session_prompts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("session_id", String(100), nullable=False),
    Column("schema_version", String(32), nullable=False),
    Column("frontmatter", Json, nullable=False),
    Column("content", Text, nullable=False),
    Column("recorded_at", Timestamp, nullable=False),
    Column("created_by", String(200), nullable=False),
    Index(None, "session_id"),
    Index(None, "recorded_at"),
)

# The identities of an HTTP server (statusboard agent add / revoke). Only a digest of each
# token is kept; `key_id`, the token's public part, finds the row. A revoked agent's row stays
# (revoked_at set), and its name may be registered again: one live agent per name.
agents = Table(
    "agents",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", String(100), nullable=False),
    Column("role", String(8), nullable=False),
    Column("key_id", String(16), nullable=False, unique=True),
    Column("token_digest", String(64), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("revoked_at", Timestamp, nullable=True),
    CheckConstraint("role IN ('viewer', 'agent', 'admin')", name="role"),
    Index(
        "uq_agents_live_name",
        "name",
        unique=True,
        sqlite_where=text("revoked_at IS NULL"),
        postgresql_where=text("revoked_at IS NULL"),
    ),
)

# A board session: a browser exchanged an agent's token once at /login for a cookie naming
# this row (key_id plus a secret whose digest is kept). It ends at expires_at, or with its agent.
agent_sessions = Table(
    "agent_sessions",
    metadata,
    Column("key_id", String(16), primary_key=True),
    Column("secret_digest", String(64), nullable=False),
    Column("agent_id", Uuid, ForeignKey("agents.id"), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=False),
    Index(None, "agent_id"),
    Index(None, "expires_at"),
)
