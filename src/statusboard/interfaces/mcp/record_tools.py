"""MCP tools for the project records: vendors, deployments, enhancements, configuration,
session prompts, and the full status report."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from statusboard.domain.agents import Role
from statusboard.domain.answers import MigrationReport, StatusReport
from statusboard.domain.deployments import NewDeployment
from statusboard.domain.enhancements import EnhancementChanges, EnhancementStatus, NewEnhancement, Priority
from statusboard.domain.project_configuration import ConfigurationChanges
from statusboard.domain.records import (
    DeploymentList,
    DeploymentView,
    Enhancement,
    EnhancementList,
    ProjectConfiguration,
    SessionPrompt,
    SessionPromptPage,
    Vendor,
    VendorList,
)
from statusboard.domain.validation import EntityId, SingleLine
from statusboard.domain.vendors import NewVendor, VendorStatus
from statusboard.interfaces.mcp.spec import Args, NoArgs, ToolSpec, Version, given_fields
from statusboard.resilience import item_projection, record_projection
from statusboard.resilience import layer_answers as answers
from statusboard.resilience.kinds import CONFIGURATION, DEPLOYMENT, ENHANCEMENT, SESSION_PROMPT, VENDOR, Holds
from statusboard.resilience.policy import Journaled, PrimaryOnly, Read
from statusboard.wiring import App

NameLookup = Annotated[str, StringConstraints(min_length=1, max_length=100), Field(description="any case")]


class VendorNameArgs(Args):
    name: NameLookup


class UpdateVendorArgs(Args):
    name: NameLookup
    version: Version
    status: VendorStatus | None = None
    metadata: dict[str, Any] | None = Field(default=None, description="a patch: given keys replace, null removes")


class ListVendorsArgs(Args):
    status: VendorStatus | None = None


class IdArgs(Args):
    id: EntityId


class ListDeploymentsArgs(Args):
    limit: Annotated[int, Field(ge=1, le=500)] = 10
    vendor_name: NameLookup | None = None
    work_item_id: EntityId | None = None


class UpdateEnhancementArgs(EnhancementChanges):
    id: EntityId
    version: Version

    def changes(self) -> EnhancementChanges:
        return given_fields(self, EnhancementChanges, {"id", "version"})


class ListEnhancementsArgs(Args):
    priority: Priority | None = None
    status: EnhancementStatus | None = None
    target_quarter: str | None = Field(default=None, description='"Q1 2026" or "2026-Q1"')


class UpdateConfigurationArgs(ConfigurationChanges):
    version: Version

    def changes(self) -> ConfigurationChanges:
        return given_fields(self, ConfigurationChanges, {"version"})


class RecordSessionPromptArgs(Args):
    session_id: Annotated[SingleLine, StringConstraints(max_length=100)]
    content: Annotated[str, Field(min_length=1, description="starts with YAML frontmatter carrying schema_version")]


class ListSessionPromptsArgs(Args):
    session_id: str | None = None
    limit: Annotated[int, Field(ge=1, le=500)] = 50
    offset: Annotated[int, Field(ge=0)] = 0


class GenerateStatusArgs(Args):
    output_format: Literal["json", "markdown"] = "json"
    write_file: bool = Field(default=False, description="also write the status file (atomically)")


class MigrateArgs(Args):
    path: Annotated[str, StringConstraints(min_length=1, max_length=4096)]
    dry_run: bool = Field(default=False, description="report what would happen and change nothing")
    skip_invalid: bool = Field(default=False, description="import the readable entries and list the rest")


def _migrate(app: App, actor: str, a: MigrateArgs, cancel: Any, progress: Any) -> dict[str, Any]:
    return app.migration.migrate(
        actor, a.path, dry_run=a.dry_run, skip_invalid=a.skip_invalid, cancel=cancel, progress=progress
    )


def _update_vendor(app: App, actor: str, a: UpdateVendorArgs) -> Any:
    return app.vendors.update_status(actor, a.name, a.version, a.status, a.metadata)


def _generate(app: App, _actor: str, a: GenerateStatusArgs, cancel: Any, progress: Any) -> dict[str, Any]:
    return app.status.generate(a.output_format, a.write_file, cancel=cancel, progress=progress)


GENERATE_FULL_STATUS = ToolSpec(
    "generate_full_status",
    "The whole project status from one consistent snapshot: vendor_health, active_work_items (counts "
    "by type, status and priority, and archived_count), the 10 newest deployments and the pending "
    "enhancements. output_format markdown adds the legacy status file as `markdown`; write_file "
    "replaces the status file atomically.",
    GenerateStatusArgs,
    _generate,
    output=StatusReport,
    policy=Read(cache=answers.status_from_cache, file=answers.status_from_file),
    role=Role.VIEWER,
    role_for=lambda a: Role.AGENT if a.write_file else Role.VIEWER,  # writing the status file is a write
    cancellable=True,
)

RECORD_TOOLS: list[ToolSpec] = [
    ToolSpec(
        "create_vendor",
        "Register a vendor (an extractor component) with its status and metadata: format_support "
        "{excel, csv, pdf, ocr}, test_results {passing, total, skipped}, extractor_version, manifest_compliant. "
        "Names are unique regardless of case.",
        NewVendor,
        lambda app, actor, a: app.vendors.create(actor, a),
        output=Vendor,
        policy=Journaled(project=item_projection.create_vendor, holds=Holds(VENDOR), creates=True),
        role=Role.AGENT,
    ),
    ToolSpec(
        "query_vendor_status",
        "Read one vendor by name (any case): status, operational, test results, formats, version.",
        VendorNameArgs,
        lambda app, _actor, a: app.vendors.query(a.name),
        output=Vendor,
        policy=Read(cache=answers.vendor_from_cache, file=answers.vendor_from_file, holds=Holds(VENDOR)),
        role=Role.VIEWER,
    ),
    ToolSpec(
        "update_vendor_status",
        "Change a vendor's status and/or metadata at the version you read (a stale version is refused). "
        "metadata is a patch: given keys replace, a null value removes a key.",
        UpdateVendorArgs,
        _update_vendor,
        output=Vendor,
        policy=Journaled(project=item_projection.update_vendor, holds=Holds(VENDOR)),
        role=Role.AGENT,
    ),
    ToolSpec(
        "list_vendors",
        "Every vendor by name, optionally only operational or only broken ones, with total_count.",
        ListVendorsArgs,
        lambda app, _actor, a: app.vendors.list(a.status),
        output=VendorList,
        policy=Read(cache=answers.vendors_from_cache, file=answers.vendors_from_file, holds=Holds(VENDOR, "vendors")),
        role=Role.VIEWER,
    ),
    ToolSpec(
        "record_deployment",
        "Record a deployment (it never changes afterwards): metadata {commit_hash, pr_number, pr_title, "
        "test_summary {name: count}, constitutional_compliance}, the vendors it touched (by id or by name) "
        "and the work items it delivered. Every reference must exist, or nothing is recorded.",
        NewDeployment,
        lambda app, actor, a: app.deployments.record(actor, a),
        output=DeploymentView,
        policy=Journaled(project=record_projection.record_deployment, holds=Holds(DEPLOYMENT), creates=True),
        role=Role.AGENT,
    ),
    ToolSpec(
        "query_deployment",
        "Read one deployment with its affected_vendors and related_work_items.",
        IdArgs,
        lambda app, _actor, a: app.deployments.query(a.id),
        output=DeploymentView,
        policy=Read(cache=answers.deployment_from_cache, file=answers.deployment_from_file, holds=Holds(DEPLOYMENT)),
        role=Role.VIEWER,
    ),
    ToolSpec(
        "list_deployments",
        "Deployments, newest first, optionally only those touching a vendor or a work item.",
        ListDeploymentsArgs,
        lambda app, _actor, a: app.deployments.list(a.limit, a.vendor_name, a.work_item_id),
        output=DeploymentList,
        policy=Read(
            cache=answers.deployments_from_cache,
            file=answers.deployments_from_file,
            holds=Holds(DEPLOYMENT, "deployments"),
        ),
        role=Role.VIEWER,
    ),
    ToolSpec(
        "create_enhancement",
        'Plan an enhancement: title, priority, target_quarter ("Q1 2026" or "2026-Q1"), optional '
        "description, status, requires_principles and depends_on (enhancement ids).",
        NewEnhancement,
        lambda app, actor, a: app.enhancements.create(actor, a),
        output=Enhancement,
        policy=Journaled(project=record_projection.create_enhancement, holds=Holds(ENHANCEMENT), creates=True),
        role=Role.AGENT,
    ),
    ToolSpec(
        "update_enhancement",
        "Change an enhancement at the version you read. depends_on replaces the whole list; cycles are refused.",
        UpdateEnhancementArgs,
        lambda app, actor, a: app.enhancements.update(actor, a.id, a.version, a.changes()),
        output=Enhancement,
        policy=Journaled(project=record_projection.update_enhancement, holds=Holds(ENHANCEMENT)),
        role=Role.AGENT,
    ),
    ToolSpec(
        "list_enhancements",
        "Enhancements in the order they were planned, filtered by priority, status or target quarter.",
        ListEnhancementsArgs,
        lambda app, _actor, a: app.enhancements.list(a.priority, a.status, a.target_quarter),
        output=EnhancementList,
        policy=Read(
            cache=answers.enhancements_from_cache,
            file=answers.enhancements_from_file,
            holds=Holds(ENHANCEMENT, "enhancements"),
        ),
        role=Role.VIEWER,
    ),
    ToolSpec(
        "get_project_configuration",
        "Read the project configuration (one record, versioned).",
        NoArgs,
        lambda app, _actor, _a: app.configuration.get(),
        output=ProjectConfiguration,
        policy=Read(cache=answers.configuration_from_cache, holds=Holds(CONFIGURATION)),
        role=Role.VIEWER,
    ),
    ToolSpec(
        "update_project_configuration",
        "Change project settings at the version you read; absent settings stay, null clears one.",
        UpdateConfigurationArgs,
        lambda app, actor, a: app.configuration.update(actor, a.version, a.changes()),
        output=ProjectConfiguration,
        policy=Journaled(project=record_projection.update_configuration, holds=Holds(CONFIGURATION)),
        role=Role.AGENT,
    ),
    ToolSpec(
        "record_session_prompt",
        "Record a session prompt. content starts with YAML frontmatter ('---' lines around it) that "
        "carries schema_version; only plain data is accepted, and a malformed line is named.",
        RecordSessionPromptArgs,
        lambda app, actor, a: app.session_prompts.record(actor, a.session_id, a.content),
        output=SessionPrompt,
        policy=Journaled(project=record_projection.record_session_prompt, holds=Holds(SESSION_PROMPT), creates=True),
        role=Role.AGENT,
    ),
    ToolSpec(
        "list_session_prompts",
        "Recorded session prompts, oldest first, optionally for one session_id, with total_count.",
        ListSessionPromptsArgs,
        lambda app, _actor, a: app.session_prompts.list(a.session_id, a.limit, a.offset),
        output=SessionPromptPage,
        policy=Read(
            cache=answers.prompts_from_cache,
            file=answers.prompts_from_file,
            holds=Holds(SESSION_PROMPT, "prompts"),
        ),
        role=Role.VIEWER,
    ),
    GENERATE_FULL_STATUS,
    ToolSpec(
        "migrate_from_markdown",
        "Import a legacy .project_status.md (path on the server's machine), everything or nothing: five "
        "reconciliation checks compare the file with the database before committing; on any failure the "
        "database is left as it was (rollback_executed: true). The file is never changed; a .backup copy "
        "is kept. Unreadable entries are listed with their line numbers and fail their section's check "
        "unless skip_invalid. Running it twice duplicates nothing.",
        MigrateArgs,
        _migrate,
        output=MigrationReport,
        policy=PrimaryOnly(),
        role=Role.ADMIN,
        cancellable=True,
    ),
]
