"""Project records: vendors, deployments, enhancements, the project configuration, session prompts.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Json = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
Timestamp = sa.DateTime(timezone=True)
CONFIGURATION_ID = "00000000-0000-0000-0000-000000000001"


def _audit() -> list[sa.Column[object]]:
    return [
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "vendors",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_key", sa.String(100), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("extractor_version", sa.String(50), nullable=True),
        sa.Column("metadata", Json, nullable=False),
        *_audit(),
        sa.CheckConstraint("status IN ('operational', 'broken')", name=op.f("ck_vendors_status")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_vendors_version")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendors")),
        sa.UniqueConstraint("name_key", name=op.f("uq_vendors_name_key")),
    )
    op.create_table(
        "deployments",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("timestamp", Timestamp, nullable=False),
        sa.Column("commit_hash", sa.String(40), nullable=False),
        sa.Column("pr_number", sa.Integer(), nullable=True),
        sa.Column("metadata", Json, nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployments")),
    )
    op.create_index(op.f("ix_deployments_timestamp"), "deployments", ["timestamp"])
    op.create_table(
        "deployment_vendors",
        sa.Column("deployment_id", sa.String(36), nullable=False),
        sa.Column("vendor_id", sa.String(36), nullable=False),
        sa.ForeignKeyConstraint(
            ["deployment_id"], ["deployments.id"], name=op.f("fk_deployment_vendors_deployment_id_deployments")
        ),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendors.id"], name=op.f("fk_deployment_vendors_vendor_id_vendors")),
        sa.PrimaryKeyConstraint("deployment_id", "vendor_id", name=op.f("pk_deployment_vendors")),
    )
    op.create_index(op.f("ix_deployment_vendors_vendor_id"), "deployment_vendors", ["vendor_id"])
    op.create_table(
        "deployment_work_items",
        sa.Column("deployment_id", sa.String(36), nullable=False),
        sa.Column("work_item_id", sa.String(36), nullable=False),
        sa.ForeignKeyConstraint(
            ["deployment_id"], ["deployments.id"], name=op.f("fk_deployment_work_items_deployment_id_deployments")
        ),
        sa.PrimaryKeyConstraint("deployment_id", "work_item_id", name=op.f("pk_deployment_work_items")),
    )
    op.create_index(op.f("ix_deployment_work_items_work_item_id"), "deployment_work_items", ["work_item_id"])
    op.create_table(
        "enhancements",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.String(2000), nullable=True),
        sa.Column("priority", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("target_quarter", sa.String(7), nullable=False),
        sa.Column("requires_principles", Json, nullable=False),
        *_audit(),
        sa.CheckConstraint("priority IN ('high', 'medium', 'low')", name=op.f("ck_enhancements_priority")),
        sa.CheckConstraint(
            "status IN ('planned', 'approved', 'in_progress', 'completed')", name=op.f("ck_enhancements_status")
        ),
        sa.CheckConstraint("version >= 1", name=op.f("ck_enhancements_version")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enhancements")),
    )
    op.create_index(op.f("ix_enhancements_priority_status"), "enhancements", ["priority", "status"])
    op.create_table(
        "enhancement_dependencies",
        sa.Column("enhancement_id", sa.String(36), nullable=False),
        sa.Column("depends_on_id", sa.String(36), nullable=False),
        sa.CheckConstraint("enhancement_id <> depends_on_id", name=op.f("ck_enhancement_dependencies_not_self")),
        sa.ForeignKeyConstraint(
            ["enhancement_id"],
            ["enhancements.id"],
            name=op.f("fk_enhancement_dependencies_enhancement_id_enhancements"),
        ),
        sa.ForeignKeyConstraint(
            ["depends_on_id"], ["enhancements.id"], name=op.f("fk_enhancement_dependencies_depends_on_id_enhancements")
        ),
        sa.PrimaryKeyConstraint("enhancement_id", "depends_on_id", name=op.f("pk_enhancement_dependencies")),
    )
    op.create_index(op.f("ix_enhancement_dependencies_depends_on_id"), "enhancement_dependencies", ["depends_on_id"])
    configuration = op.create_table(
        "project_configuration",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("active_context_type", sa.String(16), nullable=True),
        sa.Column("default_token_budget", sa.Integer(), nullable=True),
        sa.Column("current_session_id", sa.String(100), nullable=True),
        sa.Column("git_branch", sa.String(255), nullable=True),
        sa.Column("git_head", sa.String(40), nullable=True),
        sa.Column("git_dirty", sa.Boolean(), nullable=True),
        sa.Column("health_status", sa.String(16), nullable=True),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.Column("updated_by", sa.String(200), nullable=False),
        sa.CheckConstraint(f"id = '{CONFIGURATION_ID}'", name=op.f("ck_project_configuration_singleton")),
        sa.CheckConstraint("version >= 1", name=op.f("ck_project_configuration_version")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_configuration")),
    )
    op.bulk_insert(
        configuration,
        [{"id": CONFIGURATION_ID, "version": 1, "updated_at": datetime.now(UTC), "updated_by": "statusboard"}],
    )
    op.create_table(
        "session_prompts",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("session_id", sa.String(100), nullable=False),
        sa.Column("schema_version", sa.String(32), nullable=False),
        sa.Column("frontmatter", Json, nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("recorded_at", Timestamp, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_prompts")),
    )
    op.create_index(op.f("ix_session_prompts_session_id"), "session_prompts", ["session_id"])
    op.create_index(op.f("ix_session_prompts_recorded_at"), "session_prompts", ["recorded_at"])


def downgrade() -> None:
    for table in (
        "session_prompts",
        "project_configuration",
        "enhancement_dependencies",
        "enhancements",
        "deployment_work_items",
        "deployment_vendors",
        "deployments",
        "vendors",
    ):
        op.drop_table(table)
