"""Importing a legacy `.project_status.md`: everything or nothing, checked by reconciliation.

The file is parsed (pure, `domain/status_parser/`), then every entry is validated and
imported in one write transaction. Before that transaction commits, the database is read
back and compared with the file (the reconciliation checks); if any check fails, or on a
dry run, the transaction is rolled back and the database is as it was. The file itself
is never changed; a `.backup` copy is kept beside it.

Running it again duplicates nothing: an entry already in the database (the same id, or
the same natural key, as the file shows it, for entries written without one; see
`domain/entry_pairing.py`) is counted as migrated, not added. Each check counts the rows
the database holds for the file's entries, so one the database holds twice fails it.

The file must be a regular file inside the project's directories (the status file's
directory, the git repository), at most MAX_SOURCE_BYTES: a caller of the MCP tool is not the
server's user, and may read nothing else through it (storage/project_files.py). For the same
reason no problem the report lists quotes the file: each gives its line and a short reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from statusboard.domain.cancellation import CancelToken, Progress
from statusboard.domain.clock import Clock
from statusboard.domain.entry_pairing import Surplus
from statusboard.domain.errors import ValidationError
from statusboard.domain.parsed_status import ParsedStatus, ParsedVendor
from statusboard.domain.reconciliation import (
    Count,
    ReportedProblem,
    VendorFields,
    all_match,
    preservation_percentage,
    reconciliation,
    vendor_field_matches,
)
from statusboard.domain.status_parser import parse_status_file
from statusboard.domain.vendors import name_key
from statusboard.services.changes import record
from statusboard.services.migration_pairing import pair_again
from statusboard.services.migration_steps import SECTIONS, STEPS, ImportJob
from statusboard.storage.database import ENHANCEMENT_LOCK, HIERARCHY_LOCK, Database
from statusboard.storage.project_files import OutsideProject, ProjectFile, TooLarge, read_project_file, write_backup
from statusboard.storage.repositories import migration as lookups

MAX_SOURCE_BYTES = 64 * 1024 * 1024
# Text the file gave, as a reason may quote it ('…' or "…", escapes and all), and a reference
# as the file wrote it (#T001): left out of every reason the report gives.
_QUOTED = re.compile(r"'(?:[^'\\\n]|\\.)*'" + r'|"(?:[^"\\\n]|\\.)*"')
_REFERENCE = re.compile(r"#[^\s:,;)]+")
MAX_REASON = 200


class _RolledBack(Exception):
    """Ends the import transaction without committing; carries the report."""

    def __init__(self, report: dict[str, Any]) -> None:
        super().__init__("migration rolled back")
        self.report = report


class MigrationService:
    def __init__(self, db: Database, clock: Clock, project_dirs: Sequence[str | Path] = (".",)) -> None:
        """`project_dirs`: where the files it may read lie (the status file's directory and the
        git repository, by the settings)."""
        self._db = db
        self._clock = clock
        self._project_dirs = tuple(project_dirs)

    def migrate(
        self,
        actor: str,
        path: str,
        *,
        dry_run: bool = False,
        skip_invalid: bool = False,
        cancel: CancelToken | None = None,
        progress: Progress | None = None,
    ) -> dict[str, Any]:
        source = self._read(path)
        try:
            text = source.content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValidationError.single("path", f"not UTF-8 text: {exc.reason} at byte {exc.start}") from None
        parsed = parse_status_file(text)
        backup = None if dry_run else _backup(source)
        file = source.path

        def work(conn: Connection) -> dict[str, Any]:
            self._db.lock(conn, HIERARCHY_LOCK)
            self._db.lock(conn, ENHANCEMENT_LOCK)
            job = ImportJob(conn, actor, self._clock.now(), file.name)
            for done, step in enumerate(STEPS, start=1):
                if cancel is not None:
                    cancel.raise_if_cancelled()
                step(job, parsed)
                if progress is not None:
                    progress(done, len(STEPS) + 1)
            job.flush()
            report = _report(job, parsed, skip_invalid)
            if cancel is not None:
                cancel.raise_if_cancelled()
            if dry_run or not report["success"]:
                raise _RolledBack(report)
            record(self._db, conn, actor, job.now, job.log)
            return report

        try:
            report = self._db.write(work)
            report["rollback_executed"] = False
        except _RolledBack as rolled_back:
            report = rolled_back.report
            report["rollback_executed"] = not dry_run
        if progress is not None:
            progress(len(STEPS) + 1, len(STEPS) + 1)
        report["dry_run"] = dry_run
        report["backup_path"] = None if backup is None else str(backup)
        report["path"] = str(file)
        return report

    def _read(self, path: str) -> ProjectFile:
        try:
            return read_project_file(path, self._project_dirs, MAX_SOURCE_BYTES)
        except OutsideProject:
            where = ", ".join(str(Path(root).absolute()) for root in self._project_dirs)
            raise ValidationError.single("path", f"must name a regular file inside the project ({where})") from None
        except TooLarge:
            raise ValidationError.single("path", f"the file is larger than {MAX_SOURCE_BYTES} bytes") from None


def _backup(source: ProjectFile) -> Path:
    try:
        return write_backup(source)
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        raise ValidationError.single("path", f"its .backup copy cannot be written beside it: {reason}") from None


def short_reason(message: str) -> str:
    """A problem's reason without what the file says: its first line, quoted text and
    references left out, cut to MAX_REASON characters. The line number tells where to look."""
    first = message.split("\n", 1)[0]
    reason = _REFERENCE.sub("#…", _QUOTED.sub("…", first))
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"


# -- the report -------------------------------------------------------------------------------


def _report(job: ImportJob, parsed: ParsedStatus, skip_invalid: bool) -> dict[str, Any]:
    """Reads the database back (inside the import's transaction) and compares it with the file."""
    conn = job.conn
    problems: list[ReportedProblem] = [
        {"line": p.line, "section": p.section, "message": short_reason(p.reason)} for p in parsed.problems
    ]
    read = {
        "vendors": parsed.vendors,
        "deployments": parsed.deployments,
        "enhancements": parsed.enhancements,
        "session_prompts": parsed.session_prompts,
        "work_items": parsed.work_items,
    }
    source = {
        section: len(entries) if skip_invalid else parsed.entry_counts.get(section, len(entries))
        for section, entries in read.items()
    }
    stored_vendors = lookups.vendors_for_check(conn)
    pairings = pair_again(conn, parsed)
    surplus = {section: pairing.surplus() for section, pairing in pairings.items()}
    counts = {
        section: Count(source[section], pairings[section].matched, sum(s.extra for s in surplus[section]))
        for section in SECTIONS
    }
    matched = sum(vendor_field_matches(_as_source(v), stored_vendors.get(name_key(v.name))) for v in parsed.vendors)
    checks = reconciliation(counts, matched, len(parsed.vendors))
    mismatched_headers = [
        {"section": m.section, "declared": m.declared, "found": m.found, "line": parsed.header_counts[m.section].line}
        for m in parsed.count_mismatches
    ]
    return {
        "success": all_match(checks),
        "data_preservation_percentage": preservation_percentage(counts),
        "reconciliation": checks,
        "errors": problems + [_shown(e) for e in job.errors] + _surplus_errors(surplus),
        "skipped": problems if skip_invalid else [],
        "header_count_mismatches": mismatched_headers,
        "imported": dict(job.added),
    }


def _shown(problem: ReportedProblem) -> ReportedProblem:
    return {**problem, "message": short_reason(problem["message"])}


def _surplus_errors(surplus: dict[str, list[Surplus]]) -> list[ReportedProblem]:
    return [
        {
            "line": extra.line,
            "section": section,
            "message": f"the database holds {extra.listed + extra.extra} entries that read like this one;"
            f" the file lists {extra.listed}",
        }
        for section, found in surplus.items()
        for extra in found
    ]


def _as_source(vendor: ParsedVendor) -> VendorFields:
    return {"status": vendor.status, "metadata": vendor.metadata}
