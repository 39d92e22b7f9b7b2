"""The shapes the project records travel in: vendors, deployments, enhancements, the
configuration and session prompts (see `entities.py` for what the shapes are and why).

A record has its full shape, as stored and returned, and a narrower one for what the status
file shows of it (`...Outline`, `...Shown`), which is all the file's readers and the fallback
layers can build. Where the two agree on every key they share, the full shape extends the
narrower one; a vendor's cannot (the file gives no id), nor a deployment's outline (it names
its vendors and work items, where the full shape holds them whole).
"""

from __future__ import annotations

from typing import Any, Literal, NotRequired

from typing_extensions import TypedDict  # pydantic reads these shapes: see entities.py

from statusboard.domain.entities import WorkItem, WorkItemRef

# -- vendors -----------------------------------------------------------------------------------


class FormatFlags(TypedDict):
    excel: bool
    csv: bool
    pdf: bool
    ocr: bool


class TestCounts(TypedDict):
    passing: int
    total: int
    skipped: int


class VendorMeta(TypedDict, total=False):  # checked by vendors.validate_vendor_metadata
    """A vendor's metadata as stored: only the keys given."""

    format_support: FormatFlags
    test_results: TestCounts
    extractor_version: str
    manifest_compliant: bool


class Vendor(TypedDict):
    id: str
    version: int
    name: str
    status: str  # operational | broken
    operational: bool  # status is operational
    extractor_version: str | None  # the metadata's
    metadata: VendorMeta
    created_at: str
    updated_at: str
    created_by: str
    updated_by: str


class VendorRef(TypedDict):
    """A vendor named by its name (a deployment's, in the status file), and its id where known."""

    name: str
    id: NotRequired[str | None]


class VendorOutline(VendorRef):
    """What the status file shows of a vendor."""

    status: str
    metadata: VendorMeta


class VendorHealth(TypedDict):
    """The status report's `vendor_health`."""

    total_vendors: int
    operational_count: int
    broken_count: int
    operational_percentage: float


# -- deployments ---------------------------------------------------------------------------------


class DeploymentMeta(TypedDict):
    """A deployment's metadata as stored: the commit, and what else was given."""

    commit_hash: str
    pr_number: NotRequired[int]
    pr_title: NotRequired[str]
    test_summary: NotRequired[dict[str, int]]  # test name -> count
    constitutional_compliance: NotRequired[bool]


class DeploymentShown(TypedDict):
    """What every form of a deployment holds."""

    timestamp: str
    commit_hash: str
    pr_number: int | None
    metadata: DeploymentMeta


class DeploymentHead(DeploymentShown):
    """A deployment's own columns that the status file shows, and its id: the file's entry
    for it before its vendors and work items are joined (DeploymentOutline)."""

    id: str


class Deployment(DeploymentHead):
    """A row of `deployments`."""

    created_at: str
    created_by: str


class DeploymentView(Deployment):
    """A deployment as record/query/list_deployments return it: with what it touched."""

    affected_vendors: list[Vendor]
    related_work_items: list[WorkItem]  # live or archived


class DeploymentOutline(DeploymentShown):
    """What the status file shows of a deployment (the file gives no id)."""

    id: NotRequired[str]
    affected_vendors: list[VendorRef]
    related_work_items: list[WorkItemRef]


class DeploymentSummary(TypedDict):
    """An entry of the status report's `recent_deployments`."""

    id: str | None
    timestamp: str
    pr_number: int | None
    pr_title: str | None
    commit_hash: str
    constitutional_compliance: bool | None
    affected_vendors: list[str]  # names
    related_work_item_ids: list[str]


# -- enhancements ---------------------------------------------------------------------------------


class EnhancementOutline(TypedDict):
    """What the status file and the status report show of an enhancement."""

    id: str
    title: str
    description: str | None
    priority: str
    status: str
    target_quarter: str  # "2026-Q1"
    requires_principles: list[str]
    depends_on: list[str]  # enhancement ids


class ReportedEnhancement(EnhancementOutline):
    """What the status report's `pending_enhancements` and the board show: the outline and its version."""

    version: int


class Enhancement(ReportedEnhancement):
    created_at: str
    updated_at: str
    created_by: str
    updated_by: str


# -- the configuration, session prompts ---------------------------------------------------------


class ProjectConfiguration(TypedDict):
    id: str
    version: int
    active_context_type: str | None
    default_token_budget: int | None
    current_session_id: str | None
    git_branch: str | None
    git_head: str | None
    git_dirty: bool | None
    health_status: str | None
    updated_at: str
    updated_by: str


class SessionPromptShown(TypedDict):
    """What the status file shows of a session prompt."""

    session_id: str
    frontmatter: dict[str, Any]  # plain YAML data: any keys
    content: str
    recorded_at: str


class SessionPrompt(SessionPromptShown):
    id: str
    schema_version: str
    created_by: str


# -- list answers ----------------------------------------------------------------------------------


class VendorList(TypedDict):
    """list_vendors' answer: every vendor, by name, on one page."""

    vendors: list[Vendor]
    total_count: int


class DeploymentList(TypedDict):
    """list_deployments' answer, newest first."""

    deployments: list[DeploymentView]
    count: int
    total_count: NotRequired[int]  # when no filter is given


class EnhancementList(TypedDict):
    enhancements: list[Enhancement]
    total_count: int


class SessionPromptPage(TypedDict):
    """list_session_prompts' answer: prompts oldest first, one page of them."""

    prompts: list[SessionPrompt]
    total_count: int
    limit: int
    offset: int
    has_more: bool


class StatusFileNotWritten(TypedDict):
    """What a fallback answer to generate_full_status with write_file adds: no file was written."""

    status_file_written: Literal[False]
