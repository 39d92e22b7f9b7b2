"""Vendors (the project's extractor components): status, metadata and the name rules."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, Final, Literal, Self, cast

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from statusboard.domain.errors import ValidationError
from statusboard.domain.limits import NAME_MAX, CheckedAs, ColumnCount, StorableText
from statusboard.domain.records import VendorHealth, VendorMeta
from statusboard.domain.updates import PATCH_CONFIG
from statusboard.domain.validation import SingleLine, validated
from statusboard.domain.work_items import merge_metadata

VendorStatus = Literal["operational", "broken"]
OPERATIONAL: Final = "operational"
VendorName = Annotated[SingleLine, StringConstraints(max_length=NAME_MAX)]
ExtractorVersion = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z][0-9A-Za-z.+_-]{0,49}$")]
FORMATS = ("excel", "csv", "pdf", "ocr")


class _Strict(StorableText):
    model_config = ConfigDict(extra="forbid", strict=True)


class FormatSupport(_Strict):
    excel: bool
    csv: bool
    pdf: bool
    ocr: bool


class TestResults(_Strict):
    passing: ColumnCount
    total: ColumnCount
    skipped: ColumnCount

    @model_validator(mode="after")
    def _adds_up(self) -> Self:
        if self.passing + self.skipped > self.total:
            raise ValueError("passing + skipped must not exceed total")
        return self


class VendorMetadata(_Strict):
    model_config = PATCH_CONFIG  # an update's metadata is a patch: a null removes a key
    format_support: FormatSupport | None = None
    test_results: TestResults | None = None
    extractor_version: ExtractorVersion | None = None
    manifest_compliant: bool | None = None


def validate_vendor_metadata(metadata: Mapping[str, Any]) -> VendorMeta:
    model = validated(VendorMetadata, metadata, prefix="metadata")
    return cast(VendorMeta, model.model_dump(mode="json", exclude_none=True))


def name_key(name: str) -> str:
    """What makes two vendor names the same name."""
    return name.strip().casefold()


VendorMetadataArg = Annotated[dict[str, Any], CheckedAs(VendorMetadata)]


class NewVendor(_Strict):
    name: VendorName = Field(description="unique in any case")
    status: VendorStatus = Field(OPERATIONAL, description="initial status")
    metadata: VendorMetadataArg = Field(default_factory=dict, description="formats, tests, version")


def new_vendor_row(vendor_id: str, draft: NewVendor, metadata: VendorMeta, actor: str, at: datetime) -> dict[str, Any]:
    """A new vendor's stored row at version 1; `metadata` is the draft's, already validated."""
    return {
        "id": vendor_id,
        "version": 1,
        "name": draft.name,
        "name_key": name_key(draft.name),
        "status": draft.status,
        "extractor_version": metadata.get("extractor_version"),
        "metadata": metadata,
        "created_at": at,
        "updated_at": at,
        "created_by": actor,
        "updated_by": actor,
    }


def name_taken(name: str) -> ValidationError:
    return ValidationError.single("name", f"a vendor named {name!r} already exists (names ignore case)")


def refuse_empty_vendor_change(status: str | None, patch: Mapping[str, Any] | None) -> None:
    if status is None and patch is None:
        raise ValidationError.single("status", "give status or metadata to change")


def vendor_changes(
    current_metadata: Mapping[str, Any] | None, status: str | None, patch: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The values an update writes: the status if given, and the metadata with `patch` merged in
    (see merge_metadata), checked, with the extractor version it holds."""
    values: dict[str, Any] = {}
    if status is not None:
        values["status"] = status
    if patch is not None:
        metadata = validate_vendor_metadata(merge_metadata(current_metadata or {}, patch))
        values["metadata"] = metadata
        values["extractor_version"] = metadata.get("extractor_version")
    return values


def is_operational(status: str) -> bool:
    return status == OPERATIONAL


def vendor_health(operational: int, total: int) -> VendorHealth:
    """The status report's vendor health, from how many of how many vendors are operational."""
    return {
        "total_vendors": total,
        "operational_count": operational,
        "broken_count": total - operational,
        "operational_percentage": round(100 * operational / total, 2) if total else 0.0,
    }
