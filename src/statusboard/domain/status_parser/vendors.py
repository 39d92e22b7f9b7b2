"""The Vendors section: one "- <name>: operational|broken …" line per vendor."""

from __future__ import annotations

import re
from typing import Any

from statusboard.domain.errors import ValidationError
from statusboard.domain.parsed_status import VENDORS, ParsedVendor
from statusboard.domain.status_parser.common import (
    Chunk,
    Reader,
    Unreadable,
    entry_lines,
    read_quoted,
    read_tick,
    read_whole_number,
    report_strays,
)
from statusboard.domain.vendors import FORMATS, name_key, validate_vendor_metadata

_VENDOR = re.compile(r"^- (?P<name>.+): (?P<status>operational|broken)(?P<rest>(?: .*)?)$", re.IGNORECASE)
_VENDOR_WITH_OTHER_STATUS = re.compile(r"^- .+: (?P<status>\S+)")
_VENDOR_PARTS: dict[str, re.Pattern[str]] = {
    "test_results": re.compile(r"\((\d+)/(\d+) tests? passed(?:, (\d+) skipped)?\)", re.IGNORECASE),
    "format_support": re.compile(r"\[([^\]]*)\]"),
    "extractor_version": re.compile(r"v(\S+)"),
    "manifest_compliant": re.compile(r"manifest (\S+)", re.IGNORECASE),
}


def read_vendors(chunks: list[Chunk], reader: Reader) -> list[ParsedVendor]:
    vendors: list[ParsedVendor] = []
    first_line_by_key: dict[str, int] = {}
    for line in entry_lines(chunks):
        if not line.text.lstrip().startswith("-"):
            report_strays([line], VENDORS, "a vendor line", reader)
            continue
        reader.count_entry(VENDORS)
        try:
            vendor = _vendor(line.text.strip(), line.number)
        except Unreadable as exc:
            reader.report(line.number, VENDORS, exc.reason)
            continue
        key = name_key(vendor.name)
        if key in first_line_by_key:
            reader.report(
                line.number,
                VENDORS,
                f"vendor {read_quoted(vendor.name)} is listed twice (first on line {first_line_by_key[key]})",
            )
            continue
        first_line_by_key[key] = line.number
        vendors.append(vendor)
    return vendors


def _vendor(text: str, line: int) -> ParsedVendor:
    match = _VENDOR.match(text)
    if match is None:
        other = _VENDOR_WITH_OTHER_STATUS.match(text)
        if other is not None:
            raise Unreadable(f"unknown vendor status {read_quoted(other['status'])}: expected operational or broken")
        raise Unreadable("expected '- <name>: operational|broken (P/T tests passed, S skipped) [formats] v<version>'")
    try:
        metadata = validate_vendor_metadata(_vendor_metadata(match["rest"].strip()))
    except ValidationError as exc:
        raise Unreadable(exc.message) from None
    return ParsedVendor(match["name"].strip(), match["status"].lower(), metadata, line)


def _vendor_metadata(rest: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    while rest:
        key, match = _next_vendor_part(rest)
        if key in metadata:
            raise Unreadable(f"{key} is given twice")
        metadata[key] = _vendor_part_value(key, match)
        rest = rest[match.end() :].lstrip()
    return metadata


def _next_vendor_part(rest: str) -> tuple[str, re.Match[str]]:
    for key, pattern in _VENDOR_PARTS.items():
        match = pattern.match(rest)
        if match is not None:
            return key, match
    raise Unreadable(f"unreadable text after the status: {read_quoted(rest)}")


def _vendor_part_value(key: str, match: re.Match[str]) -> Any:
    if key == "test_results":
        passing, total, skipped = (read_whole_number(digits) for digits in (match[1], match[2], match[3] or "0"))
        return {"passing": passing, "total": total, "skipped": skipped}
    if key == "format_support":
        return _format_support(match[1])
    if key == "manifest_compliant":
        return read_tick(match[1])
    return match[1]


def _format_support(text: str) -> dict[str, bool]:
    labels = {label.strip().lower() for label in text.split(",") if label.strip()}
    unknown = sorted(labels - set(FORMATS))
    if unknown:
        raise Unreadable(f"unknown format {read_quoted(unknown[0])}: expected Excel, CSV, PDF or OCR")
    return {name: name in labels for name in FORMATS}
