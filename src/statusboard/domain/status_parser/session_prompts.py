"""The Session Prompts section: a "### Session <date>" header per prompt, then its frontmatter and text."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from statusboard.domain.errors import ValidationError
from statusboard.domain.parsed_status import SESSION_PROMPTS, ParsedSessionPrompt
from statusboard.domain.session_prompts import parse_frontmatter
from statusboard.domain.status_markdown import unescape_prompt_line
from statusboard.domain.status_parser.common import (
    Chunk,
    Line,
    Reader,
    Unreadable,
    blocks,
    read_quoted,
    report_strays,
)

_SESSION_HEADER = re.compile(r"^### Session\s+(?P<date>\S+)(?:\s+\(session_id:\s?(?P<session_id>.*)\))?$")
_FRONTMATTER_LINE = re.compile(r"^line (\d+): (.*)$", re.DOTALL)


def read_session_prompts(chunks: list[Chunk], reader: Reader) -> list[ParsedSessionPrompt]:
    prompts: list[ParsedSessionPrompt] = []
    for header, body in blocks(chunks, lambda text: text.startswith("### Session")):
        if header is None:
            report_strays(body, SESSION_PROMPTS, "a session prompt", reader)
            continue
        reader.count_entry(SESSION_PROMPTS)
        try:
            prompts.append(_session_prompt(header, body))
        except Unreadable as exc:
            reader.report(exc.line or header.number, SESSION_PROMPTS, exc.reason)
    return prompts


def _session_prompt(header: Line, body: Chunk) -> ParsedSessionPrompt:
    match = _SESSION_HEADER.match(header.text.rstrip())
    if match is None:
        raise Unreadable("expected '### Session YYYY-MM-DD' or '… (session_id: <id>)'")
    recorded_on = _session_date(match["date"])
    lines = _trim_blank_ends(body)
    if not lines:
        raise Unreadable("session prompt has no content")
    content = "\n".join(unescape_prompt_line(line.text) for line in lines) + "\n"
    frontmatter = _frontmatter(content, lines[0].number)
    session_id = match["session_id"] or _frontmatter_session_id(frontmatter)
    if not session_id:
        raise Unreadable("no session_id: neither '(session_id: …)' here nor in the frontmatter")
    return ParsedSessionPrompt(recorded_on, session_id, frontmatter, content, header.number)


def _session_date(text: str) -> date:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise Unreadable(f"unreadable session date {read_quoted(text)}: expected YYYY-MM-DD") from None


def _trim_blank_ends(body: Chunk) -> Chunk:
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
        raise Unreadable("malformed frontmatter: nested too deeply", first_line) from None
    except ValueError as exc:  # PyYAML lets int()'s refusal of a huge number through
        raise Unreadable(f"malformed frontmatter: {exc}", first_line) from None
    return frontmatter


def _frontmatter_problem(exc: ValidationError, first_line: int) -> Unreadable:
    """The frontmatter's complaint, with its line counted from the top of the file."""
    message = str(exc.details["errors"][0]["message"])
    located = _FRONTMATTER_LINE.match(message)
    if located is None:
        return Unreadable(message, first_line)
    return Unreadable(located[2], first_line + int(located[1]) - 1)


def _frontmatter_session_id(frontmatter: dict[str, Any]) -> str | None:
    value = frontmatter.get("session_id")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value)
    return text if text.strip() else None
