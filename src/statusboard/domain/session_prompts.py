"""Session prompts: text that starts with YAML frontmatter carrying schema_version.

The frontmatter is read as plain data only: mappings, lists, strings, numbers, booleans
and nulls. No tags that build objects, no aliases (which can blow a small text up into
a huge structure), and no implicit dates: "2025-10-01" stays the string it was written as.

Its size and nesting are bounded before it is read, because reading YAML is not linear in
them: PyYAML keeps one possible key per open flow collection (`[`, `{`) and checks them all
at every token, so 5,000 nested brackets cost seconds, and every level costs a stack frame
when the data is built. A cheap scan of the raw text counts the brackets (wherever they
stand: inside quotes too, which can only overcount), and the parser's events, read one at a
time, stop at the first level too deep before anything is built.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

from statusboard.domain.errors import ValidationError
from statusboard.domain.limits import MAX_SAFE_INTEGER, OBJECT_MAX_BYTES, OBJECT_MAX_DEPTH, PROMPT_CONTENT_MAX

FIELD = "content"
MAX_CONTENT = PROMPT_CONTENT_MAX
MAX_FRONTMATTER_BYTES = OBJECT_MAX_BYTES
MAX_FRONTMATTER_DEPTH = OBJECT_MAX_DEPTH
FENCE = "---"
_BRACKETS_AND_LINES = re.compile(r"[\[\]{}\n]")


class _PlainLoader(yaml.SafeLoader):
    pass


# Without the timestamp resolver, dates and times load as the strings they were written as.
_PlainLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _refusal(line: int, message: str) -> ValidationError:
    return ValidationError.single(FIELD, f"line {line}: {message}")


def split_frontmatter(content: str) -> tuple[str, str, int]:
    """The YAML text, the body after the closing fence, and the line the YAML starts on."""
    lines = content.split("\n")
    if not lines or lines[0].rstrip() != FENCE:
        raise _refusal(1, "must start with YAML frontmatter: a line '---', the YAML, then a line '---'")
    for index in range(1, len(lines)):
        if lines[index].rstrip() == FENCE:
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), 2
    raise _refusal(1, "frontmatter is not closed: no second '---' line")


def parse_frontmatter(content: str, *, require_schema_version: bool = True) -> tuple[dict[str, Any], str]:
    """The frontmatter as plain data, and the body; ValidationError naming the line otherwise.

    Legacy status files predate schema_version, so the migration reads them without it.
    """
    if len(content) > MAX_CONTENT:
        raise ValidationError.single(FIELD, f"longer than {MAX_CONTENT} characters")
    text, body, first_line = split_frontmatter(content)
    _check_raw_bounds(text, first_line)
    try:
        _check_events(text, first_line)
        data = yaml.load(text, Loader=_PlainLoader)  # a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "malformed YAML"
        raise _refusal(_line(mark, first_line), f"malformed frontmatter: {problem}") from None
    except yaml.YAMLError as exc:
        raise _refusal(first_line, f"malformed frontmatter: {exc}") from None
    except ValueError as exc:  # PyYAML lets int()'s refusal of a number of thousands of digits through
        raise _refusal(first_line, f"malformed frontmatter: {exc}") from None
    if not isinstance(data, dict):
        raise _refusal(first_line, "frontmatter must be a mapping of keys to values")
    _check_plain(data, "")
    if require_schema_version and data.get("schema_version") in (None, ""):
        raise _refusal(first_line, "frontmatter must carry schema_version")
    return data, body


def _check_raw_bounds(text: str, first_line: int) -> None:
    """Refuses frontmatter larger than MAX_FRONTMATTER_BYTES, or with more brackets open at once
    than MAX_FRONTMATTER_DEPTH, naming the line; linear in the text, and nothing is parsed."""
    size = len(text.encode())
    if size > MAX_FRONTMATTER_BYTES:
        raise _refusal(first_line, f"frontmatter is larger than {MAX_FRONTMATTER_BYTES // 1024} KB ({size} bytes)")
    depth, line = 0, first_line
    for match in _BRACKETS_AND_LINES.finditer(text):
        mark = match.group()
        if mark == "\n":
            line += 1
        elif mark in "[{":
            depth += 1
            if depth > MAX_FRONTMATTER_DEPTH:
                raise _refusal(line, f"frontmatter is nested deeper than {MAX_FRONTMATTER_DEPTH} levels")
        else:
            depth = max(0, depth - 1)


def _check_events(text: str, first_line: int) -> None:
    """Reads the parser's events one by one: refuses an alias, or a level deeper than
    MAX_FRONTMATTER_DEPTH (block nesting, or brackets the raw scan could not see), at its line."""
    depth = 0
    for event in yaml.parse(text, Loader=_PlainLoader):
        if isinstance(event, yaml.AliasEvent):
            raise _refusal(_line(event.start_mark, first_line), "aliases are not allowed in frontmatter")
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_FRONTMATTER_DEPTH:
                message = f"frontmatter is nested deeper than {MAX_FRONTMATTER_DEPTH} levels"
                raise _refusal(_line(event.start_mark, first_line), message)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _line(mark: Any, first_line: int) -> int:
    return first_line if mark is None else first_line + int(mark.line)


def _check_plain(value: Any, where: str) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValidationError.single(FIELD, f"frontmatter key {key!r}{_at(where)} must be text")
            _check_plain(item, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_plain(item, f"{where}.{index}")
    elif isinstance(value, float) and not math.isfinite(value):
        raise ValidationError.single(FIELD, f"frontmatter value{_at(where)} must be a finite number")
    elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_SAFE_INTEGER:
        raise ValidationError.single(FIELD, f"frontmatter number{_at(where)} is beyond ±{MAX_SAFE_INTEGER} (2^53 - 1)")
    elif not (value is None or isinstance(value, str | int | float | bool)):
        raise ValidationError.single(FIELD, f"frontmatter value{_at(where)} must be plain data")


def _at(where: str) -> str:
    return f" at {where}" if where else ""
