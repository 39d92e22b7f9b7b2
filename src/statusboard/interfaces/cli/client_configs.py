"""The MCP client configurations `statusboard init` writes, and how it merges its entry into a
configuration file that is already there.

A file keeps everything else it holds (other servers, VS Code's `inputs`). The "statusboard"
entry is replaced only when it is the entry init itself wrote last time (init keeps a copy of
each one in .statusboard/init.json) or when --force says so: an entry someone wrote by hand may
carry settings of their own. Absolute paths everywhere: AI clients often start a server from a
directory of their own, whatever `cwd` says.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from statusboard.config import CACHE_PATH, DATABASE_URL, GIT_REPO, MARKDOWN_PATH, Settings
from statusboard.storage.engine import is_sqlite, normalize_url

SERVER_NAME = "statusboard"
OWNED_RECORD = Path(".statusboard/init.json")

Entry = dict[str, Any]


class Refused(Exception):
    """init will not change a file: the one-line reason says why and what to do."""

    def __init__(self, reason: str, file: ConfigFile) -> None:
        super().__init__(reason)
        self.file = file


@dataclass(frozen=True)
class ConfigFile:
    path: Path  # relative to the project
    servers_key: str
    client: str


CLAUDE_CODE = ConfigFile(Path(".mcp.json"), "mcpServers", "Claude Code")
VSCODE = ConfigFile(Path(".vscode") / "mcp.json", "servers", "VS Code")


@dataclass(frozen=True)
class ServerCommand:
    argv: list[str]  # the executable and the arguments that start the stdio server
    env: dict[str, str]

    def stdio_entry(self) -> Entry:
        """The entry of .mcp.json and .vscode/mcp.json (what `claude mcp add` writes, too)."""
        return {"type": "stdio", "command": self.argv[0], "args": self.argv[1:], "env": dict(self.env)}

    def desktop_entry(self) -> Entry:
        return {"command": self.argv[0], "args": self.argv[1:], "env": dict(self.env)}


def executable() -> list[str]:
    """The absolute command of the statusboard running now: its installed script, else this
    Python with `-m statusboard` (so a server started from the config is this installation)."""
    invoked = Path(sys.argv[0])
    if invoked.name in ("statusboard", "statusboard.exe") and invoked.is_file():
        return [str(invoked.absolute())]
    beside = Path(sys.executable).parent / "statusboard"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    return [sys.executable, "-m", "statusboard"]


def server_command(settings: Settings, project: Path) -> ServerCommand:
    """The stdio server of `project`, with every path setting made absolute against it."""

    def absolute(path: str) -> str:
        return os.path.abspath(project / os.path.expanduser(path))

    env = {
        DATABASE_URL.name: absolute_database_url(settings.database_url, project),
        CACHE_PATH.name: absolute(settings.cache_path),
        MARKDOWN_PATH.name: absolute(settings.markdown_path),
        GIT_REPO.name: absolute(settings.git_repo),
    }
    return ServerCommand([*executable(), "mcp"], env)


def absolute_database_url(raw: str, project: Path) -> str:
    """An SQLite URL with an absolute file path; any other URL as given."""
    try:
        url = normalize_url(raw)
    except ValueError as exc:
        raise ValueError(f"{DATABASE_URL.name}: {exc}") from None
    if not is_sqlite(url) or url.database in (None, "", ":memory:"):
        return raw
    database = os.path.abspath(project / os.path.expanduser(str(url.database)))
    return url.set(database=database).render_as_string(hide_password=False)


def shown_database_url(raw: str) -> str:
    """The URL to show people: its password masked."""
    url = normalize_url(raw)
    return url.set(drivername=url.get_backend_name()).render_as_string(hide_password=True)


@dataclass(frozen=True)
class Change:
    file: ConfigFile
    action: str  # "created", "added" (to the file), "updated", "replaced" (--force) or "unchanged"
    text: str | None  # the file's new content; None when unchanged


def plan(project: Path, file: ConfigFile, entry: Entry, written_before: Entry | None, force: bool) -> Change:
    """What writing `entry` into `file` does; Refused if it may not."""
    path = project / file.path
    document = _read(path, file) if path.exists() else None
    if document is None:
        return Change(file, "created", _render({file.servers_key: {SERVER_NAME: entry}}))
    servers = document.setdefault(file.servers_key, {})
    if not isinstance(servers, dict):
        raise Refused(
            f'{file.path}: "{file.servers_key}" is not an object; fix it, then run statusboard init again', file
        )
    current = servers.get(SERVER_NAME)
    if current == entry:
        return Change(file, "unchanged", None)
    action = "added" if current is None else "updated" if current == written_before else "replaced"
    if action == "replaced" and not force:
        raise Refused(
            f'{file.path} already has a "{SERVER_NAME}" server that statusboard init did not write;'
            " run statusboard init --force to replace it",
            file,
        )
    servers[SERVER_NAME] = entry
    return Change(file, action, _render(document))


def _read(path: Path, file: ConfigFile) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8") or "{}")
    except json.JSONDecodeError as exc:
        # JSON with comments (VS Code allows them) would lose them if rewritten: leave it to its author.
        raise Refused(
            f"{file.path} is not plain JSON ({exc.msg} at line {exc.lineno}); fix it, or add"
            f' the "{SERVER_NAME}" entry printed above by hand',
            file,
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise Refused(f"cannot read {file.path}: {exc}", file) from None
    if not isinstance(document, dict):
        raise Refused(f"{file.path} does not hold a JSON object; fix it, then run statusboard init again", file)
    return document


def _render(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def read_owned(project: Path) -> dict[str, Entry]:
    """The entries init wrote last time, by file; empty if it has no record (or cannot read it)."""
    try:
        owned = json.loads((project / OWNED_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return owned if isinstance(owned, dict) else {}


def render_owned(owned: dict[str, Entry]) -> str:
    return _render(dict(sorted(owned.items())))
