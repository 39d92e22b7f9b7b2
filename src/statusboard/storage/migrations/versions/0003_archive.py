"""The archive: work items moved out of work_items by trigger_archiving.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "archived_work_items",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("item_type", sa.String(16), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("parent_id", sa.String(36), nullable=True),
        sa.Column("path", sa.String(240), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.Column("archived_at", Timestamp, nullable=False),
        sa.Column("archived_by", sa.String(200), nullable=False),
        sa.Column("record", Json, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_archived_work_items")),
    )
    op.create_index(op.f("ix_archived_work_items_parent_id"), "archived_work_items", ["parent_id"])
    op.create_index(op.f("ix_archived_work_items_archived_at"), "archived_work_items", ["archived_at"])


def downgrade() -> None:
    op.drop_table("archived_work_items")
