"""Work items, their dependencies, and the change log.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "work_items",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("item_type", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("parent_id", sa.String(36), nullable=True),
        sa.Column("path", sa.String(240), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("branch_name", sa.String(255), nullable=True),
        sa.Column("commit_hash", sa.String(40), nullable=True),
        sa.Column("pr_number", sa.Integer(), nullable=True),
        sa.Column("metadata", Json, nullable=False),
        sa.Column("deleted_at", Timestamp, nullable=True),
        sa.Column("archived", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.CheckConstraint(
            "item_type IN ('project', 'session', 'task', 'research')", name=op.f("ck_work_items_item_type")
        ),
        sa.CheckConstraint("status IN ('active', 'completed', 'blocked')", name=op.f("ck_work_items_status")),
        sa.CheckConstraint("depth BETWEEN 0 AND 5", name=op.f("ck_work_items_depth")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_work_items_version")),
        sa.CheckConstraint("pr_number IS NULL OR pr_number >= 1", name=op.f("ck_work_items_pr_number")),
        sa.ForeignKeyConstraint(["parent_id"], ["work_items.id"], name=op.f("fk_work_items_parent_id_work_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_work_items")),
    )
    op.create_index(op.f("ix_work_items_parent_id"), "work_items", ["parent_id"])
    op.create_index(op.f("ix_work_items_item_type_status"), "work_items", ["item_type", "status"])
    op.create_index(op.f("ix_work_items_created_by"), "work_items", ["created_by"])
    op.create_index(op.f("ix_work_items_created_at"), "work_items", ["created_at"])

    op.create_table(
        "work_item_dependencies",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("work_item_id", sa.String(36), nullable=False),
        sa.Column("depends_on_id", sa.String(36), nullable=False),
        sa.Column("dependency_type", sa.String(16), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.CheckConstraint(
            "dependency_type IN ('depends_on', 'blocks')",
            name=op.f("ck_work_item_dependencies_dependency_type"),
        ),
        sa.CheckConstraint("work_item_id <> depends_on_id", name=op.f("ck_work_item_dependencies_not_self")),
        sa.ForeignKeyConstraint(
            ["work_item_id"],
            ["work_items.id"],
            name=op.f("fk_work_item_dependencies_work_item_id_work_items"),
        ),
        sa.ForeignKeyConstraint(
            ["depends_on_id"],
            ["work_items.id"],
            name=op.f("fk_work_item_dependencies_depends_on_id_work_items"),
        ),
        sa.PrimaryKeyConstraint("work_item_id", "depends_on_id", name=op.f("pk_work_item_dependencies")),
        sa.UniqueConstraint("id", name=op.f("uq_work_item_dependencies_id")),
    )
    op.create_index(op.f("ix_work_item_dependencies_depends_on_id"), "work_item_dependencies", ["depends_on_id"])

    op.create_table(
        "change_log",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("entity", sa.String(32), nullable=False),
        sa.Column("entity_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("op", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("fields", Json, nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_change_log")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_change_log_entity_entity_id"), "change_log", ["entity", "entity_id"])


def downgrade() -> None:
    op.drop_table("change_log")
    op.drop_table("work_item_dependencies")
    op.drop_table("work_items")
