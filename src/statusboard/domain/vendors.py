"""Vendors (the project's extractor components): status, metadata and the name rules."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from statusboard.domain.validation import SingleLine, validated

VendorStatus = Literal["operational", "broken"]
VendorName = Annotated[SingleLine, StringConstraints(max_length=100)]
ExtractorVersion = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z][0-9A-Za-z.+_-]{0,49}$")]
Count = Annotated[int, Field(ge=0)]
FORMATS = ("excel", "csv", "pdf", "ocr")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class FormatSupport(_Strict):
    excel: bool
    csv: bool
    pdf: bool
    ocr: bool


class TestResults(_Strict):
    passing: Count
    total: Count
    skipped: Count

    @model_validator(mode="after")
    def _adds_up(self) -> Self:
        if self.passing + self.skipped > self.total:
            raise ValueError("passing + skipped must not exceed total")
        return self


class VendorMetadata(_Strict):
    format_support: FormatSupport | None = None
    test_results: TestResults | None = None
    extractor_version: ExtractorVersion | None = None
    manifest_compliant: bool | None = None


def validate_vendor_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    model = validated(VendorMetadata, metadata, prefix="metadata")
    return model.model_dump(mode="json", exclude_none=True)


def name_key(name: str) -> str:
    """What makes two vendor names the same name."""
    return name.strip().casefold()


class NewVendor(_Strict):
    name: VendorName
    status: VendorStatus = "operational"
    metadata: dict[str, Any] = Field(default_factory=dict)


def new_vendor_row(
    vendor_id: str, draft: NewVendor, metadata: dict[str, Any], actor: str, at: datetime
) -> dict[str, Any]:
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
