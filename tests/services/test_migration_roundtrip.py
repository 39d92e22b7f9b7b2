"""Write -> migrate -> write gives the identical file, over generated data, on SQLite and PostgreSQL.

The data goes in through the services (so it is data the product can hold), the status
file is written, migrated into a second, empty database and written again; then migrated
into the database it came from, which must add nothing and write the same file again.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statusboard.config import Settings
from statusboard.domain.deployments import NewDeployment
from statusboard.domain.enhancements import NewEnhancement
from statusboard.domain.validation import validated
from statusboard.domain.vendors import NewVendor
from statusboard.domain.work_items import MAX_DEPTH, NewWorkItem
from statusboard.wiring import App, build_app
from tests.conftest import BACKENDS, fresh_postgres_database
from tests.services.test_migration_rerun import row_counts
from tests.unit.test_status_roundtrip import (
    BRANCHES,
    COMMITS,
    MULTILINE,
    PR_NUMBERS,
    TIMES,
    TITLES,
    maybe,
    session_prompt,
    single_line,
    vendors,
)


@st.composite
def project(draw: st.DrawFn) -> dict[str, Any]:
    """Records in the order they are created, each referring only to records made before it."""
    steps: list[tuple[str, Any]] = [("vendor", vendor) for vendor in draw(vendors())]
    items: list[tuple[int, int]] = []  # (index, depth)
    for index in range(draw(st.integers(0, 10))):
        parents = [entry for entry in items if entry[1] < MAX_DEPTH]
        parent = draw(maybe(st.sampled_from(parents))) if parents else None
        fields = {
            "item_type": draw(st.sampled_from(["project", "session", "task", "research"])),
            "title": draw(TITLES),
            "status": draw(st.sampled_from(["active", "completed", "blocked"])),
            "metadata": {"priority": p} if (p := draw(maybe(st.sampled_from(["high", "medium", "low"])))) else {},
            "branch_name": draw(maybe(BRANCHES)),
            "commit_hash": draw(maybe(COMMITS)),
            "pr_number": draw(maybe(PR_NUMBERS)),
        }
        steps.append(("item", (fields, None if parent is None else parent[0])))
        items.append((index, 0 if parent is None else parent[1] + 1))
    vendor_names = [vendor["name"] for kind, vendor in steps if kind == "vendor"]
    for _ in range(draw(st.integers(0, 4))):
        metadata = {
            "commit_hash": draw(COMMITS),
            "pr_number": draw(maybe(PR_NUMBERS)),
            "pr_title": draw(maybe(single_line(200))),
            "test_summary": draw(
                maybe(st.dictionaries(st.sampled_from(["passed", "failed", "flaky"]), st.integers(0, 99)))
            ),
            "constitutional_compliance": draw(maybe(st.booleans())),
        }
        refs = {
            "vendor_names": draw(st.lists(st.sampled_from(vendor_names), unique=True)) if vendor_names else [],
            "items": draw(st.lists(st.sampled_from([i for i, _ in items]), unique=True)) if items else [],
            "timestamp": None if (at := draw(maybe(TIMES))) is None else at.isoformat(),  # None: now
        }
        steps.append(("deployment", ({k: v for k, v in metadata.items() if v is not None}, refs)))
    for index in range(draw(st.integers(0, 4))):
        fields = {
            "title": draw(single_line(200)),
            "priority": draw(st.sampled_from(["high", "medium", "low"])),
            "status": draw(st.sampled_from(["planned", "approved", "in_progress", "completed"])),
            "target_quarter": f"{draw(st.integers(2000, 2100))}-Q{draw(st.integers(1, 4))}",
            "description": draw(maybe(MULTILINE.filter(lambda text: len(text) <= 2000))),
            "requires_principles": draw(st.lists(single_line(200), max_size=3)),
            "depends_on": draw(st.lists(st.integers(0, index - 1), unique=True)) if index else [],
        }
        steps.append(("enhancement", fields))
    for prompt in draw(st.lists(session_prompt(), max_size=3)):
        steps.append(("prompt", prompt))
    return {"steps": steps}


def create(app: App, steps: list[tuple[str, Any]]) -> None:
    item_ids: list[str] = []
    enhancement_ids: list[str] = []
    for kind, value in steps:
        if kind == "vendor":
            app.vendors.create("gen", NewVendor(**value))
        elif kind == "item":
            fields, parent = value
            given_fields = {k: v for k, v in fields.items() if v is not None}
            parent_id = None if parent is None else item_ids[parent]
            item_ids.append(
                app.work_items.create("gen", validated(NewWorkItem, {**given_fields, "parent_id": parent_id}))["id"]
            )
        elif kind == "deployment":
            metadata, refs = value
            draft = {
                "metadata": metadata,
                "vendor_names": refs["vendor_names"],
                "work_item_ids": [item_ids[i] for i in refs["items"]],
            }
            if refs["timestamp"] is not None:
                draft["timestamp"] = refs["timestamp"]
            app.deployments.record("gen", validated(NewDeployment, draft))
        elif kind == "enhancement":
            fields = {**value, "depends_on": [enhancement_ids[i] for i in value["depends_on"]]}
            enhancement_ids.append(app.enhancements.create("gen", validated(NewEnhancement, fields))["id"])
        else:
            app.session_prompts.record("gen", value["session_id"], value["content"])


@pytest.fixture(scope="module", params=BACKENDS)
def new_database(request: pytest.FixtureRequest) -> Callable[[Path], str]:
    """Gives a new, empty database of the backend for each example (Hypothesis runs every
    example within one call of the test, so a function-scoped database would be shared)."""
    if request.param == "sqlite":
        return lambda directory: f"sqlite:///{directory / uuid.uuid4().hex}.db"
    cluster = request.getfixturevalue("pg_cluster")
    return lambda _directory: fresh_postgres_database(cluster)


@settings(max_examples=25, deadline=None, database=None)
@given(generated=project())
def test_write_migrate_write_is_the_identity(new_database: Callable[[Path], str], generated: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory(prefix="sb-roundtrip-") as tmp:
        status_file = str(Path(tmp) / ".project_status.md")  # the file migrated lies in the apps' project
        source = build_app(Settings(database_url=new_database(Path(tmp)), markdown_path=status_file))
        target = build_app(Settings(database_url=new_database(Path(tmp)), markdown_path=status_file))
        try:
            create(source, generated["steps"])
            written = source.status.generate("markdown")["markdown"]
            path = Path(tmp) / ".project_status.md"
            path.write_text(written, encoding="utf-8")
            report = target.migration.migrate("migrator", str(path))
            assert report["success"] and report["errors"] == [], report["errors"]
            assert target.status.generate("markdown")["markdown"] == written

            rows = row_counts(source)
            again = source.migration.migrate("migrator", str(path))  # into the database it came from
            assert again["success"] and again["errors"] == [], (again["errors"], again["reconciliation"])
            assert set(again["imported"].values()) == {0}
            assert row_counts(source) == rows
            assert source.status.generate("markdown")["markdown"] == written
        finally:
            source.close()
            target.close()
