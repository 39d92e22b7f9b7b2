"""The migration's reconciliation: what the file held against what the database holds now."""

from __future__ import annotations

from dataclasses import dataclass

from typing_extensions import TypedDict  # for pydantic (the migration report's output schema)

from statusboard.domain.records import VendorMeta

VENDOR_FIELDS = ("operational_status", "test_results", "format_support", "version")
# The contract's four count checks, by the section they count; work items are checked too.
COUNT_CHECKS = {
    "vendors": "vendor_count",
    "deployments": "deployment_history",
    "enhancements": "enhancements",
    "session_prompts": "session_prompts",
    "work_items": "work_items",
}


class VendorFields(TypedDict):
    """What the reconciliation compares of a vendor, as the file gives it or the database holds it."""

    status: str
    metadata: VendorMeta


class CountCheck(TypedDict):
    source: int
    migrated: int
    match: bool


class VendorMetadataCheck(TypedDict):
    fields_validated: list[str]
    completeness_percentage: float
    match: bool


Reconciliation = dict[str, CountCheck | VendorMetadataCheck]  # by check: vendor_count, ..., vendor_metadata


class ReportedProblem(TypedDict):
    """An entry of the migration report's `errors` and `skipped`."""

    line: int
    section: str | None
    message: str


@dataclass(frozen=True)
class Count:
    """A section's entries in the file against the rows the database holds for them."""

    source: int
    matched: int  # entries the database holds a row for, a row for each
    surplus: int = 0  # rows beyond those, that the file shows alike with one of its entries

    @property
    def migrated(self) -> int:
        """The rows the database holds for the file's entries: a duplicate counts."""
        return self.matched + self.surplus

    @property
    def match(self) -> bool:
        return self.matched == self.source and self.surplus == 0

    def as_dict(self) -> CountCheck:
        return {"source": self.source, "migrated": self.migrated, "match": self.match}


def vendor_field_matches(source: VendorFields, stored: VendorFields | None) -> int:
    """How many of the four checked vendor fields the database holds as the file gave them."""
    if stored is None:
        return 0
    meta, stored_meta = source["metadata"], stored["metadata"]
    return sum(
        (
            source["status"] == stored["status"],
            meta.get("test_results") == stored_meta.get("test_results"),
            meta.get("format_support") == stored_meta.get("format_support"),
            meta.get("extractor_version") == stored_meta.get("extractor_version"),
        )
    )


def reconciliation(counts: dict[str, Count], vendor_fields_matched: int, vendors_in_source: int) -> Reconciliation:
    checked = vendors_in_source * len(VENDOR_FIELDS)
    completeness = 100.0 if checked == 0 else round(100 * vendor_fields_matched / checked, 2)
    result: Reconciliation = {COUNT_CHECKS[section]: count.as_dict() for section, count in counts.items()}
    result["vendor_metadata"] = {
        "fields_validated": list(VENDOR_FIELDS),
        "completeness_percentage": completeness,
        "match": completeness == 100.0,
    }
    return result


def all_match(result: Reconciliation) -> bool:
    return all(check["match"] for check in result.values())


def preservation_percentage(counts: dict[str, Count]) -> float:
    source = sum(count.source for count in counts.values())
    migrated = sum(min(count.matched, count.source) for count in counts.values())
    return 100.0 if source == 0 else round(100 * migrated / source, 2)
