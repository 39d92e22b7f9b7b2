"""`statusboard init`: sets statusboard up in the user's project, in one command.

It makes `.statusboard/` (kept out of git by a `.statusboard/.gitignore` of its own, so the
project's .gitignore is left alone and the rule goes wherever the directory goes), creates the
database's schema so the first client start is quick, and writes the MCP client configurations
with absolute paths. Running it again changes nothing; every file is planned before any is
written, so a refusal leaves the project as it was.
"""

from __future__ import annotations

import json
import shlex
import sys
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from statusboard.config import CACHE_PATH, DATABASE_URL, MARKDOWN_PATH, Settings
from statusboard.domain.errors import DatabaseUnavailableError
from statusboard.interfaces.cli.client_configs import (
    CLAUDE_CODE,
    OWNED_RECORD,
    SERVER_NAME,
    VSCODE,
    Change,
    ConfigFile,
    Entry,
    Refused,
    ServerCommand,
    plan,
    read_owned,
    render_owned,
    server_command,
    shown_database_url,
)
from statusboard.storage.status_file import write_atomically

STATE_DIRECTORY = Path(".statusboard")
GITIGNORE_TEXT = "# Written by statusboard init: the database, cache and journal stay out of git.\n*\n"
# The files each --client choice writes (claude-desktop's configuration is outside the project: printed only).
CLIENT_FILES = {"claude-code": [CLAUDE_CODE], "vscode": [VSCODE], "claude-desktop": [], "all": [CLAUDE_CODE, VSCODE]}


def run_init(settings: Settings, client: str, force: bool, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    project = Path.cwd()
    command = server_command(settings, project)
    owned = read_owned(project)
    try:
        entry = command.stdio_entry()
        changes = [plan(project, file, entry, owned.get(str(file.path)), force) for file in CLIENT_FILES[client]]
    except Refused as exc:
        print(f"The entry statusboard init writes into {exc.file.path}:\n{_block(exc.file, command)}", file=out)
        print(f"statusboard: {exc}", file=sys.stderr)
        return 1
    state = _state_directory(project)
    database = _prepare_database(settings, command)
    for change in changes:
        if change.text is not None:
            write_atomically(project / change.file.path, change.text)
    _record_owned(project, owned, changes, command)

    print(f"statusboard init in {project}", file=out)
    print(f"  {'.statusboard/':<18} {state}", file=out)
    print(f"  {'database':<18} {database}", file=out)
    for change in changes:
        print(f"  {change.file.path!s:<18} {change.action} ({change.file.client})", file=out)
    _next_steps(out, client, command, changes)
    return 0


def _state_directory(project: Path) -> str:
    directory = project / STATE_DIRECTORY
    existed = directory.is_dir()
    directory.mkdir(parents=True, exist_ok=True)
    ignore = directory / ".gitignore"
    if not ignore.exists():
        write_atomically(ignore, GITIGNORE_TEXT)
    elif ignore.read_text(encoding="utf-8", errors="replace") != GITIGNORE_TEXT:
        return "exists; its .gitignore is someone else's, left as it is"
    return ("exists" if existed else "created") + ", git-ignored by .statusboard/.gitignore"


def _prepare_database(settings: Settings, command: ServerCommand) -> str:
    """Creates the server's directories and the database's schema now, as its first start would."""
    from statusboard.storage import schema
    from statusboard.storage.engine import build_engine
    from statusboard.wiring import FilesUnavailable, prepare_files

    server_settings = replace(
        settings,
        database_url=command.env[DATABASE_URL.name],
        cache_path=command.env[CACHE_PATH.name],
        markdown_path=command.env[MARKDOWN_PATH.name],
    )
    try:
        prepare_files(server_settings)
    except FilesUnavailable as exc:
        raise RuntimeError(f"{exc}; a server started from this configuration would refuse to start") from None
    shown = shown_database_url(server_settings.database_url)
    engine = build_engine(server_settings.database_url)
    try:
        schema.ensure_current(engine)
    except DatabaseUnavailableError as exc:
        print(
            f"statusboard: warning: {shown} did not answer ({exc.message}); the server creates the schema when it can",
            file=sys.stderr,
        )
        return f"{shown} (not reachable now)"
    finally:
        engine.dispose()
    return f"{shown}, schema {schema.head_revision()}"


def _record_owned(project: Path, owned: dict[str, Entry], changes: list[Change], command: ServerCommand) -> None:
    """Remembers the entries init stands behind, so that the next run may update them."""
    updated = dict(owned)
    for change in changes:
        updated[str(change.file.path)] = command.stdio_entry()
    if updated != owned:
        write_atomically(project / OWNED_RECORD, render_owned(updated))


def _block(file: ConfigFile, command: ServerCommand) -> str:
    return json.dumps({file.servers_key: {SERVER_NAME: command.stdio_entry()}}, indent=2)


def claude_mcp_add(command: ServerCommand) -> str:
    """The `claude mcp add` line that registers the same server. The name comes first: `-e` takes
    several values and would take a name after it for one more."""
    words = ["claude", "mcp", "add", SERVER_NAME, "--scope", "project"]
    for key, value in command.env.items():
        words += ["-e", f"{key}={value}"]
    words += ["--", *command.argv]
    return shlex.join(words)


def _next_steps(out: TextIO, client: str, command: ServerCommand, changes: list[Change]) -> None:
    print("\nNext:", file=out)
    if client in ("claude-code", "all"):
        print("  Claude Code: start `claude` in this directory and approve the project's", file=out)
        print('    "statusboard" server (`/mcp` lists it). The same entry, registered by its CLI:', file=out)
        print(f"    {claude_mcp_add(command)}", file=out)
    if client in ("vscode", "all"):
        print('  VS Code: open this folder; "MCP: List Servers" starts "statusboard" from .vscode/mcp.json.', file=out)
    if client in ("claude-desktop", "all"):
        print("  Claude Desktop: add this to claude_desktop_config.json (Settings > Developer >", file=out)
        print("    Edit Config), then restart it:", file=out)
        desktop = json.dumps({"mcpServers": {SERVER_NAME: command.desktop_entry()}}, indent=2)
        print("\n".join(f"    {line}" for line in desktop.splitlines()), file=out)
    if changes:
        print("  The configuration files hold this machine's absolute paths: on another machine,", file=out)
        print("    run statusboard init there rather than sharing them through git.", file=out)
    print("  Look: `statusboard status` (the full status), `statusboard log --follow` (every write).", file=out)
