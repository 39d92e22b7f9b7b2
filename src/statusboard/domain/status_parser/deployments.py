"""The Deployments section: a "### <time> - PR #<n>" header per deployment and its "- Key: value" lines.

The "- Vendors:" line is matched against the names the Vendors section knows (`KnownVendors`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from statusboard.domain.parsed_status import DEPLOYMENTS, ParsedDeployment, ParsedVendor
from statusboard.domain.status_parser.common import (
    Chunk,
    Line,
    Reader,
    Unreadable,
    blocks,
    read_commit_hash,
    read_fields,
    read_pr_number,
    read_quoted,
    read_refs,
    read_tick,
    read_whole_number,
    report_strays,
)
from statusboard.domain.vendors import name_key

_DEPLOYMENT_HEADER = re.compile(r"^### (?P<when>.+?)(?:\s+-\s+PR\s*#?(?P<pr>\d+))?$", re.IGNORECASE)
_TEST_COUNT = re.compile(r"^(\d+)\s+([A-Za-z][A-Za-z0-9_-]{0,31})$")


def read_deployments(chunks: list[Chunk], known_vendors: KnownVendors, reader: Reader) -> list[ParsedDeployment]:
    deployments: list[ParsedDeployment] = []
    for header, body in blocks(chunks, lambda text: text.startswith("### ")):
        if header is None:
            report_strays(body, DEPLOYMENTS, "a deployment", reader)
            continue
        reader.count_entry(DEPLOYMENTS)
        deployment = _deployment(header, body, known_vendors, reader)
        if deployment is not None:
            deployments.append(deployment)
    return deployments


def _deployment(header: Line, body: Chunk, known_vendors: KnownVendors, reader: Reader) -> ParsedDeployment | None:
    try:
        timestamp, pr_number = _deployment_header(header.text.rstrip())
    except Unreadable as exc:
        reader.report(header.number, DEPLOYMENTS, exc.reason)
        return None
    fields = read_fields(body, lambda key, value: _deployment_field(key, value, known_vendors), DEPLOYMENTS, reader)
    if fields is None:
        return None
    if "commit_hash" not in fields:
        reader.report(header.number, DEPLOYMENTS, "deployment has no '- Commit:' line")
        return None
    return ParsedDeployment(
        timestamp=timestamp,
        commit_hash=fields["commit_hash"],
        pr_number=pr_number,
        pr_title=fields.get("pr_title"),
        work_item_refs=fields.get("work_item_refs", ()),
        vendor_names=fields.get("vendor_names", ()),
        test_summary=fields.get("test_summary"),
        constitutional_compliance=fields.get("constitutional_compliance"),
        line=header.number,
    )


def _deployment_header(text: str) -> tuple[datetime, int | None]:
    match = _DEPLOYMENT_HEADER.match(text)
    if match is None:
        raise Unreadable("expected '### <date or time> - PR #<number>'")
    return _timestamp(match["when"]), None if match["pr"] is None else read_pr_number(match["pr"])


def _timestamp(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (ValueError, OverflowError):
        expected = "YYYY-MM-DD, YYYY-MM-DD HH:MM or YYYY-MM-DDTHH:MM:SSZ"
        raise Unreadable(f"unreadable deployment time {read_quoted(text.strip())}: expected {expected}") from None


def _deployment_field(key: str, value: str, known_vendors: KnownVendors) -> tuple[str, Any]:
    if key == "title":
        return "pr_title", value.strip() or None
    if key == "commit":
        return "commit_hash", read_commit_hash(value)
    if key == "work items":
        return "work_item_refs", read_refs(value)
    if key == "vendors":
        return "vendor_names", _vendor_names(value.strip(), known_vendors)
    if key == "tests":
        return "test_summary", _test_summary(value)
    if key == "constitutional compliance":
        return "constitutional_compliance", read_tick(value)
    raise Unreadable(f"unknown deployment field {read_quoted(key)}")


def _test_summary(text: str) -> dict[str, int]:
    summary: dict[str, int] = {}
    for part in (part.strip() for part in text.split(",") if part.strip()):
        match = _TEST_COUNT.match(part)
        if match is None:
            raise Unreadable(f"unreadable test count {read_quoted(part)}: expected e.g. '45 passed'")
        summary[match[2]] = read_whole_number(match[1])
    return summary


@dataclass(frozen=True)
class KnownVendors:
    keys: frozenset[str]
    most_parts: int  # the most pieces a known name falls into when split on ", "

    @classmethod
    def of(cls, vendors: list[ParsedVendor]) -> KnownVendors:
        keys = frozenset(name_key(vendor.name) for vendor in vendors)
        return cls(keys, max((key.count(", ") + 1 for key in keys), default=1))


def _vendor_names(text: str, known: KnownVendors) -> tuple[str, ...]:
    parts = text.split(", ")
    written = tuple(part.strip() for part in parts if part.strip())
    if known.most_parts == 1:
        return written
    ways = _cuts_into_known_names(parts, known)
    if len(ways) > 1:
        raise Unreadable(
            f"ambiguous vendor list {read_quoted(text)}: vendor names containing ', ' can be cut more than one way"
        )
    return ways[0] if ways else written


def _cuts_into_known_names(parts: list[str], known: KnownVendors) -> list[tuple[str, ...]]:
    """Up to two ways of joining consecutive parts back into known vendor names."""
    ways_from: dict[int, list[tuple[str, ...]]] = {len(parts): [()]}
    for start in range(len(parts) - 1, -1, -1):
        ways: list[tuple[str, ...]] = []
        for end in range(start + 1, min(start + known.most_parts, len(parts)) + 1):
            name = ", ".join(parts[start:end])
            if name_key(name) in known.keys:
                ways += [(name.strip(), *rest) for rest in ways_from[end]]
        ways_from[start] = ways[:2]
    return ways_from[0]
