"""The `statusboard` command."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from statusboard import __version__
from statusboard.config import Settings
from statusboard.interfaces.cli.agents import add_agent_parser, run_agent
from statusboard.interfaces.errors import as_statusboard_error, exit_code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="statusboard", description="Shared project status over MCP.")
    parser.add_argument("--version", action="version", version=f"statusboard {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    init = sub.add_parser("init", help="set statusboard up in this project: .statusboard/ and the MCP client configs")
    clients = ["claude-code", "vscode", "claude-desktop", "all"]
    init.add_argument("--client", choices=clients, default="all", help="the client(s) to configure")
    init.add_argument("--force", action="store_true", help="replace a statusboard entry that init did not write")
    sub.add_parser("mcp", help="MCP server over stdio (what an AI client launches)")
    serve = sub.add_parser("serve", help="MCP over streamable HTTP at /mcp, /health, and the board at /")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument(
        "--auth",
        choices=["none", "tokens"],
        default=None,
        help="require agents' bearer tokens (default: tokens once an agent is registered; none only on loopback)",
    )
    serve.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME[:PORT]",
        help="also answer this Host (and its Origins); repeatable; loopback names are always answered",
    )
    status = sub.add_parser("status", help="print the full status")
    status.add_argument("--format", choices=["json", "markdown"], default="json", help="JSON or the status file's text")
    status.add_argument("--write", action="store_true", help="also write the status file atomically")
    log = sub.add_parser("log", help="the change log for people, one line per write; --follow for new ones")
    log.add_argument("--follow", "-f", action="store_true", help="keep printing new writes as they commit")
    log.add_argument("--since", type=_seq, metavar="SEQ", help="every entry after this seq (default: the last N)")
    log.add_argument("--limit", "-n", type=_seq, default=20, metavar="N", help="the last N entries, without --since")
    migrate = sub.add_parser("migrate", help="import a legacy .project_status.md, everything or nothing")
    migrate.add_argument("path", help="the legacy status file")
    migrate.add_argument("--dry-run", action="store_true", help="report what would happen and change nothing")
    migrate.add_argument("--skip-invalid", action="store_true", help="import the readable entries, list the rest")
    migrate.add_argument("--json", action="store_true", help="print the full report as JSON")
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply schema migrations")
    add_agent_parser(sub)
    return parser


def _seq(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"not a whole number >= 0: {text!r}")
    return int(text)


def main(argv: Sequence[str] | None = None) -> int:
    from statusboard.interfaces.cli.help import describe  # here, so that the imports above stay one per command

    args = describe(_parser()).parse_args(argv)
    # stdout belongs to the MCP protocol under `mcp`: every log line goes to stderr.
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="statusboard: %(message)s")
    try:
        settings = Settings.from_env()
        if args.command == "init":
            from statusboard.interfaces.cli.init import run_init

            return run_init(settings, args.client, args.force)
        if args.command == "mcp":
            return _run_stdio(settings)
        if args.command == "serve":
            return _run_http(settings, args.host, args.port, args.auth, args.allowed_host)
        if args.command == "agent":
            return run_agent(settings, args)
        if args.command == "status":
            return _status(settings, args.format, args.write)
        if args.command == "log":
            from statusboard.interfaces.cli.log import run_log

            return run_log(settings, follow=args.follow, since=args.since, limit=args.limit)
        if args.command == "migrate":
            from statusboard.interfaces.cli.migrate import run_migrate

            options = {"dry_run": args.dry_run, "skip_invalid": args.skip_invalid, "as_json": args.json}
            return run_migrate(settings, args.path, **options)
        if args.command == "db" and args.db_command == "upgrade":
            return _upgrade(settings)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        known = as_statusboard_error(exc)
        reason = known.message if known else str(exc) or type(exc).__name__
        print(f"statusboard: {reason}", file=sys.stderr)
        return exit_code(exc)
    raise AssertionError(f"unhandled command {args.command}")


def _run_stdio(settings: Settings) -> int:
    import anyio
    from mcp.server.stdio import stdio_server

    from statusboard.interfaces.mcp import stdio_streams
    from statusboard.interfaces.mcp.server import build_server
    from statusboard.wiring import build_server_app

    app = build_server_app(settings)

    async def serve() -> None:
        server = build_server(app)
        async with stdio_server() as (read, write):
            reader, writer = stdio_streams.wrap(read, write)
            await server.run(reader, writer, server.create_initialization_options())

    try:
        anyio.run(serve)
    finally:
        app.close()
    return 0


def _run_http(settings: Settings, host: str, port: int, auth: str | None, allowed_hosts: list[str]) -> int:
    import socket

    import uvicorn

    from statusboard.interfaces.http.app import build_http_app, tokens_required
    from statusboard.interfaces.mcp.call_log import log_calls_to_stderr
    from statusboard.wiring import build_server_app

    app = build_server_app(settings)
    try:
        tokens = tokens_required(app, host, auth, allowed_hosts)
    except Exception:
        app.close()
        raise
    if settings.client_id:
        print("statusboard: STATUSBOARD_CLIENT_ID is ignored by serve: each caller acts as itself", file=sys.stderr)
    log_calls_to_stderr()
    # Bound and listening before we say so: a client that reads the line can connect at once,
    # and --port 0 reports the port it got.
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)
        bound = sock.getsockname()[1]
        who = "agents' tokens required" if tokens else "no tokens: every caller acts as its client's name"
        print(
            f"statusboard: serving MCP at http://{host}:{bound}/mcp (health: /health, board: /; {who})",
            file=sys.stderr,
            flush=True,
        )
        http_app = build_http_app(app, host, tokens=tokens, allowed_hosts=allowed_hosts, log_calls=True)
        # Event streams never end by themselves: at shutdown they get this long, then are cut.
        config = uvicorn.Config(http_app, log_level="warning", timeout_graceful_shutdown=2)
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        sock.close()
        app.close()
    return 0


def _upgrade(settings: Settings) -> int:
    from statusboard.storage import schema
    from statusboard.storage.engine import build_engine

    engine = build_engine(settings.database_url)
    try:
        schema.upgrade(engine)
        print(f"statusboard: schema at {schema.head_revision()}", file=sys.stderr)
    finally:
        engine.dispose()
    return 0


def _status(settings: Settings, output_format: str, write: bool) -> int:
    """Like every read, the status falls back to the cache, git history or the file on disk
    when the primary does not answer; it says so on stderr, and a --write is not done then."""
    import json

    from statusboard.domain.errors import DatabaseUnavailableError
    from statusboard.interfaces.mcp.record_tools import GENERATE_FULL_STATUS, GenerateStatusArgs
    from statusboard.wiring import build_app

    try:
        app = build_app(settings)
    except DatabaseUnavailableError:
        app = build_app(settings, migrate=False)  # the fallback layers need no schema
    args = GenerateStatusArgs(output_format="markdown" if output_format == "markdown" else "json", write_file=write)
    try:
        report = app.resilience.call(
            GENERATE_FULL_STATUS,
            settings.client_id or "statusboard-cli",
            args,
            lambda: app.status.generate(args.output_format, args.write_file),
        )
    finally:
        app.close()
    if output_format == "markdown":
        sys.stdout.write(report["markdown"])
    else:
        print(json.dumps(report, indent=2, ensure_ascii=False, default=str))
    if report["data_source"] != "database":
        print(
            f"statusboard: the primary database is unreachable; served from {report['data_source']}"
            f" ({', '.join(report['warnings'])})",
            file=sys.stderr,
        )
        if write:
            print("statusboard: the status file was not written (it is written from the primary only)", file=sys.stderr)
            return exit_code(DatabaseUnavailableError("the primary database is unreachable", ["primary"]))
    elif write:
        print(f"statusboard: wrote {report['written_to']}", file=sys.stderr)
    return 0
