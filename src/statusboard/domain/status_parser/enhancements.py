"""The Future Enhancements section: "- <title> (Priority: …, Q1 2026) #<id>" lines and their details."""

from __future__ import annotations

import json
import re
from typing import Any, get_args

from statusboard.domain.enhancements import EnhancementStatus, canonical_quarter
from statusboard.domain.parsed_status import ENHANCEMENTS, ParsedEnhancement
from statusboard.domain.status_markdown import from_one_line
from statusboard.domain.status_parser.common import (
    PRIORITIES,
    Chunk,
    Line,
    Reader,
    Unreadable,
    blocks,
    is_first_with_id,
    one_of,
    read_fields,
    read_quoted,
    read_refs,
    report_strays,
)

ENHANCEMENT_STATUSES: tuple[str, ...] = get_args(EnhancementStatus)
_ENHANCEMENT = re.compile(r"^- (?P<title>.+) \((?P<attrs>[^()]*)\)(?: #(?P<id>\S+))?$")


def read_enhancements(chunks: list[Chunk], reader: Reader) -> list[ParsedEnhancement]:
    enhancements: list[ParsedEnhancement] = []
    first_line_by_id: dict[str, int] = {}
    for head, body in blocks(chunks, lambda text: not text[:1].isspace() and bool(text.strip())):
        if head is None:
            report_strays(body, ENHANCEMENTS, "an enhancement", reader)
            continue
        if not head.text.startswith("-"):
            report_strays([head, *body], ENHANCEMENTS, "an enhancement", reader)
            continue
        reader.count_entry(ENHANCEMENTS)
        enhancement = _enhancement(head, body, reader)
        if enhancement is not None and is_first_with_id(
            enhancement.id, head.number, first_line_by_id, ENHANCEMENTS, reader
        ):
            enhancements.append(enhancement)
    return enhancements


def _enhancement(head: Line, body: Chunk, reader: Reader) -> ParsedEnhancement | None:
    try:
        title, attrs, enhancement_id = _enhancement_line(head.text.rstrip())
    except Unreadable as exc:
        reader.report(head.number, ENHANCEMENTS, exc.reason)
        return None
    details = read_fields(body, _enhancement_detail, ENHANCEMENTS, reader)
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
        raise Unreadable("expected '- <title> (Priority: High, Q1 2026) #<id>'")
    attrs: dict[str, str] = {}
    for part in (part.strip() for part in match["attrs"].split(",")):
        name, value = _enhancement_attr(part)
        if name in attrs:
            raise Unreadable(f"{name} is given twice")
        attrs[name] = value
    for required in ("priority", "target_quarter"):
        if required not in attrs:
            raise Unreadable(f"enhancement has no {required.replace('_', ' ')}")
    return match["title"].strip(), attrs, match["id"]


def _enhancement_attr(part: str) -> tuple[str, str]:
    name, _, value = part.partition(":")
    name = name.strip().lower()
    if name == "priority":
        return "priority", one_of(value.strip().lower(), PRIORITIES, "priority")
    if name == "status":
        status = "_".join(value.strip().lower().replace("-", " ").split())
        return "status", one_of(status, ENHANCEMENT_STATUSES, "enhancement status")
    try:
        return "target_quarter", str(canonical_quarter(part))
    except ValueError:
        raise Unreadable(
            f"unreadable {read_quoted(part)}: expected 'Priority: …', 'Status: …' or a quarter like Q1 2026"
        ) from None


def _enhancement_detail(key: str, value: str) -> tuple[str, Any]:
    if key == "description":
        # one_line never writes a carriage return, so a trailing one is the file's line ending.
        return "description", from_one_line(value.removesuffix("\r")) or None
    if key == "requires":
        return "requires_principles", _principles(value.strip())
    if key == "depends on":
        return "depends_on", read_refs(value)
    raise Unreadable(f"unknown enhancement detail {read_quoted(key)}")


def _principles(text: str) -> tuple[str, ...]:
    if not text.startswith("["):
        return tuple(part.strip() for part in text.split(",") if part.strip())
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise Unreadable(f"unreadable principles {read_quoted(text)}: expected a JSON list of strings") from None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise Unreadable(f"unreadable principles {read_quoted(text)}: expected a JSON list of strings")
    return tuple(value)
