"""`statusboard migrate PATH`: a progress bar on stderr, then a summary table (or JSON) on stdout."""

from __future__ import annotations

import json
import sys
from typing import Any, TextIO

from statusboard.config import Settings

STEPS = ("vendors", "work items", "deployments", "enhancements", "session prompts", "reconciliation")
BAR_WIDTH = 24
EXIT_CHECKS_FAILED = 7


def run_migrate(settings: Settings, path: str, *, dry_run: bool, skip_invalid: bool, as_json: bool) -> int:
    from statusboard.wiring import build_app

    app = build_app(settings)
    try:
        report = app.migration.migrate(
            settings.client_id or "statusboard-cli",
            path,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            progress=_progress_bar(sys.stderr),
        )
    finally:
        app.close()
    if as_json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print(summary(report))
    if not report["success"]:
        failed = [name for name, check in report["reconciliation"].items() if not check["match"]]
        reason = "rolled back, nothing imported" if report["rollback_executed"] else "nothing imported"
        print(f"statusboard: migration failed ({', '.join(failed)} did not match); {reason}", file=sys.stderr)
        return EXIT_CHECKS_FAILED
    return 0


def _progress_bar(stream: TextIO) -> Any:
    interactive = stream.isatty()

    def show(done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total
        step = STEPS[min(done, len(STEPS)) - 1] if done else "starting"
        line = f"migrating [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} {step}"
        if interactive:
            stream.write(f"\r{line:<70}" + ("\n" if done == total else ""))
        else:
            stream.write(line + "\n")
        stream.flush()

    return show


def summary(report: dict[str, Any]) -> str:
    """The reconciliation as a table, then what was imported, skipped or not linked."""
    rows = [("check", "source", "migrated", "match")]
    for name, check in report["reconciliation"].items():
        if name == "vendor_metadata":
            rows.append((name, "", f"{check['completeness_percentage']:g}% complete", _tick(check["match"])))
        else:
            rows.append((name, str(check["source"]), str(check["migrated"]), _tick(check["match"])))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    mode = (
        "dry run: nothing was changed"
        if report["dry_run"]
        else ("rolled back: the database is as it was" if report["rollback_executed"] else "imported")
    )
    lines += ["", f"{mode}; data preserved: {report['data_preservation_percentage']:g}%"]
    if not report["dry_run"] and report["success"]:
        lines.append("new records: " + ", ".join(f"{n} {section}" for section, n in report["imported"].items()))
    for mismatch in report["header_count_mismatches"]:
        lines.append(
            f"line {mismatch['line']}: the header says {mismatch['declared']} {mismatch['section']}, "
            f"the file lists {mismatch['found']}"
        )
    for error in report["errors"]:
        lines.append(f"line {error['line']}: {error['section'] or 'file'}: {error['message']}")
    if report["backup_path"]:
        lines.append(f"backup: {report['backup_path']}")
    return "\n".join(lines)


def _tick(ok: bool) -> str:
    return "yes" if ok else "NO"
