"""Session prompts: text that starts with YAML frontmatter carrying schema_version.

The frontmatter is read as plain data only: mappings, lists, strings, numbers, booleans
and nulls. No tags that build objects, no aliases (which can blow a small text up into
a huge structure), and no implicit dates: "2025-10-01" stays the string it was written as.
"""

from __future__ import annotations

import math
from typing import Any

import yaml

from statusboard.domain.errors import ValidationError

FIELD = "content"
MAX_CONTENT = 200_000
FENCE = "---"


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
    try:
        for event in yaml.parse(text, Loader=_PlainLoader):
            if isinstance(event, yaml.AliasEvent):
                raise _refusal(_line(event.start_mark, first_line), "aliases are not allowed in frontmatter")
        data = yaml.load(text, Loader=_PlainLoader)  # a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "malformed YAML"
        raise _refusal(_line(mark, first_line), f"malformed frontmatter: {problem}") from None
    except yaml.YAMLError as exc:
        raise _refusal(first_line, f"malformed frontmatter: {exc}") from None
    if not isinstance(data, dict):
        raise _refusal(first_line, "frontmatter must be a mapping of keys to values")
    _check_plain(data, "")
    if require_schema_version and data.get("schema_version") in (None, ""):
        raise _refusal(first_line, "frontmatter must carry schema_version")
    return data, body


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
    elif not (value is None or isinstance(value, str | int | float | bool)):
        raise ValidationError.single(FIELD, f"frontmatter value{_at(where)} must be plain data")


def _at(where: str) -> str:
    return f" at {where}" if where else ""
