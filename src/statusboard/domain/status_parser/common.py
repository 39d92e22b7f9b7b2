"""What every section reader shares: lines, problems, section splitting, small values.

Cuts the status file into the chunks under each known "## " header (with the "(N total)"
each header declares), and holds the pieces more than one section uses: the `Reader`
that collects problems and entry counts, `Unreadable` for a line that cannot be read,
"- Key: value" field lines, duplicate ids, and the small values (quoted text, ticks,
numbers, commit hashes, PR numbers, references).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from statusboard.domain.parsed_status import (
    DEPLOYMENTS,
    ENHANCEMENTS,
    SESSION_PROMPTS,
    VENDORS,
    WORK_ITEMS,
    HeaderCount,
    Problem,
)

SECTIONS_BY_NAME = {
    "vendors": VENDORS,
    "deployments": DEPLOYMENTS,
    "future enhancements": ENHANCEMENTS,
    "enhancements": ENHANCEMENTS,
    "work items": WORK_ITEMS,
    "session prompts": SESSION_PROMPTS,
}
PRIORITIES = ("high", "medium", "low")
QUOTE_LIMIT = 80
MAX_DIGITS = 18  # fits a 64-bit column, and keeps int() far from its conversion limit
TICKS = {"✓": True, "✔": True, "yes": True, "true": True, "✗": False, "✘": False, "no": False, "false": False}


class Unreadable(Exception):
    """A line that cannot be read: the reason, and the line when the raiser knows it better."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class Line:
    number: int
    text: str  # as written; readers strip what they may


Chunk = list[Line]  # the lines under one section header


@dataclass
class Reader:
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


def split_sections(text: str, reader: Reader) -> tuple[dict[str, list[Chunk]], dict[str, HeaderCount]]:
    chunks: dict[str, list[Chunk]] = {}
    header_counts: dict[str, HeaderCount] = {}
    current: Chunk | None = None  # None: before the first section, or in an unknown one
    for number, text_line in enumerate(text.split("\n"), start=1):
        header = _SECTION_HEADER.match(text_line.rstrip())
        if header is None:
            if current is not None:
                current.append(Line(number, text_line))
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
    count_text: str | None, section: str, line: int, header_counts: dict[str, HeaderCount], reader: Reader
) -> None:
    if count_text is None:
        return
    declared = _DECLARED_COUNT.match(count_text)
    if declared is None:
        reader.report(line, section, f"unreadable count '({count_text})': expected '(N total)'")
        return
    earlier = header_counts.get(section)
    try:
        total = read_whole_number(declared[1]) + (earlier.declared if earlier else 0)
    except Unreadable as exc:
        reader.report(line, section, exc.reason)
        return
    header_counts[section] = HeaderCount(total, earlier.line if earlier else line)


def entry_lines(chunks: list[Chunk]) -> Iterator[Line]:
    for chunk in chunks:
        yield from (line for line in chunk if line.text.strip())


def blocks(chunks: list[Chunk], starts_block: Callable[[str], bool]) -> Iterator[tuple[Line | None, Chunk]]:
    """Each block's first line and the lines after it; lines before the first come with None."""
    for chunk in chunks:
        head: Line | None = None
        body: Chunk = []
        for line in chunk:
            if starts_block(line.text):
                if head is not None or body:
                    yield head, body
                head, body = line, []
            else:
                body.append(line)
        if head is not None or body:
            yield head, body


def report_strays(lines: Chunk, section: str, what: str, reader: Reader) -> None:
    for line in lines:
        if line.text.strip():
            reader.report(line.number, section, f"unexpected line outside {what}: {read_quoted(line.text.strip())}")


# --- entries ----------------------------------------------------------------------------

_FIELD = re.compile(r"^\s*-\s*(?P<key>[^:]+?)\s*:\s?(?P<value>.*)$")


def read_fields(
    body: Chunk, read_field: Callable[[str, str], tuple[str, Any]], section: str, reader: Reader
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
                raise Unreadable(f"{name} is given twice")
        except Unreadable as exc:
            reader.report(line.number, section, exc.reason)
            readable = False
            continue
        fields[name] = value
    return fields if readable else None


def _field(line: Line, read_field: Callable[[str, str], tuple[str, Any]]) -> tuple[str, Any]:
    match = _FIELD.match(line.text)
    if match is None:
        raise Unreadable(f"expected a '- Key: value' line, got {read_quoted(line.text.strip())}")
    return read_field(" ".join(match["key"].lower().split()), match["value"])


def is_first_with_id(
    entry_id: str | None, line: int, first_line_by_id: dict[str, int], section: str, reader: Reader
) -> bool:
    """Whether no entry above has this id; a second one is reported (render would loop on a parent's twin)."""
    if entry_id is None:
        return True
    if entry_id in first_line_by_id:
        reader.report(
            line, section, f"id {read_quoted(entry_id)} is listed twice (first on line {first_line_by_id[entry_id]})"
        )
        return False
    first_line_by_id[entry_id] = line
    return True


# --- small values -----------------------------------------------------------------------

_COMMIT = re.compile(r"^[0-9a-fA-F]{7,40}$")


def read_quoted(text: str) -> str:
    """Text from the file as a reason shows it: quoted, and cut short."""
    return repr(text if len(text) <= QUOTE_LIMIT else text[:QUOTE_LIMIT] + "…")


def read_commit_hash(text: str) -> str:
    value = text.strip()
    if not _COMMIT.match(value):
        raise Unreadable(f"commit hash {read_quoted(value)} is not 7-40 hexadecimal digits")
    return value.lower()


def read_tick(text: str) -> bool:
    value = TICKS.get(text.strip().lower())
    if value is None:
        raise Unreadable(f"expected ✓ or ✗, got {read_quoted(text.strip())}")
    return value


def read_whole_number(digits: str) -> int:
    if len(digits) > MAX_DIGITS:
        raise Unreadable(f"number {digits[:MAX_DIGITS]}… has more than {MAX_DIGITS} digits")
    return int(digits)


def read_pr_number(digits: str) -> int:
    number = read_whole_number(digits)
    if number < 1:
        raise Unreadable(f"PR number must be at least 1, got {number}")
    return number


def one_of(value: str, allowed: tuple[str, ...], what: str) -> str:
    if value not in allowed:
        raise Unreadable(f"unknown {what} {read_quoted(value)}: expected one of {', '.join(allowed)}")
    return value


def read_refs(text: str) -> tuple[str, ...]:
    parts = (part.strip().removeprefix("#").strip() for part in text.split(","))
    return tuple(part for part in parts if part)
