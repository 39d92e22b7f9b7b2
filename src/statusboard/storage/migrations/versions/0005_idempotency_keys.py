"""Idempotency keys on the change log, so a write replayed from the outage journal applies once.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("change_log") as batch:
        batch.add_column(sa.Column("idempotency_key", sa.String(36), nullable=True))
    op.create_index(op.f("ix_change_log_idempotency_key"), "change_log", ["idempotency_key"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_change_log_idempotency_key"), table_name="change_log")
    with op.batch_alter_table("change_log") as batch:
        batch.drop_column("idempotency_key")
