"""Migrating a legacy status file on SQLite and PostgreSQL: all or nothing, checked, repeatable."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from statusboard.config import Settings
from statusboard.domain.cancellation import CancelToken, OperationCancelled
from statusboard.domain.deployments import NewDeployment
from statusboard.domain.enhancements import NewEnhancement
from statusboard.domain.errors import ValidationError
from statusboard.domain.validation import validated
from statusboard.domain.vendors import NewVendor
from statusboard.domain.work_items import NewWorkItem
from statusboard.services import migration_steps
from statusboard.storage import schema, tables
from statusboard.storage.engine import build_engine
from statusboard.storage.repositories.work_items import ListFilter
from statusboard.wiring import App, build_app
from tests.conftest import fresh_postgres_database
from tests.support.legacy_files import legacy_status_file


def write(tmp_path: Path, text: str, name: str = ".project_status.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def counts(app: App) -> dict[str, int]:
    return {
        "vendors": app.vendors.list()["total_count"],
        "deployments": app.deployments.list(limit=500)["count"],
        "enhancements": app.enhancements.list()["total_count"],
        "session_prompts": app.session_prompts.list()["total_count"],
        "work_items": app.work_items.list(ListFilter())["total_count"],
        "changes": len(app.changes.list_changes(limit=1000)["changes"]),
    }


EMPTY = {"vendors": 0, "deployments": 0, "enhancements": 0, "session_prompts": 0, "work_items": 0, "changes": 0}


def test_the_seed_file_migrates_with_every_check_matching(app: App, tmp_path: Path) -> None:
    text = legacy_status_file()
    path = write(tmp_path, text)
    report = app.migration.migrate("migrator", str(path))
    assert report["success"] is True and report["rollback_executed"] is False
    checks = report["reconciliation"]
    assert checks["vendor_count"] == {"source": 45, "migrated": 45, "match": True}
    assert checks["deployment_history"] == {"source": 12, "migrated": 12, "match": True}
    assert checks["enhancements"] == {"source": 8, "migrated": 8, "match": True}
    assert checks["session_prompts"] == {"source": 25, "migrated": 25, "match": True}
    assert checks["vendor_metadata"]["completeness_percentage"] == 100.0
    assert checks["vendor_metadata"]["fields_validated"] == [
        "operational_status",
        "test_results",
        "format_support",
        "version",
    ]
    assert report["data_preservation_percentage"] == 100.0
    assert [(m["section"], m["declared"], m["found"]) for m in report["header_count_mismatches"]] == [
        ("enhancements", 9, 8)
    ]
    assert path.read_text(encoding="utf-8") == text  # the file is never changed
    assert Path(report["backup_path"]).read_text(encoding="utf-8") == text
    found = counts(app)
    assert {k: found[k] for k in ("vendors", "deployments", "enhancements", "session_prompts")} == {
        "vendors": 45,
        "deployments": 12,
        "enhancements": 8,
        "session_prompts": 25,
    }
    vendor = app.vendors.query("vendor_1")
    assert vendor["status"] == "operational" and vendor["extractor_version"] == "1.1.0"
    (first,) = app.deployments.list(limit=500, vendor_name="vendor_0")["deployments"][-1:]
    assert [v["name"] for v in first["affected_vendors"]] == ["vendor_0", "vendor_1"]
    assert first["metadata"]["constitutional_compliance"] is False


def test_a_dry_run_reports_and_changes_nothing(app: App, tmp_path: Path) -> None:
    path = write(tmp_path, legacy_status_file(vendors=5, deployments=2, enhancements=2, prompts=2))
    report = app.migration.migrate("migrator", str(path), dry_run=True)
    assert report["success"] is True and report["dry_run"] is True and report["rollback_executed"] is False
    assert report["imported"]["vendors"] == 5 and report["backup_path"] is None
    assert counts(app) == EMPTY
    assert not path.with_name(path.name + ".backup").exists()


def test_running_it_twice_duplicates_nothing(app: App, tmp_path: Path) -> None:
    path = write(tmp_path, legacy_status_file(vendors=6, deployments=3, enhancements=3, prompts=3))
    first = app.migration.migrate("migrator", str(path))
    after_first = counts(app)
    second = app.migration.migrate("migrator", str(path))
    assert first["success"] and second["success"]
    assert set(second["imported"].values()) == {0}
    assert second["reconciliation"]["vendor_count"] == {"source": 6, "migrated": 6, "match": True}
    assert counts(app) == after_first


MALFORMED = """# Project Status
## Vendors (3 total)
- vendor_a: operational (10/12 tests passed, 2 skipped) [Excel] v1.0.0
- vendor_b: sort of working
- vendor_c: broken (12/10 tests passed, 0 skipped) [PDF] v2.0.0
## Deployments (2 total)
### 2025-10-01 - PR #100
- Commit: abc1234
- Vendors: vendor_a
### yesterday - PR #101
- Commit: abc1235
## Session Prompts (1 total)
### Session 2025-10-02
---
session_id: [unclosed
---
Body
"""


def test_malformed_entries_roll_everything_back_and_are_named(app: App, tmp_path: Path) -> None:
    path = write(tmp_path, MALFORMED)
    report = app.migration.migrate("migrator", str(path))
    assert report["success"] is False and report["rollback_executed"] is True
    assert report["data_preservation_percentage"] < 100
    lines = {error["line"] for error in report["errors"]}
    assert {4, 5, 10, 15} <= lines, report["errors"]
    assert report["reconciliation"]["vendor_count"]["match"] is False
    assert counts(app) == EMPTY
    assert path.read_text(encoding="utf-8") == MALFORMED
    assert Path(report["backup_path"]).read_text(encoding="utf-8") == MALFORMED


def test_skip_invalid_imports_the_rest_and_lists_what_it_skipped(app: App, tmp_path: Path) -> None:
    path = write(tmp_path, MALFORMED)
    report = app.migration.migrate("migrator", str(path), skip_invalid=True)
    assert report["success"] is True and report["rollback_executed"] is False
    assert {error["line"] for error in report["skipped"]} >= {4, 10, 15}
    assert [v["name"] for v in app.vendors.list()["vendors"]] == ["vendor_a"]  # vendor_c's results are invalid
    assert report["reconciliation"]["vendor_count"] == {"source": 1, "migrated": 1, "match": True}
    assert report["reconciliation"]["deployment_history"] == {"source": 1, "migrated": 1, "match": True}


def test_a_failure_in_the_middle_of_the_import_leaves_the_database_as_it_was(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.vendors.create("before", NewVendor(name="already_here"))
    before = counts(app)
    path = write(tmp_path, legacy_status_file(vendors=10, deployments=4, enhancements=3, prompts=3))

    inserted: list[str] = []

    class FailingTable:
        """Stands in for the deployments table: the vendors and work items are inserted by then."""

        name = "deployments"

        def insert(self) -> Any:
            inserted.extend(["vendors", "work_items"])
            raise RuntimeError("disk full (injected)")

    order = list(migration_steps.INSERT_ORDER)
    order[order.index(tables.deployments)] = FailingTable()  # type: ignore[call-overload]
    monkeypatch.setattr(migration_steps, "INSERT_ORDER", tuple(order))
    with pytest.raises(RuntimeError, match="injected"):
        app.migration.migrate("migrator", str(path))
    assert inserted == ["vendors", "work_items"]
    assert counts(app) == before


def test_a_cancelled_migration_leaves_the_database_as_it_was(app: App, tmp_path: Path) -> None:
    path = write(tmp_path, legacy_status_file(vendors=10, deployments=2, enhancements=2, prompts=2))
    cancel = CancelToken()
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if done == 2:
            cancel.cancel()

    with pytest.raises(OperationCancelled):
        app.migration.migrate("migrator", str(path), cancel=cancel, progress=progress)
    assert seen == [1, 2] and counts(app) == EMPTY


def test_unknown_references_are_reported_and_the_rest_linked(app: App, tmp_path: Path) -> None:
    text = legacy_status_file(vendors=2, deployments=1, enhancements=0, prompts=0).replace(
        "- Vendors: vendor_0, vendor_1", "- Work Items: #T001\n- Vendors: vendor_0, vendor_1"
    )
    report = app.migration.migrate("migrator", str(write(tmp_path, text)))
    assert report["success"] is True
    [unlinked] = [error for error in report["errors"] if error["section"] == "deployments"]
    assert unlinked["message"] == "unknown work item #…: not linked"  # the line tells which; the file is not quoted
    assert text.splitlines()[unlinked["line"] - 1] == "### 2025-10-01 - PR #100"  # the deployment's entry


def test_missing_file_is_a_validation_error_naming_the_path(app: App, tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as refused:
        app.migration.migrate("migrator", str(tmp_path / "nope.md"))
    assert refused.value.details["field"] == "path"


@pytest.fixture
def second_app(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[App]:
    """An empty database of the same backend, for the round trip."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'second.db'}"
        engine = build_engine(url)
        schema.upgrade(engine)
        engine.dispose()
    else:
        url = fresh_postgres_database(request.getfixturevalue("pg_cluster"))
    application = build_app(Settings(database_url=url))
    yield application
    application.close()


def seed_everything(app: App) -> None:
    vendors = [
        app.vendors.create("seed", NewVendor(name=name, status=status, metadata=meta))
        for name, status, meta in (
            ("Acme: PDF (beta)", "operational", {"test_results": {"passing": 3, "total": 4, "skipped": 1}}),
            ("zeta", "broken", {"format_support": {"excel": False, "csv": True, "pdf": False, "ocr": True}}),
            ("Ünïcode", "operational", {"extractor_version": "2.0.0", "manifest_compliant": False}),
        )
    ]
    project = app.work_items.create("seed", NewWorkItem(item_type="project", title="Platform (v2)"))
    high = {"priority": "high"}
    session = app.work_items.create(
        "seed", NewWorkItem(item_type="session", title="Sprint 1", parent_id=project["id"], metadata=high)
    )
    task = app.work_items.create(
        "seed",
        NewWorkItem(
            item_type="task", title="Fix, then ship", parent_id=session["id"], branch_name="fix/x", pr_number=9
        ),
    )
    app.work_items.create("seed", NewWorkItem(item_type="research", title="Spike"))
    app.deployments.record(
        "seed",
        validated(
            NewDeployment,
            {
                "metadata": {
                    "commit_hash": "abc1234",
                    "pr_number": 7,
                    "pr_title": "First, small",
                    "test_summary": {"passed": 3, "flaky": 1},
                    "constitutional_compliance": True,
                },
                "vendor_ids": [vendors[0]["id"], vendors[2]["id"]],
                "work_item_ids": [task["id"]],
                "timestamp": "2025-10-01T14:03:07+00:00",
            },
        ),
    )
    app.deployments.record("seed", validated(NewDeployment, {"metadata": {"commit_hash": "d" * 40}}))
    first = app.enhancements.create(
        "seed",
        validated(
            NewEnhancement,
            {"title": "A", "priority": "high", "target_quarter": "Q1 2026", "description": "two\nlines \\ here"},
        ),
    )
    app.enhancements.create(
        "seed",
        validated(
            NewEnhancement,
            {
                "title": "B (later)",
                "priority": "low",
                "status": "approved",
                "target_quarter": "2026-Q3",
                "requires_principles": ["Library-first", "Test, first"],
                "depends_on": [first["id"]],
            },
        ),
    )
    app.session_prompts.record(
        "seed", "sess_001", "---\nsession_id: sess_001\nschema_version: 1\n---\n## Context\n\\# kept\nDo it.\n"
    )
    app.session_prompts.record("seed", "other", "---\nschema_version: 2\nnote: '# hash'\n---\n# Title\n")


def test_write_migrate_write_gives_the_identical_file(app: App, second_app: App, tmp_path: Path) -> None:
    seed_everything(app)
    written = app.status.generate("markdown")["markdown"]
    report = second_app.migration.migrate("migrator", str(write(tmp_path, written)))
    assert report["success"] is True and report["errors"] == [], report["errors"]
    assert second_app.status.generate("markdown")["markdown"] == written


TWINS = """# Project Status
## Deployments (2 total)
### 2025-10-01 - PR #5
- Commit: abc1234
### 2025-10-01 - PR #5
- Commit: abc1234
## Session Prompts (2 total)
### Session 2025-10-02
---
session_id: s1
schema_version: 1
---
Same words.
### Session 2025-10-02
---
session_id: s1
schema_version: 1
---
Same words.
"""


def test_identical_entries_are_each_imported_once(app: App, tmp_path: Path) -> None:
    path = write(tmp_path, TWINS)
    first = app.migration.migrate("migrator", str(path))
    assert first["success"] is True
    assert (first["imported"]["deployments"], first["imported"]["session_prompts"]) == (2, 2)
    again = app.migration.migrate("migrator", str(path))
    assert again["success"] is True and set(again["imported"].values()) == {0}
    assert again["reconciliation"]["deployment_history"] == {"source": 2, "migrated": 2, "match": True}
    assert (counts(app)["deployments"], counts(app)["session_prompts"]) == (2, 2)
