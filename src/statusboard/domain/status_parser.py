"""Reading the status file back: text in, records and problems out.

Reads what `status_markdown.render` writes and the legacy files people keep by hand
(CONTRACT.md, "The status file"). Pure: no database, no I/O, and no exception on bad
input. An entry that cannot be read is left out and reported as a `Problem` with its
1-based line number and the reason.

Choices where the format leaves room:
- Section names match case-insensitively ("Enhancements" also names the enhancements);
  unknown sections are skipped without a word, but an unexpected line inside a known
  section is a problem. A section that appears twice is read as one.
- `entry_counts` counts the entries found, read or not; a header's "(N total)" only
  produces a `CountMismatch` when it disagrees with that.
- A deployment, enhancement or session prompt with any unreadable line is left out whole.
- A deployment's "- Vendors:" line is split on ", ". When names in the Vendors section
  contain ", " themselves, the one way to cut the line into known names is taken; two
  ways is reported as a problem.
- Session prompt frontmatter need not carry schema_version: legacy files predate it.

The records it produces, and the way back to `StatusData`, are in `parsed_status.py`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, get_args

from statusboard.domain.enhancements import EnhancementStatus, canonical_quarter
from statusboard.domain.errors import ValidationError
from statusboard.domain.parsed_status import (
    DEPLOYMENTS,
    ENHANCEMENTS,
    SESSION_PROMPTS,
    VENDORS,
    WORK_ITEMS,
    HeaderCount,
    ParsedDeployment,
    ParsedEnhancement,
    ParsedSessionPrompt,
    ParsedStatus,
    ParsedVendor,
    ParsedWorkItem,
    Problem,
)
from statusboard.domain.session_prompts import parse_frontmatter
from statusboard.domain.status_markdown import from_one_line, unescape_prompt_line
from statusboard.domain.vendors import FORMATS, name_key, validate_vendor_metadata
from statusboard.domain.work_items import ItemType

SECTIONS_BY_NAME = {
    "vendors": VENDORS,
    "deployments": DEPLOYMENTS,
    "future enhancements": ENHANCEMENTS,
    "enhancements": ENHANCEMENTS,
    "work items": WORK_ITEMS,
    "session prompts": SESSION_PROMPTS,
}
PRIORITIES = ("high", "medium", "low")
WORK_ITEM_STATUSES = ("active", "completed", "blocked")
ENHANCEMENT_STATUSES: tuple[str, ...] = get_args(EnhancementStatus)
QUOTE_LIMIT = 80
MAX_DIGITS = 18  # fits a 64-bit column, and keeps int() far from its conversion limit
TICKS = {"✓": True, "✔": True, "yes": True, "true": True, "✗": False, "✘": False, "no": False, "false": False}


class _Unreadable(Exception):
    """A line that cannot be read: the reason, and the line when the raiser knows it better."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class _Line:
    number: int
    text: str  # as written; readers strip what they may


_Chunk = list[_Line]  # the lines under one section header


@dataclass
class _Reader:
    """Problems found so far, and the entries each section holds."""

    problems: list[Problem]
    entry_counts: dict[str, int]

    def report(self, line: int, section: str | None, reason: str) -> None:
        self.problems.append(Problem(line, section, reason))

    def count_entry(self, section: str) -> None:
        self.entry_counts[section] = self.entry_counts.get(section, 0) + 1


# --- sections ---------------------------------------------------------------------------

_SECTION_HEADER = re.compile(r"^## (?P<name>.*?)\s*(?:\((?P<count>[^()]*)\))?\s*$")
_DECLARED_COUNT = re.compile(r"^\s*(\d+)\s+total\s*$", re.IGNORECASE)


def parse_status_file(text: str) -> ParsedStatus:
    reader = _Reader([], {})
    chunks, header_counts = _split_sections(text.removeprefix("\ufeff"), reader)
    vendors = _read_vendors(chunks.get(VENDORS, []), reader)
    known_vendors = _KnownVendors.of(vendors)
    deployments = _read_deployments(chunks.get(DEPLOYMENTS, []), known_vendors, reader)
    enhancements = _read_enhancements(chunks.get(ENHANCEMENTS, []), reader)
    work_items = _read_work_items(chunks.get(WORK_ITEMS, []), reader)
    prompts = _read_session_prompts(chunks.get(SESSION_PROMPTS, []), reader)
    return ParsedStatus(
        vendors=tuple(vendors),
        deployments=tuple(deployments),
        enhancements=tuple(enhancements),
        work_items=tuple(work_items),
        session_prompts=tuple(prompts),
        header_counts=header_counts,
        entry_counts=reader.entry_counts,
        problems=tuple(sorted(reader.problems, key=lambda problem: problem.line)),
    )


def _split_sections(text: str, reader: _Reader) -> tuple[dict[str, list[_Chunk]], dict[str, HeaderCount]]:
    chunks: dict[str, list[_Chunk]] = {}
    header_counts: dict[str, HeaderCount] = {}
    current: _Chunk | None = None  # None: before the first section, or in an unknown one
    for number, text_line in enumerate(text.split("\n"), start=1):
        header = _SECTION_HEADER.match(text_line.rstrip())
        if header is None:
            if current is not None:
                current.append(_Line(number, text_line))
            continue
        section = SECTIONS_BY_NAME.get(" ".join(header["name"].lower().split()))
        if section is None:
            current = None
            continue
        current = []
        chunks.setdefault(section, []).append(current)
        reader.entry_counts.setdefault(section, 0)
        _note_declared_count(header["count"], section, number, header_counts, reader)
    return chunks, header_counts


def _note_declared_count(
    count_text: str | None, section: str, line: int, header_counts: dict[str, HeaderCount], reader: _Reader
) -> None:
    if count_text is None:
        return
    declared = _DECLARED_COUNT.match(count_text)
    if declared is None:
        reader.report(line, section, f"unreadable count '({count_text})': expected '(N total)'")
        return
    earlier = header_counts.get(section)
    try:
        total = _whole_number(declared[1]) + (earlier.declared if earlier else 0)
    except _Unreadable as exc:
        reader.report(line, section, exc.reason)
        return
    header_counts[section] = HeaderCount(total, earlier.line if earlier else line)


def _entry_lines(chunks: list[_Chunk]) -> Iterator[_Line]:
    for chunk in chunks:
        yield from (line for line in chunk if line.text.strip())


def _blocks(chunks: list[_Chunk], starts_block: Callable[[str], bool]) -> Iterator[tuple[_Line | None, _Chunk]]:
    """Each block's first line and the lines after it; lines before the first come with None."""
    for chunk in chunks:
        head: _Line | None = None
        body: _Chunk = []
        for line in chunk:
            if starts_block(line.text):
                if head is not None or body:
                    yield head, body
                head, body = line, []
            else:
                body.append(line)
        if head is not None or body:
            yield head, body


def _report_strays(lines: _Chunk, section: str, what: str, reader: _Reader) -> None:
    for line in lines:
        if line.text.strip():
            reader.report(line.number, section, f"unexpected line outside {what}: {_quoted(line.text.strip())}")


# --- small values -----------------------------------------------------------------------

_COMMIT = re.compile(r"^[0-9a-fA-F]{7,40}$")


def _quoted(text: str) -> str:
    """Text from the file as a reason shows it: quoted, and cut short."""
    return repr(text if len(text) <= QUOTE_LIMIT else text[:QUOTE_LIMIT] + "…")


def _commit_hash(text: str) -> str:
    value = text.strip()
    if not _COMMIT.match(value):
        raise _Unreadable(f"commit hash {_quoted(value)} is not 7-40 hexadecimal digits")
    return value.lower()


def _tick(text: str) -> bool:
    value = TICKS.get(text.strip().lower())
    if value is None:
        raise _Unreadable(f"expected ✓ or ✗, got {_quoted(text.strip())}")
    return value


def _whole_number(digits: str) -> int:
    if len(digits) > MAX_DIGITS:
        raise _Unreadable(f"number {digits[:MAX_DIGITS]}… has more than {MAX_DIGITS} digits")
    return int(digits)


def _pr_number(digits: str) -> int:
    number = _whole_number(digits)
    if number < 1:
        raise _Unreadable(f"PR number must be at least 1, got {number}")
    return number


def _one_of(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise _Unreadable(f"unknown {what} {_quoted(value)}: expected one of {', '.join(allowed)}")
    return value


def _refs(text: str) -> tuple[str, ...]:
    parts = (part.strip().removeprefix("#").strip() for part in text.split(","))
    return tuple(part for part in parts if part)


# --- vendors ----------------------------------------------------------------------------

_VENDOR = re.compile(r"^- (?P<name>.+): (?P<status>operational|broken)(?P<rest>(?: .*)?)$", re.IGNORECASE)
_VENDOR_WITH_OTHER_STATUS = re.compile(r"^- .+: (?P<status>\S+)")
_VENDOR_PARTS: dict[str, re.Pattern[str]] = {
    "test_results": re.compile(r"\((\d+)/(\d+) tests? passed(?:, (\d+) skipped)?\)", re.IGNORECASE),
    "format_support": re.compile(r"\[([^\]]*)\]"),
    "extractor_version": re.compile(r"v(\S+)"),
    "manifest_compliant": re.compile(r"manifest (\S+)", re.IGNORECASE),
}


def _read_vendors(chunks: list[_Chunk], reader: _Reader) -> list[ParsedVendor]:
    vendors: list[ParsedVendor] = []
    first_line_by_key: dict[str, int] = {}
    for line in _entry_lines(chunks):
        if not line.text.lstrip().startswith("-"):
            _report_strays([line], VENDORS, "a vendor line", reader)
            continue
        reader.count_entry(VENDORS)
        try:
            vendor = _vendor(line.text.strip(), line.number)
        except _Unreadable as exc:
            reader.report(line.number, VENDORS, exc.reason)
            continue
        key = name_key(vendor.name)
        if key in first_line_by_key:
            reader.report(
                line.number,
                VENDORS,
                f"vendor {_quoted(vendor.name)} is listed twice (first on line {first_line_by_key[key]})",
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
            raise _Unreadable(f"unknown vendor status {_quoted(other['status'])}: expected operational or broken")
        raise _Unreadable("expected '- <name>: operational|broken (P/T tests passed, S skipped) [formats] v<version>'")
    metadata = _vendor_metadata(match["rest"].strip())
    try:
        metadata = validate_vendor_metadata(metadata)
    except ValidationError as exc:
        raise _Unreadable(exc.message) from None
    return ParsedVendor(match["name"].strip(), match["status"].lower(), metadata, line)


def _vendor_metadata(rest: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {}
    while rest:
        key, match = _next_vendor_part(rest)
        if key in metadata:
            raise _Unreadable(f"{key} is given twice")
        metadata[key] = _vendor_part_value(key, match)
        rest = rest[match.end() :].lstrip()
    return metadata


def _next_vendor_part(rest: str) -> tuple[str, re.Match[str]]:
    for key, pattern in _VENDOR_PARTS.items():
        match = pattern.match(rest)
        if match is not None:
            return key, match
    raise _Unreadable(f"unreadable text after the status: {_quoted(rest)}")


def _vendor_part_value(key: str, match: re.Match[str]) -> Any:
    if key == "test_results":
        passing, total, skipped = (_whole_number(digits) for digits in (match[1], match[2], match[3] or "0"))
        return {"passing": passing, "total": total, "skipped": skipped}
    if key == "format_support":
        return _format_support(match[1])
    if key == "manifest_compliant":
        return _tick(match[1])
    return match[1]


def _format_support(text: str) -> dict[str, bool]:
    labels = {label.strip().lower() for label in text.split(",") if label.strip()}
    unknown = sorted(labels - set(FORMATS))
    if unknown:
        raise _Unreadable(f"unknown format {_quoted(unknown[0])}: expected Excel, CSV, PDF or OCR")
    return {name: name in labels for name in FORMATS}


# --- deployments ------------------------------------------------------------------------

_DEPLOYMENT_HEADER = re.compile(r"^### (?P<when>.+?)(?:\s+-\s+PR\s*#?(?P<pr>\d+))?$", re.IGNORECASE)
_FIELD = re.compile(r"^\s*-\s*(?P<key>[^:]+?)\s*:\s?(?P<value>.*)$")
_TEST_COUNT = re.compile(r"^(\d+)\s+([A-Za-z][A-Za-z0-9_-]{0,31})$")


def _read_deployments(chunks: list[_Chunk], known_vendors: _KnownVendors, reader: _Reader) -> list[ParsedDeployment]:
    deployments: list[ParsedDeployment] = []
    for header, body in _blocks(chunks, lambda text: text.startswith("### ")):
        if header is None:
            _report_strays(body, DEPLOYMENTS, "a deployment", reader)
            continue
        reader.count_entry(DEPLOYMENTS)
        deployment = _deployment(header, body, known_vendors, reader)
        if deployment is not None:
            deployments.append(deployment)
    return deployments


def _deployment(header: _Line, body: _Chunk, known_vendors: _KnownVendors, reader: _Reader) -> ParsedDeployment | None:
    try:
        timestamp, pr_number = _deployment_header(header.text.rstrip())
    except _Unreadable as exc:
        reader.report(header.number, DEPLOYMENTS, exc.reason)
        return None
    fields = _fields(body, lambda key, value: _deployment_field(key, value, known_vendors), DEPLOYMENTS, reader)
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
        raise _Unreadable("expected '### <date or time> - PR #<number>'")
    return _timestamp(match["when"]), None if match["pr"] is None else _pr_number(match["pr"])


def _timestamp(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text.strip())
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except (ValueError, OverflowError):
        expected = "YYYY-MM-DD, YYYY-MM-DD HH:MM or YYYY-MM-DDTHH:MM:SSZ"
        raise _Unreadable(f"unreadable deployment time {_quoted(text.strip())}: expected {expected}") from None


def _fields(
    body: _Chunk, read_field: Callable[[str, str], tuple[str, Any]], section: str, reader: _Reader
) -> dict[str, Any] | None:
    """Reads an entry's "- Key: value" lines; None when any of them cannot be read."""
    fields: dict[str, Any] = {}
    readable = True
    for line in body:
        if not line.text.strip():
            continue
        try:
            name, value = _field(line, read_field)
            if name in fields:
                raise _Unreadable(f"{name} is given twice")
        except _Unreadable as exc:
            reader.report(line.number, section, exc.reason)
            readable = False
            continue
        fields[name] = value
    return fields if readable else None


def _field(line: _Line, read_field: Callable[[str, str], tuple[str, Any]]) -> tuple[str, Any]:
    match = _FIELD.match(line.text)
    if match is None:
        raise _Unreadable(f"expected a '- Key: value' line, got {_quoted(line.text.strip())}")
    return read_field(" ".join(match["key"].lower().split()), match["value"])


def _deployment_field(key: str, value: str, known_vendors: _KnownVendors) -> tuple[str, Any]:
    if key == "title":
        return "pr_title", value.strip() or None
    if key == "commit":
        return "commit_hash", _commit_hash(value)
    if key == "work items":
        return "work_item_refs", _refs(value)
    if key == "vendors":
        return "vendor_names", _vendor_names(value.strip(), known_vendors)
    if key == "tests":
        return "test_summary", _test_summary(value)
    if key == "constitutional compliance":
        return "constitutional_compliance", _tick(value)
    raise _Unreadable(f"unknown deployment field {_quoted(key)}")


def _test_summary(text: str) -> dict[str, int]:
    summary: dict[str, int] = {}
    for part in (part.strip() for part in text.split(",") if part.strip()):
        match = _TEST_COUNT.match(part)
        if match is None:
            raise _Unreadable(f"unreadable test count {_quoted(part)}: expected e.g. '45 passed'")
        summary[match[2]] = _whole_number(match[1])
    return summary


@dataclass(frozen=True)
class _KnownVendors:
    keys: frozenset[str]
    most_parts: int  # the most pieces a known name falls into when split on ", "

    @classmethod
    def of(cls, vendors: list[ParsedVendor]) -> _KnownVendors:
        keys = frozenset(name_key(vendor.name) for vendor in vendors)
        return cls(keys, max((key.count(", ") + 1 for key in keys), default=1))


def _vendor_names(text: str, known: _KnownVendors) -> tuple[str, ...]:
    parts = text.split(", ")
    written = tuple(part.strip() for part in parts if part.strip())
    if known.most_parts == 1:
        return written
    ways = _cuts_into_known_names(parts, known)
    if len(ways) > 1:
        raise _Unreadable(
            f"ambiguous vendor list {_quoted(text)}: vendor names containing ', ' can be cut more than one way"
        )
    return ways[0] if ways else written


def _cuts_into_known_names(parts: list[str], known: _KnownVendors) -> list[tuple[str, ...]]:
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


# --- enhancements -----------------------------------------------------------------------

_ENHANCEMENT = re.compile(r"^- (?P<title>.+) \((?P<attrs>[^()]*)\)(?: #(?P<id>\S+))?$")


def _read_enhancements(chunks: list[_Chunk], reader: _Reader) -> list[ParsedEnhancement]:
    enhancements: list[ParsedEnhancement] = []
    first_line_by_id: dict[str, int] = {}
    for head, body in _blocks(chunks, lambda text: not text[:1].isspace() and bool(text.strip())):
        if head is None:
            _report_strays(body, ENHANCEMENTS, "an enhancement", reader)
            continue
        if not head.text.startswith("-"):
            _report_strays([head, *body], ENHANCEMENTS, "an enhancement", reader)
            continue
        reader.count_entry(ENHANCEMENTS)
        enhancement = _enhancement(head, body, reader)
        if enhancement is not None and _is_first_with_id(
            enhancement.id, head.number, first_line_by_id, ENHANCEMENTS, reader
        ):
            enhancements.append(enhancement)
    return enhancements


def _enhancement(head: _Line, body: _Chunk, reader: _Reader) -> ParsedEnhancement | None:
    try:
        title, attrs, enhancement_id = _enhancement_line(head.text.rstrip())
    except _Unreadable as exc:
        reader.report(head.number, ENHANCEMENTS, exc.reason)
        return None
    details = _fields(body, _enhancement_detail, ENHANCEMENTS, reader)
    if details is None:
        return None
    return ParsedEnhancement(
        id=enhancement_id,
        title=title,
        priority=attrs["priority"],
        target_quarter=attrs["target_quarter"],
        status=attrs.get("status", "planned"),
        description=details.get("description"),
        requires_principles=details.get("requires_principles", ()),
        depends_on=details.get("depends_on", ()),
        line=head.number,
    )


def _enhancement_line(text: str) -> tuple[str, dict[str, str], str | None]:
    match = _ENHANCEMENT.match(text)
    if match is None:
        raise _Unreadable("expected '- <title> (Priority: High, Q1 2026) #<id>'")
    attrs: dict[str, str] = {}
    for part in (part.strip() for part in match["attrs"].split(",")):
        name, value = _enhancement_attr(part)
        if name in attrs:
            raise _Unreadable(f"{name} is given twice")
        attrs[name] = value
    for required in ("priority", "target_quarter"):
        if required not in attrs:
            raise _Unreadable(f"enhancement has no {required.replace('_', ' ')}")
    return match["title"].strip(), attrs, match["id"]


def _enhancement_attr(part: str) -> tuple[str, str]:
    name, _, value = part.partition(":")
    name = name.strip().lower()
    if name == "priority":
        return "priority", _one_of(value.strip().lower(), PRIORITIES, "priority")
    if name == "status":
        status = "_".join(value.strip().lower().replace("-", " ").split())
        return "status", _one_of(status, ENHANCEMENT_STATUSES, "enhancement status")
    try:
        return "target_quarter", str(canonical_quarter(part))
    except ValueError:
        raise _Unreadable(
            f"unreadable {_quoted(part)}: expected 'Priority: …', 'Status: …' or a quarter like Q1 2026"
        ) from None


def _enhancement_detail(key: str, value: str) -> tuple[str, Any]:
    if key == "description":
        # one_line never writes a carriage return, so a trailing one is the file's line ending.
        return "description", from_one_line(value.removesuffix("\r")) or None
    if key == "requires":
        return "requires_principles", _principles(value.strip())
    if key == "depends on":
        return "depends_on", _refs(value)
    raise _Unreadable(f"unknown enhancement detail {_quoted(key)}")


def _principles(text: str) -> tuple[str, ...]:
    if not text.startswith("["):
        return tuple(part.strip() for part in text.split(",") if part.strip())
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise _Unreadable(f"unreadable principles {_quoted(text)}: expected a JSON list of strings") from None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _Unreadable(f"unreadable principles {_quoted(text)}: expected a JSON list of strings")
    return tuple(value)


# --- work items -------------------------------------------------------------------------

_WORK_ITEM = re.compile(r"^- \[(?P<type>[^\]]+)\] (?P<title>.*) \((?P<attrs>.*)\)(?: #(?P<id>\S+))?$")
_ITEM_TYPES = tuple(kind.value for kind in ItemType)
_INDENT_WIDTH = 2


@dataclass(frozen=True)
class _Outline:
    width: int
    line: int
    id: str | None


def _read_work_items(chunks: list[_Chunk], reader: _Reader) -> list[ParsedWorkItem]:
    items: list[ParsedWorkItem] = []
    first_line_by_id: dict[str, int] = {}
    for chunk in chunks:
        above: list[_Outline] = []  # the items this line may sit under, shallowest first
        for line in _entry_lines([chunk]):
            text = line.text.rstrip().replace("\t", " " * _INDENT_WIDTH)
            body = text.lstrip(" ")
            if not body.startswith("-"):
                _report_strays([line], WORK_ITEMS, "a work item", reader)
                continue
            reader.count_entry(WORK_ITEMS)
            width = len(text) - len(body)
            while above and above[-1].width >= width:
                above.pop()
            parent = above[-1] if above else None
            try:
                item: ParsedWorkItem | None = _work_item(body, width // _INDENT_WIDTH, parent, line.number)
            except _Unreadable as exc:
                reader.report(line.number, WORK_ITEMS, exc.reason)
                item = None
            if item is not None and not _is_first_with_id(item.id, line.number, first_line_by_id, WORK_ITEMS, reader):
                item = None
            above.append(_Outline(width, line.number, item.id if item else None))
            if item is not None:
                items.append(item)
    return items


def _is_first_with_id(
    entry_id: str | None, line: int, first_line_by_id: dict[str, int], section: str, reader: _Reader
) -> bool:
    """Whether no entry above has this id; a second one is reported (render would loop on a parent's twin)."""
    if entry_id is None:
        return True
    if entry_id in first_line_by_id:
        reader.report(
            line, section, f"id {_quoted(entry_id)} is listed twice (first on line {first_line_by_id[entry_id]})"
        )
        return False
    first_line_by_id[entry_id] = line
    return True


def _work_item(text: str, depth: int, parent: _Outline | None, line: int) -> ParsedWorkItem:
    match = _WORK_ITEM.match(text)
    if match is None:
        raise _Unreadable("expected '- [<type>] <title> (<status>, priority: …, branch: …, commit: …, PR #…) #<id>'")
    status, *extras = match["attrs"].split(", ")
    attrs = _work_item_attrs(extras)
    return ParsedWorkItem(
        id=match["id"],
        item_type=_one_of(match["type"].strip().lower(), _ITEM_TYPES, "work item type"),
        title=from_one_line(match["title"]),
        status=_one_of(status.strip().lower(), WORK_ITEM_STATUSES, "work item status"),
        priority=attrs.get("priority"),
        branch_name=attrs.get("branch_name"),
        commit_hash=attrs.get("commit_hash"),
        pr_number=attrs.get("pr_number"),
        depth=depth,
        parent_ref=parent.id if parent else None,
        parent_line=parent.line if parent else None,
        line=line,
    )


def _work_item_attrs(parts: list[str]) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for part in parts:
        name, value = _work_item_attr(part.strip())
        if name in attrs:
            raise _Unreadable(f"{name} is given twice")
        attrs[name] = value
    return attrs


def _work_item_attr(part: str) -> tuple[str, Any]:
    label, _, value = part.partition(":")
    label = label.strip().lower()
    if label == "priority":
        return "priority", _one_of(value.strip().lower(), PRIORITIES, "priority")
    if label == "branch" and value.strip():
        return "branch_name", value.strip()
    if label == "commit":
        return "commit_hash", _commit_hash(value)
    pr = re.fullmatch(r"PR\s*#?(\d+)", part, re.IGNORECASE)
    if pr is not None:
        return "pr_number", _pr_number(pr[1])
    raise _Unreadable(f"unreadable {_quoted(part)}: expected 'priority: …', 'branch: …', 'commit: …' or 'PR #…'")


# --- session prompts --------------------------------------------------------------------

_SESSION_HEADER = re.compile(r"^### Session\s+(?P<date>\S+)(?:\s+\(session_id:\s?(?P<session_id>.*)\))?$")
_FRONTMATTER_LINE = re.compile(r"^line (\d+): (.*)$", re.DOTALL)


def _read_session_prompts(chunks: list[_Chunk], reader: _Reader) -> list[ParsedSessionPrompt]:
    prompts: list[ParsedSessionPrompt] = []
    for header, body in _blocks(chunks, lambda text: text.startswith("### Session")):
        if header is None:
            _report_strays(body, SESSION_PROMPTS, "a session prompt", reader)
            continue
        reader.count_entry(SESSION_PROMPTS)
        try:
            prompts.append(_session_prompt(header, body))
        except _Unreadable as exc:
            reader.report(exc.line or header.number, SESSION_PROMPTS, exc.reason)
    return prompts


def _session_prompt(header: _Line, body: _Chunk) -> ParsedSessionPrompt:
    match = _SESSION_HEADER.match(header.text.rstrip())
    if match is None:
        raise _Unreadable("expected '### Session YYYY-MM-DD' or '… (session_id: <id>)'")
    recorded_on = _session_date(match["date"])
    lines = _trim_blank_ends(body)
    if not lines:
        raise _Unreadable("session prompt has no content")
    content = "\n".join(unescape_prompt_line(line.text) for line in lines) + "\n"
    frontmatter = _frontmatter(content, lines[0].number)
    session_id = match["session_id"] or _frontmatter_session_id(frontmatter)
    if not session_id:
        raise _Unreadable("no session_id: neither '(session_id: …)' here nor in the frontmatter")
    return ParsedSessionPrompt(recorded_on, session_id, frontmatter, content, header.number)


def _session_date(text: str) -> date:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise _Unreadable(f"unreadable session date {_quoted(text)}: expected YYYY-MM-DD") from None


def _trim_blank_ends(body: _Chunk) -> _Chunk:
    """Without blank lines before the frontmatter and empty lines after the prompt.

    Trailing lines of spaces stay: a prompt may end with one, and render writes it.
    """
    start = next((index for index, line in enumerate(body) if line.text.strip()), len(body))
    end = len(body)
    while end > start and body[end - 1].text in ("", "\r"):
        end -= 1
    return body[start:end]


def _frontmatter(content: str, first_line: int) -> dict[str, Any]:
    try:
        frontmatter, _ = parse_frontmatter(content, require_schema_version=False)
    except ValidationError as exc:
        raise _frontmatter_problem(exc, first_line) from None
    except RecursionError:
        raise _Unreadable("malformed frontmatter: nested too deeply", first_line) from None
    except ValueError as exc:  # PyYAML lets int()'s refusal of a huge number through
        raise _Unreadable(f"malformed frontmatter: {exc}", first_line) from None
    return frontmatter


def _frontmatter_problem(exc: ValidationError, first_line: int) -> _Unreadable:
    """The frontmatter's complaint, with its line counted from the top of the file."""
    message = str(exc.details["errors"][0]["message"])
    located = _FRONTMATTER_LINE.match(message)
    if located is None:
        return _Unreadable(message, first_line)
    return _Unreadable(located[2], first_line + int(located[1]) - 1)


def _frontmatter_session_id(frontmatter: dict[str, Any]) -> str | None:
    value = frontmatter.get("session_id")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value)
    return text if text.strip() else None
