"""MCP tools for the project records: vendors, deployments, enhancements, configuration,
session prompts, and the full status report."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from statusboard.config import Toolset
from statusboard.domain.agents import Role
from statusboard.domain.answers import MigrationReport, StatusReport
from statusboard.domain.deployments import NewDeployment
from statusboard.domain.enhancements import EnhancementChanges, EnhancementStatus, NewEnhancement, Priority, Quarter
from statusboard.domain.limits import NAME_MAX, Offset, PromptContent
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
from statusboard.domain.vendors import NewVendor, VendorMetadataArg, VendorStatus
from statusboard.interfaces.mcp.spec import (
    ADDS,
    CHANGES,
    READS,
    Args,
    Effect,
    NoArgs,
    ToolSpec,
    Version,
    given_fields,
)
from statusboard.resilience import item_projection, record_projection
from statusboard.resilience import layer_answers as answers
from statusboard.resilience.kinds import CONFIGURATION, DEPLOYMENT, ENHANCEMENT, SESSION_PROMPT, VENDOR, Holds
from statusboard.resilience.policy import Journaled, PrimaryOnly, Read
from statusboard.wiring import App

NameLookup = Annotated[str, StringConstraints(min_length=1, max_length=NAME_MAX), Field(description="any case")]


class VendorNameArgs(Args):
    name: NameLookup


class UpdateVendorArgs(Args):
    name: NameLookup
    version: Version
    status: VendorStatus | None = Field(None, description="new status")
    metadata: VendorMetadataArg | None = Field(None, description="patch: null removes a key")


class ListVendorsArgs(Args):
    status: VendorStatus | None = Field(None, description="only this status")


class IdArgs(Args):
    id: EntityId = Field(description="the deployment")


class ListDeploymentsArgs(Args):
    limit: Annotated[int, Field(ge=1, le=500, description="page size")] = 10
    vendor_name: Annotated[NameLookup | None, Field(description="only touching this vendor")] = None
    work_item_id: EntityId | None = Field(None, description="only with this work item")


class UpdateEnhancementArgs(EnhancementChanges):
    id: EntityId = Field(description="the enhancement")
    version: Version

    def changes(self) -> EnhancementChanges:
        return given_fields(self, EnhancementChanges, {"id", "version"})


class ListEnhancementsArgs(Args):
    priority: Priority | None = Field(None, description="only this priority")
    status: EnhancementStatus | None = Field(None, description="only this status")
    target_quarter: Quarter | None = Field(None, description="only this quarter")


class UpdateConfigurationArgs(ConfigurationChanges):
    version: Version

    def changes(self) -> ConfigurationChanges:
        return given_fields(self, ConfigurationChanges, {"version"})


SessionId = Annotated[SingleLine, StringConstraints(max_length=NAME_MAX)]


class RecordSessionPromptArgs(Args):
    session_id: SessionId = Field(description="its session")
    content: PromptContent = Field(description="YAML frontmatter with schema_version, then text")


class ListSessionPromptsArgs(Args):
    session_id: Annotated[str, StringConstraints(max_length=NAME_MAX)] | None = Field(
        None, description="only this session"
    )
    limit: Annotated[int, Field(ge=1, le=500, description="page size")] = 50
    offset: Offset = 0


class GenerateStatusArgs(Args):
    output_format: Literal["json", "markdown"] = Field("json", description="markdown adds the file's text")
    write_file: bool = Field(default=False, description="also write the status file")


class MigrateArgs(Args):
    path: Annotated[str, StringConstraints(min_length=1, max_length=4096)] = Field(
        description="a file in the project directory"
    )
    dry_run: bool = Field(default=False, description="change nothing, report")
    skip_invalid: bool = Field(default=False, description="import what is readable")


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
    "Project status from one snapshot: vendors, item counts, recent deployments, pending enhancements.",
    GenerateStatusArgs,
    _generate,
    output=StatusReport,
    policy=Read(cache=answers.status_from_cache, file=answers.status_from_file),
    role=Role.VIEWER,
    title="Full status report",
    effect=CHANGES,
    toolset=Toolset.AGENT,
    role_for=lambda a: Role.AGENT if a.write_file else Role.VIEWER,  # writing the status file is a write
    cancellable=True,
)

RECORD_TOOLS: list[ToolSpec] = [
    ToolSpec(
        "create_vendor",
        "Register a vendor (an extractor component).",
        NewVendor,
        lambda app, actor, a: app.vendors.create(actor, a),
        output=Vendor,
        policy=Journaled(project=item_projection.create_vendor, holds=Holds(VENDOR), creates=True),
        role=Role.AGENT,
        title="Create vendor",
        effect=ADDS,
        toolset=Toolset.RECORDS,
    ),
    ToolSpec(
        "query_vendor_status",
        "One vendor, by name.",
        VendorNameArgs,
        lambda app, _actor, a: app.vendors.query(a.name),
        output=Vendor,
        policy=Read(cache=answers.vendor_from_cache, file=answers.vendor_from_file, holds=Holds(VENDOR)),
        role=Role.VIEWER,
        title="Read vendor",
        effect=READS,
        toolset=Toolset.RECORDS,
    ),
    ToolSpec(
        "update_vendor_status",
        "Change a vendor.",
        UpdateVendorArgs,
        _update_vendor,
        output=Vendor,
        policy=Journaled(project=item_projection.update_vendor, holds=Holds(VENDOR)),
        role=Role.AGENT,
        title="Update vendor",
        effect=CHANGES,
        toolset=Toolset.RECORDS,
    ),
    ToolSpec(
        "list_vendors",
        "Every vendor, by name.",
        ListVendorsArgs,
        lambda app, _actor, a: app.vendors.list(a.status),
        output=VendorList,
        policy=Read(cache=answers.vendors_from_cache, file=answers.vendors_from_file, holds=Holds(VENDOR, "vendors")),
        role=Role.VIEWER,
        title="List vendors",
        effect=READS,
        toolset=Toolset.RECORDS,
    ),
    ToolSpec(
        "record_deployment",
        "Record a deployment (immutable) of existing vendors and items.",
        NewDeployment,
        lambda app, actor, a: app.deployments.record(actor, a),
        output=DeploymentView,
        policy=Journaled(project=record_projection.record_deployment, holds=Holds(DEPLOYMENT), creates=True),
        role=Role.AGENT,
        title="Record deployment",
        effect=ADDS,
        toolset=Toolset.RECORDS,
    ),
    ToolSpec(
        "query_deployment",
        "One deployment with its vendors and work items.",
        IdArgs,
        lambda app, _actor, a: app.deployments.query(a.id),
        output=DeploymentView,
        policy=Read(cache=answers.deployment_from_cache, file=answers.deployment_from_file, holds=Holds(DEPLOYMENT)),
        role=Role.VIEWER,
        title="Read deployment",
        effect=READS,
        toolset=Toolset.RECORDS,
    ),
    ToolSpec(
        "list_deployments",
        "Deployments, newest first.",
        ListDeploymentsArgs,
        lambda app, _actor, a: app.deployments.list(a.limit, a.vendor_name, a.work_item_id),
        output=DeploymentList,
        policy=Read(
            cache=answers.deployments_from_cache,
            file=answers.deployments_from_file,
            holds=Holds(DEPLOYMENT, "deployments"),
        ),
        role=Role.VIEWER,
        title="List deployments",
        effect=READS,
        toolset=Toolset.RECORDS,
    ),
    ToolSpec(
        "create_enhancement",
        "Plan an enhancement.",
        NewEnhancement,
        lambda app, actor, a: app.enhancements.create(actor, a),
        output=Enhancement,
        policy=Journaled(project=record_projection.create_enhancement, holds=Holds(ENHANCEMENT), creates=True),
        role=Role.AGENT,
        title="Plan enhancement",
        effect=ADDS,
        toolset=Toolset.RECORDS,
    ),
    ToolSpec(
        "update_enhancement",
        "Change an enhancement.",
        UpdateEnhancementArgs,
        lambda app, actor, a: app.enhancements.update(actor, a.id, a.version, a.changes()),
        output=Enhancement,
        policy=Journaled(project=record_projection.update_enhancement, holds=Holds(ENHANCEMENT)),
        role=Role.AGENT,
        title="Update enhancement",
        effect=CHANGES,
        toolset=Toolset.RECORDS,
    ),
    ToolSpec(
        "list_enhancements",
        "Enhancements in the order planned.",
        ListEnhancementsArgs,
        lambda app, _actor, a: app.enhancements.list(a.priority, a.status, a.target_quarter),
        output=EnhancementList,
        policy=Read(
            cache=answers.enhancements_from_cache,
            file=answers.enhancements_from_file,
            holds=Holds(ENHANCEMENT, "enhancements"),
        ),
        role=Role.VIEWER,
        title="List enhancements",
        effect=READS,
        toolset=Toolset.RECORDS,
    ),
    ToolSpec(
        "get_project_configuration",
        "The project configuration.",
        NoArgs,
        lambda app, _actor, _a: app.configuration.get(),
        output=ProjectConfiguration,
        policy=Read(cache=answers.configuration_from_cache, holds=Holds(CONFIGURATION)),
        role=Role.VIEWER,
        title="Read configuration",
        effect=READS,
        toolset=Toolset.RECORDS,
    ),
    ToolSpec(
        "update_project_configuration",
        "Change the project configuration.",
        UpdateConfigurationArgs,
        lambda app, actor, a: app.configuration.update(actor, a.version, a.changes()),
        output=ProjectConfiguration,
        policy=Journaled(project=record_projection.update_configuration, holds=Holds(CONFIGURATION)),
        role=Role.AGENT,
        title="Update configuration",
        effect=CHANGES,
        toolset=Toolset.RECORDS,
    ),
    ToolSpec(
        "record_session_prompt",
        "Record a session prompt.",
        RecordSessionPromptArgs,
        lambda app, actor, a: app.session_prompts.record(actor, a.session_id, a.content),
        output=SessionPrompt,
        policy=Journaled(project=record_projection.record_session_prompt, holds=Holds(SESSION_PROMPT), creates=True),
        role=Role.AGENT,
        title="Record session prompt",
        effect=ADDS,
        toolset=Toolset.RECORDS,
    ),
    ToolSpec(
        "list_session_prompts",
        "Session prompts, oldest first.",
        ListSessionPromptsArgs,
        lambda app, _actor, a: app.session_prompts.list(a.session_id, a.limit, a.offset),
        output=SessionPromptPage,
        policy=Read(
            cache=answers.prompts_from_cache,
            file=answers.prompts_from_file,
            holds=Holds(SESSION_PROMPT, "prompts"),
        ),
        role=Role.VIEWER,
        title="List session prompts",
        effect=READS,
        toolset=Toolset.RECORDS,
    ),
    GENERATE_FULL_STATUS,
    ToolSpec(
        "migrate_from_markdown",
        "Import a legacy .project_status.md, all or nothing; keeps it, writes a .backup; a rerun adds nothing.",
        MigrateArgs,
        _migrate,
        output=MigrationReport,
        policy=PrimaryOnly(),
        role=Role.ADMIN,
        title="Import status file",
        effect=Effect(read_only=False, idempotent=True),
        toolset=Toolset.ADMIN,
        cancellable=True,
    ),
]
