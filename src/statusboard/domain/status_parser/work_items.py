"""The Work Items section: an outline of "- [<type>] <title> (<status>, …) #<id>" lines, nested by indent."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from statusboard.domain.parsed_status import WORK_ITEMS, ParsedWorkItem
from statusboard.domain.status_markdown import from_one_line
from statusboard.domain.status_parser.common import (
    PRIORITIES,
    Chunk,
    Reader,
    Unreadable,
    entry_lines,
    is_first_with_id,
    one_of,
    read_commit_hash,
    read_pr_number,
    read_quoted,
    report_strays,
)
from statusboard.domain.work_items import ItemType

WORK_ITEM_STATUSES = ("active", "completed", "blocked")
_WORK_ITEM = re.compile(r"^- \[(?P<type>[^\]]+)\] (?P<title>.*) \((?P<attrs>.*)\)(?: #(?P<id>\S+))?$")
_ITEM_TYPES = tuple(kind.value for kind in ItemType)
_INDENT_WIDTH = 2


@dataclass(frozen=True)
class _Outline:
    width: int
    line: int
    id: str | None


def read_work_items(chunks: list[Chunk], reader: Reader) -> list[ParsedWorkItem]:
    items: list[ParsedWorkItem] = []
    first_line_by_id: dict[str, int] = {}
    for chunk in chunks:
        above: list[_Outline] = []  # the items this line may sit under, shallowest first
        for line in entry_lines([chunk]):
            text = line.text.rstrip().replace("\t", " " * _INDENT_WIDTH)
            body = text.lstrip(" ")
            if not body.startswith("-"):
                report_strays([line], WORK_ITEMS, "a work item", reader)
                continue
            reader.count_entry(WORK_ITEMS)
            width = len(text) - len(body)
            while above and above[-1].width >= width:
                above.pop()
            parent = above[-1] if above else None
            try:
                item: ParsedWorkItem | None = _work_item(body, width // _INDENT_WIDTH, parent, line.number)
            except Unreadable as exc:
                reader.report(line.number, WORK_ITEMS, exc.reason)
                item = None
            if item is not None and not is_first_with_id(item.id, line.number, first_line_by_id, WORK_ITEMS, reader):
                item = None
            above.append(_Outline(width, line.number, item.id if item else None))
            if item is not None:
                items.append(item)
    return items


def _work_item(text: str, depth: int, parent: _Outline | None, line: int) -> ParsedWorkItem:
    match = _WORK_ITEM.match(text)
    if match is None:
        raise Unreadable("expected '- [<type>] <title> (<status>, priority: …, branch: …, commit: …, PR #…) #<id>'")
    status, *extras = match["attrs"].split(", ")
    attrs = _work_item_attrs(extras)
    return ParsedWorkItem(
        id=match["id"],
        item_type=one_of(match["type"].strip().lower(), _ITEM_TYPES, "work item type"),
        title=from_one_line(match["title"]),
        status=one_of(status.strip().lower(), WORK_ITEM_STATUSES, "work item status"),
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
            raise Unreadable(f"{name} is given twice")
        attrs[name] = value
    return attrs


def _work_item_attr(part: str) -> tuple[str, Any]:
    label, _, value = part.partition(":")
    label = label.strip().lower()
    if label == "priority":
        return "priority", one_of(value.strip().lower(), PRIORITIES, "priority")
    if label == "branch" and value.strip():
        return "branch_name", value.strip()
    if label == "commit":
        return "commit_hash", read_commit_hash(value)
    pr = re.fullmatch(r"PR\s*#?(\d+)", part, re.IGNORECASE)
    if pr is not None:
        return "pr_number", read_pr_number(pr[1])
    raise Unreadable(f"unreadable {read_quoted(part)}: expected 'priority: …', 'branch: …', 'commit: …' or 'PR #…'")
