"""Migrating a status file into a database that already holds its entries, on SQLite and PostgreSQL.

The file shows less than the database keeps (a deployment's time in whole seconds, a prompt
without its final line breaks), so an entry is found again by what the file shows of it; and
every reconciliation check counts the rows the database holds for the file's entries, so a
duplicate makes its check fail instead of reading as a match.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from statusboard.config import Settings
from statusboard.domain.deployments import NewDeployment
from statusboard.domain.enhancements import NewEnhancement
from statusboard.domain.validation import validated
from statusboard.domain.work_items import NewWorkItem
from statusboard.services.migration_steps import INSERT_ORDER
from statusboard.storage import tables
from statusboard.wiring import App, build_app
from tests.services.test_migration import counts, seed_everything, write
from tests.support.clock import ManualClock


def row_counts(app: App) -> dict[str, int]:
    """Rows of every table a migration writes to, and of the archive."""
    with app.db.engine.connect() as conn:
        return {
            table.name: int(conn.execute(select(func.count()).select_from(table)).scalar_one())
            for table in (*INSERT_ORDER, tables.archived_work_items)
        }


def record_deployment(app: App, timestamp: str | None, commit: str = "abc1234", pr: int | None = 5) -> None:
    metadata: dict[str, Any] = {"commit_hash": commit, **({} if pr is None else {"pr_number": pr})}
    draft = {"metadata": metadata, **({} if timestamp is None else {"timestamp": timestamp})}
    app.deployments.record("seed", validated(NewDeployment, draft))


def test_remigrating_the_written_file_adds_nothing(app: App, tmp_path: Path) -> None:
    seed_everything(app)
    record_deployment(app, None)  # now: a time with microseconds
    record_deployment(app, "2025-10-01T14:03:07.250000+00:00", pr=None)
    record_deployment(app, "2025-10-01T14:03:07.750000+00:00", pr=None)  # the file shows both alike
    app.session_prompts.record("seed", "s2", "---\nschema_version: 1\n---\nno final line break")
    app.session_prompts.record("seed", "s3", "---\nschema_version: 1\n---\nthree of them\n\n\n")
    written = app.status.generate("markdown")["markdown"]
    before = row_counts(app)

    report = app.migration.migrate("migrator", str(write(tmp_path, written)))

    assert report["success"] is True and report["errors"] == [], report["errors"]
    assert set(report["imported"].values()) == {0}
    checks = report["reconciliation"]
    assert checks["deployment_history"] == {"source": 5, "migrated": 5, "match": True}
    assert checks["session_prompts"] == {"source": 4, "migrated": 4, "match": True}
    assert checks["work_items"] == {"source": 4, "migrated": 4, "match": True}
    assert checks["enhancements"] == {"source": 2, "migrated": 2, "match": True}
    assert checks["vendor_count"] == {"source": 3, "migrated": 3, "match": True}
    assert row_counts(app) == before
    assert app.status.generate("markdown")["markdown"] == written


HAND_WRITTEN = """# Project Status
## Vendors (1 total)
- vendor_a: operational
## Deployments (1 total)
### 2025-10-01T14:03:07Z - PR #5
- Commit: abc1234
## Future Enhancements (1 total)
- Export (Priority: High, Q1 2026)
## Work Items (1 total)
- [task] Write docs (active)
## Session Prompts (1 total)
### Session 2025-10-02 (session_id: s1)
---
schema_version: 1
---
Words.
"""
HAND_WRITTEN_LINES = {"deployments": 5, "enhancements": 8, "work_items": 10, "session_prompts": 12}
CHECKS = {
    "deployments": "deployment_history",
    "enhancements": "enhancements",
    "work_items": "work_items",
    "session_prompts": "session_prompts",
}


def add_one_the_file_shows_alike(app: App, section: str) -> None:
    """One more entry that the file's entry of this section also describes."""
    if section == "deployments":
        record_deployment(app, "2025-10-01T14:03:07.600000+00:00")
    elif section == "enhancements":
        app.enhancements.create(
            "seed", validated(NewEnhancement, {"title": "Export", "priority": "low", "target_quarter": "2026-Q1"})
        )
    elif section == "work_items":
        app.work_items.create("seed", NewWorkItem(item_type="task", title="Write docs", status="blocked"))
    else:
        app.session_prompts.record("seed", "s1", "---\nschema_version: 1\n---\nWords.")


@pytest.mark.parametrize("section", list(CHECKS))
def test_a_duplicate_in_the_database_fails_its_check(database_url: str, tmp_path: Path, section: str) -> None:
    clock = ManualClock(datetime(2025, 10, 2, 9, 30, tzinfo=UTC))  # the prompt's day, as the file shows it
    app = build_app(Settings(database_url=database_url), clock=clock)
    try:
        path = write(tmp_path, HAND_WRITTEN)
        assert app.migration.migrate("migrator", str(path))["success"] is True
        add_one_the_file_shows_alike(app, section)
        before = counts(app)

        report = app.migration.migrate("migrator", str(path))

        checks = report["reconciliation"]
        assert checks[CHECKS[section]] == {"source": 1, "migrated": 2, "match": False}
        assert all(check["match"] for name, check in checks.items() if name != CHECKS[section])
        assert report["success"] is False and report["rollback_executed"] is True
        assert report["data_preservation_percentage"] == 100.0  # every entry is there, and one more
        assert [(e["line"], e["section"]) for e in report["errors"]] == [(HAND_WRITTEN_LINES[section], section)]
        assert counts(app) == before
    finally:
        app.close()


def test_remigrating_after_archiving_brings_nothing_back(database_url: str, tmp_path: Path) -> None:
    clock = ManualClock()
    app = build_app(Settings(database_url=database_url), clock=clock)
    try:
        project = app.work_items.create("seed", NewWorkItem(item_type="project", title="Old"))
        app.work_items.create("seed", NewWorkItem(item_type="task", title="Done", parent_id=project["id"]))
        path = write(tmp_path, app.status.generate("markdown")["markdown"])
        clock.advance(400 * 86400)
        assert app.archiving.trigger("seed")["archived_count"] == 2
        before = row_counts(app)

        report = app.migration.migrate("migrator", str(path))

        assert report["success"] is True and set(report["imported"].values()) == {0}
        assert report["reconciliation"]["work_items"] == {"source": 2, "migrated": 2, "match": True}
        assert row_counts(app) == before  # the archived items are not live again as well
    finally:
        app.close()


def test_an_entry_written_with_its_id_is_not_taken_for_another_with_the_same_title(app: App, tmp_path: Path) -> None:
    source = build_app(Settings(database_url=f"sqlite:///{tmp_path / 'source.db'}"))
    try:
        for each in (source, app):
            each.work_items.create("seed", NewWorkItem(item_type="task", title="Same"))
            each.enhancements.create(
                "seed", validated(NewEnhancement, {"title": "Same", "priority": "high", "target_quarter": "2026-Q1"})
            )
        written = source.status.generate("markdown")["markdown"]
    finally:
        source.close()
    report = app.migration.migrate("migrator", str(write(tmp_path, written)))

    assert report["success"] is True
    assert (report["imported"]["work_items"], report["imported"]["enhancements"]) == (1, 1)
    after = app.status.generate("markdown")["markdown"].splitlines()
    entries = [line for line in written.splitlines() if line.startswith("- ")]  # each ends with its #<id>
    assert len(entries) == 2 and all(line in after for line in entries)
