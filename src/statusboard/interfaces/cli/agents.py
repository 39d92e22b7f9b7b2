"""`statusboard agent add|list|revoke`: the identities of an HTTP server, kept in the primary database.

`add` prints the new token alone on stdout (so `TOKEN=$(statusboard agent add NAME)` works),
once: only its digest is stored. What happened is said on stderr.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from statusboard.config import Settings
from statusboard.domain.agents import Role


def add_agent_parser(sub: Any) -> None:
    agent = sub.add_parser(
        "agent",
        help="manage the identities of an HTTP server (statusboard serve)",
        description="Agents of `statusboard serve`: each has a role and a bearer token. "
        "Reads STATUSBOARD_DATABASE_URL.",
    )
    commands = agent.add_subparsers(dest="agent_command", required=True)
    add = commands.add_parser("add", help="register an agent; prints its token once, alone on the last line")
    add.add_argument("name", help="the agent's name (1-100 printable characters): the actor of its writes")
    add.add_argument(
        "--role",
        choices=[role.value for role in Role],
        default=Role.AGENT.value,
        help="viewer reads; agent also writes and claims; admin also archives, migrates, lists sync conflicts "
        "(default: %(default)s)",
    )
    listing = commands.add_parser("list", help="list the registered agents and their roles")
    listing.add_argument("--all", action="store_true", help="also list revoked agents")
    revoke = commands.add_parser("revoke", help="revoke an agent: its token and board sessions stop working")
    revoke.add_argument("name")


def run_agent(settings: Settings, args: argparse.Namespace) -> int:
    from statusboard.services.agents import REVALIDATE
    from statusboard.wiring import build_app

    app = build_app(settings)
    try:
        if args.agent_command == "add":
            added = app.agents.add(args.name, args.role)
            agent = added.agent
            print(
                f"statusboard: registered {agent['name']!r} (role {agent['role']}); its bearer token follows, "
                "shown this once (only its hash is kept)",
                file=sys.stderr,
            )
            print(added.token)
        elif args.agent_command == "list":
            print(_table(app.agents.list(include_revoked=args.all), revoked=args.all))
        elif args.agent_command == "revoke":
            app.agents.revoke(args.name)
            seconds = REVALIDATE.total_seconds()
            print(
                f"statusboard: revoked {args.name!r}; every server on this database refuses its token "
                f"within {seconds:g} s",
                file=sys.stderr,
            )
    finally:
        app.close()
    return 0


def _table(agents: list[dict[str, Any]], *, revoked: bool) -> str:
    header = ["NAME", "ROLE", "CREATED", *(["REVOKED"] if revoked else [])]
    rows = [header]
    for agent in agents:
        row = [agent["name"], agent["role"], agent["created_at"]]
        rows.append([*row, agent["revoked_at"] or "-"] if revoked else row)
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
    lines = ("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows)
    return "\n".join(line.rstrip() for line in lines)
