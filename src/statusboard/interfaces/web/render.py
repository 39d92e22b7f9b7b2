"""Jinja2 templates shipped in the package, and the few filters that turn values into text."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

VALUE_SHOWN_CHARS = 160


def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("statusboard.interfaces.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(when=when, left=left, short=short, percent=percent, shown=shown)
    return env


def when(iso: str | None) -> str:
    """`2025-01-01 10:00 UTC` (every stored time is UTC)."""
    if not iso:
        return "—"
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M UTC")


def left(expires_at: str | None, now: str) -> str:
    """The time a lease has left at `now`, as the board's countdown shows it."""
    if not expires_at:
        return ""
    seconds = int((datetime.fromisoformat(expires_at) - datetime.fromisoformat(now)).total_seconds())
    if seconds <= 0:
        return "expired"
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}h {minutes:02d}m left" if hours else f"{minutes}:{seconds:02d} left"


def short(identifier: str | None) -> str:
    return (identifier or "")[:8]


def percent(share: float | None) -> str:
    return "—" if share is None else f"{100 * share:.0f}%"


def shown(value: Any) -> str:
    """A logged value as text: nothing as a dash, structures as compact JSON, long text cut."""
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, separators=(", ", ": "), default=str)
    return text if len(text) <= VALUE_SHOWN_CHARS else text[: VALUE_SHOWN_CHARS - 1] + "…"
