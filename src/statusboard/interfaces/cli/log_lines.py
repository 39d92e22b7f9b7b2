"""One change-log entry as one line for people:

    #42  2026-03-01 14:05:09+01:00  claude-code  update  work_item 3f2a9c1e  "Write the parser"  status=completed

seq, the time in the local time zone (with its UTC offset), actor, op, entity and the start of its
id, the title (work items, enhancements) or name (vendors) where known, then the fields the write
set: `name=value` for a short value, the name alone for a long one, the keys of an object.
Claim tokens never appear.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

MAX_TITLE = 60
MAX_VALUE = 24
MAX_KEYS = 4
SHORT_ID = 8
NAMING_FIELDS = ("title", "name")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_BARE = re.compile(r"[\w.:@/+-]+")


def entry_line(entry: Mapping[str, Any], title: str | None) -> str:
    parts = [
        f"#{entry['seq']}",
        local_time(entry["at"]),
        _plain(str(entry["actor"])),
        str(entry["op"]),
        f"{entry['entity']} {str(entry['entity_id'])[:SHORT_ID]}",
    ]
    if title:
        parts.append(json.dumps(_shortened(_plain(title), MAX_TITLE), ensure_ascii=False))
    fields = changed_fields(entry.get("fields") or {}, creating=entry["op"] == "create")
    if fields:
        parts.append(fields)
    return "  ".join(parts)


def local_time(at: str) -> str:
    return datetime.fromisoformat(at).astimezone().isoformat(sep=" ", timespec="seconds")


def changed_fields(fields: Mapping[str, Any], *, creating: bool) -> str:
    shown = []
    for name, value in fields.items():
        if _secret(name) or (creating and (name in NAMING_FIELDS or value in (None, {}, []))):
            continue
        shown.append(_field(name, value))
    return " ".join(shown)


def title_of(entry: Mapping[str, Any]) -> str | None:
    """The title or name the entry itself carries (a create, or a write that renamed)."""
    fields = entry.get("fields") or {}
    for name in NAMING_FIELDS:
        value = fields.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def _field(name: str, value: Any) -> str:
    if name in NAMING_FIELDS:  # its value is the title column
        return name
    if isinstance(value, dict):
        keys = [key for key in value if not _secret(str(key))]
        more = ",…" if len(keys) > MAX_KEYS else ""
        return f"{name}{{{','.join(str(key) for key in keys[:MAX_KEYS])}{more}}}"
    if isinstance(value, list):
        return f"{name}[{len(value)}]"
    text = "null" if value is None else str(value).lower() if isinstance(value, bool) else _plain(str(value))
    if len(text) > MAX_VALUE:
        return name
    return f"{name}={text if _BARE.fullmatch(text) else json.dumps(text, ensure_ascii=False)}"


def _secret(name: str) -> bool:
    return "token" in name.lower()


def _plain(text: str) -> str:
    return _CONTROL.sub(" ", text).strip()


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
