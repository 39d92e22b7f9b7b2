"""The status kept part by part: after every kind of write it equals a status built from scratch.

`StatusService` keeps the parts of the last status it built and, when the change log moves
on, rebuilds only the parts whose entities the new entries name. Each test below warms a
service up, writes, and compares what the service answers (JSON first, then the file, so
that a part rebuilt for the JSON and a file section left stale are both exercised, then
the file straight after another write) with a new service's answer on the same database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from statusboard.config import Settings
from statusboard.domain.clock import SystemClock
from statusboard.domain.deployments import NewDeployment
from statusboard.domain.enhancements import EnhancementChanges, NewEnhancement
from statusboard.domain.project_configuration import ConfigurationChanges
from statusboard.domain.validation import validated
from statusboard.domain.vendors import NewVendor
from statusboard.domain.work_items import NewWorkItem, WorkItemChanges
from statusboard.services.status import StatusService
from statusboard.services.status_parts import FILE_SECTIONS, SUMMARY, VENDORS_FILE, VendorSection, stale
from statusboard.wiring import App, build_app
from tests.support.clock import ManualClock

ACTOR = "tester"
METADATA = {
    "test_results": {"passing": 3, "total": 4, "skipped": 1},
    "format_support": {"excel": True, "csv": False, "pdf": True, "ocr": False},
    "extractor_version": "0.9.1",
    "manifest_compliant": False,
}


@dataclass
class Seeded:
    vendors: list[str] = field(default_factory=list)
    projects: list[str] = field(default_factory=list)
    sessions: list[str] = field(default_factory=list)
    tasks: list[str] = field(default_factory=list)
    enhancements: list[str] = field(default_factory=list)


def seed(app: App) -> Seeded:
    seeded = Seeded()
    for i in range(6):
        metadata = METADATA if i % 2 else {}
        status = "broken" if i % 3 == 0 else "operational"
        app.vendors.create(ACTOR, NewVendor(name=f"Vendor_{i}", status=status, metadata=metadata))
        seeded.vendors.append(f"Vendor_{i}")
    for p in range(2):
        project = app.work_items.create(ACTOR, NewWorkItem(item_type="project", title=f"Project {p}"))
        seeded.projects.append(project["id"])
        for s in range(2):
            session = _item(app, "session", f"Session {p}.{s}", project["id"], "high")
            seeded.sessions.append(session)
            for t in range(2):
                seeded.tasks.append(_item(app, "task", f"Task {p}.{s}.{t}\nsecond line", session, "low"))
    for i in range(3):
        fields = {"title": f"Enhancement {i}", "priority": "medium", "target_quarter": "2026-Q2"}
        draft = {**fields, "depends_on": seeded.enhancements[-1:]}
        seeded.enhancements.append(app.enhancements.create(ACTOR, validated(NewEnhancement, draft))["id"])
    _deploy(app, seeded, 0)
    app.session_prompts.record(ACTOR, "session-1", prompt("session-1", "# A prompt"))
    return seeded


def prompt(session_id: str, text: str) -> str:
    return f"---\nsession_id: {session_id}\nschema_version: 1.0\n---\n{text}\n"


def _item(app: App, item_type: str, title: str, parent: str, priority: str) -> str:
    draft = NewWorkItem(item_type=item_type, title=title, parent_id=parent, metadata={"priority": priority})
    return str(app.work_items.create(ACTOR, draft)["id"])


def _deploy(app: App, seeded: Seeded, n: int) -> None:
    metadata = {"pr_number": 200 + n, "pr_title": f"Deploy {n}", "commit_hash": f"{n:040x}"}
    draft = {
        "metadata": {**metadata, "test_summary": {"passed": 3, "failed": n}, "constitutional_compliance": True},
        "timestamp": (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=n)).isoformat(),
        "vendor_names": [seeded.vendors[n % 6], seeded.vendors[(n + 3) % 6]],
        "work_item_ids": [seeded.tasks[n % len(seeded.tasks)]],
    }
    app.deployments.record(ACTOR, validated(NewDeployment, draft))


def _version(app: App, item_id: str) -> int:
    return int(app.work_items.query(item_id)["version"])


# Each write takes the app, what was seeded and a round number (each kind is written twice).
Write = Callable[[App, Seeded, int], Any]


def _update_vendor(app: App, seeded: Seeded, n: int) -> None:
    name = seeded.vendors[1]
    vendor = app.vendors.query(name)
    status = "broken" if vendor["status"] == "operational" else "operational"
    metadata = {"test_results": {"passing": n, "total": 5, "skipped": 0}, "extractor_version": f"2.{n}.0"}
    app.vendors.update_status(ACTOR, name, vendor["version"], status=status, metadata=metadata)


def _update_item(app: App, seeded: Seeded, n: int) -> None:
    item = seeded.tasks[n]
    changes = WorkItemChanges(title=f"Renamed {n}", status="blocked", metadata={"priority": "medium"})
    app.work_items.update(ACTOR, item, _version(app, item), changes)


def _move_session(app: App, seeded: Seeded, n: int) -> None:
    """A session and its tasks go to the other project: the tree's order changes."""
    session = seeded.sessions[0]
    changes = WorkItemChanges(parent_id=seeded.projects[(n + 1) % 2])
    app.work_items.update(ACTOR, session, _version(app, session), changes)


def _delete_item(app: App, seeded: Seeded, n: int) -> None:
    item = seeded.tasks[-1 - n]
    app.work_items.delete(ACTOR, item, _version(app, item))


def _claim_and_release(app: App, seeded: Seeded, n: int) -> None:
    claim = app.claims.claim(ACTOR, seeded.tasks[n], 60)
    app.claims.renew(ACTOR, seeded.tasks[n], claim["claim_token"], 120)
    app.claims.release(ACTOR, seeded.tasks[n], claim["claim_token"])


def _update_enhancement(app: App, seeded: Seeded, n: int) -> None:
    (enhancement,) = [e for e in app.enhancements.list()["enhancements"] if e["id"] == seeded.enhancements[2]]
    depends_on = [] if n else [seeded.enhancements[0]]
    changes = EnhancementChanges(status="completed" if n else "in_progress", depends_on=depends_on)
    app.enhancements.update(ACTOR, enhancement["id"], enhancement["version"], changes)


def _configure(app: App, seeded: Seeded, n: int) -> None:
    config = app.configuration.get()
    app.configuration.update(ACTOR, config["version"], ConfigurationChanges(git_dirty=n % 2 == 0))


WRITES: dict[str, Write] = {
    "vendor created": lambda app, s, n: app.vendors.create(ACTOR, NewVendor(name=f"aaa_{n}", metadata=METADATA)),
    "vendor updated": _update_vendor,
    "work item created": lambda app, s, n: _item(app, "task", f"New task {n}", s.sessions[n], "high"),
    "work item updated": _update_item,
    "work item moved": _move_session,
    "work item deleted": _delete_item,
    "work item claimed and released": _claim_and_release,
    "dependency added": lambda app, s, n: app.dependencies.add(ACTOR, s.tasks[n], s.tasks[n + 2], "depends_on"),
    "deployment recorded": lambda app, s, n: _deploy(app, s, n + 1),
    "enhancement created": lambda app, s, n: app.enhancements.create(
        ACTOR, validated(NewEnhancement, {"title": f"Later {n}", "priority": "low", "target_quarter": "2027-Q1"})
    ),
    "enhancement updated": _update_enhancement,
    "session prompt recorded": lambda app, s, n: app.session_prompts.record(ACTOR, f"s-{n}", prompt(f"s-{n}", "text")),
    "configuration updated": _configure,
}


def from_scratch(app: App) -> tuple[dict[str, Any], dict[str, Any]]:
    """The status as a service that has kept nothing builds it: (JSON, with the file)."""
    service = StatusService(app.db, SystemClock(), app.settings.markdown_path)
    return _comparable(service.generate("json")), _comparable(service.generate("markdown"))


def _comparable(report: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in report.items() if key != "generated_at"}


def assert_follows(app: App, write: Callable[[int], Any]) -> None:
    """Warm, write, then JSON and file; write again, then the file alone: each equals a fresh build."""
    app.status.generate("markdown")
    write(0)
    json_report = _comparable(app.status.generate("json"))
    markdown_report = _comparable(app.status.generate("markdown"))
    assert (json_report, markdown_report) == from_scratch(app)
    write(1)
    markdown_report = _comparable(app.status.generate("markdown"))
    assert markdown_report == from_scratch(app)[1]


@pytest.mark.parametrize("kind", list(WRITES))
def test_the_kept_status_follows_each_kind_of_write(app: App, kind: str) -> None:
    seeded = seed(app)
    assert_follows(app, lambda n: WRITES[kind](app, seeded, n))


def test_writes_that_show_nowhere_rebuild_nothing(app: App) -> None:
    seeded = seed(app)
    before = app.status.generate("markdown")
    _configure(app, seeded, 0)
    _claim_and_release(app, seeded, 0)
    app.dependencies.add(ACTOR, seeded.tasks[0], seeded.tasks[1], "depends_on")
    after = app.status.generate("markdown")
    assert after["as_of_seq"] > before["as_of_seq"]
    assert after["markdown"] is before["markdown"]  # kept, not built again
    assert after["vendor_health"] is before["vendor_health"]


def _vendor_section(app: App) -> VendorSection:
    built = app.status._built
    assert built is not None
    section = built.parts[VENDORS_FILE]
    assert isinstance(section, VendorSection)
    return section


def test_a_vendor_update_reads_only_the_vendors_it_names_again(app: App) -> None:
    """The file's vendor section keeps a line per vendor: after updates, the lines of the vendors
    the change log names are read again, every other line is the one kept, in the same order."""
    seeded = seed(app)
    app.status.generate("markdown")
    before = _vendor_section(app)
    _update_vendor(app, seeded, 0)
    fourth = app.vendors.query(seeded.vendors[4])
    app.vendors.update_status(ACTOR, seeded.vendors[4], fourth["version"], status="broken")
    report = _comparable(app.status.generate("markdown"))
    after = _vendor_section(app)
    assert report == from_scratch(app)[1]
    updated = {app.vendors.query(seeded.vendors[n])["id"] for n in (1, 4)}
    assert list(after.lines) == list(before.lines)
    assert {vendor_id for vendor_id, line in after.lines.items() if line is not before.lines[vendor_id]} == updated
    assert after.lines.keys() - updated and all(after.lines[v] == before.lines[v] for v in after.lines.keys() - updated)


def test_the_kept_status_follows_archiving(clocked_app: App, clock: ManualClock) -> None:
    old = [clocked_app.work_items.create(ACTOR, NewWorkItem(item_type="task", title=f"Old {i}")) for i in range(3)]
    clock.advance(400 * 86400)
    seed(clocked_app)

    def archive(n: int) -> None:
        if n:  # the second round archives items created since the first
            clocked_app.work_items.create(ACTOR, NewWorkItem(item_type="task", title="Older"))
            clock.advance(400 * 86400)
        assert clocked_app.archiving.trigger(ACTOR)["archived_count"] > 0

    assert_follows(clocked_app, archive)
    markdown = clocked_app.status.generate("markdown")["markdown"]
    assert all(f"#{item['id']}" not in markdown for item in old)


def test_the_kept_status_follows_a_migration(app: App, tmp_path: Path) -> None:
    seed(app)

    def migrate(n: int) -> None:
        source = build_app(Settings(database_url=f"sqlite:///{tmp_path / f'source_{n}.db'}"))
        try:
            source.vendors.create(ACTOR, NewVendor(name=f"migrated_{n}", metadata=METADATA))
            project = source.work_items.create(ACTOR, NewWorkItem(item_type="project", title=f"Migrated {n}"))
            _item(source, "session", "Migrated session", project["id"], "low")
            draft = {"title": f"Migrated plan {n}", "priority": "high", "target_quarter": "2026-Q4"}
            source.enhancements.create(ACTOR, validated(NewEnhancement, draft))
            source.session_prompts.record(ACTOR, f"migrated-{n}", prompt(f"migrated-{n}", "migrated"))
            path = tmp_path / f"status_{n}.md"
            path.write_text(source.status.generate("markdown")["markdown"], encoding="utf-8")
        finally:
            source.close()
        assert app.migration.migrate(ACTOR, str(path))["success"]

    assert_follows(app, migrate)


def test_another_server_s_writes_are_followed(database_url: str) -> None:
    reader = build_app(Settings(database_url=database_url))
    writer = build_app(Settings(database_url=database_url))
    try:
        seeded = seed(writer)
        reader.status.generate("markdown")
        for n, kind in enumerate(("vendor updated", "work item moved", "deployment recorded")):
            WRITES[kind](writer, seeded, n)
            assert _comparable(reader.status.generate("markdown")) == from_scratch(reader)[1]
    finally:
        reader.close()
        writer.close()


ENTITIES = ("vendor", "work_item", "deployment", "enhancement", "session_prompt")


def test_which_parts_a_write_makes_stale() -> None:
    every = {part.name for part in SUMMARY + FILE_SECTIONS}
    assert stale([]) == frozenset()
    assert stale([("project_configuration", "update"), ("dependency", "create")]) == frozenset()
    assert stale([("work_item", "claim"), ("work_item", "renew"), ("work_item", "release")]) == frozenset()
    assert stale([("vendor", "update")]) == {"vendor_health", "file:vendors"}
    assert stale([("work_item", "release"), ("work_item", "update")]) == {"active_work_items", "file:work_items"}
    assert stale([("work_item", "archive")]) == {"active_work_items", "file:work_items"}
    assert stale([("deployment", "create")]) == {"recent_deployments", "file:deployments"}
    assert stale([("enhancement", "import"), ("session_prompt", "import")]) == {
        "pending_enhancements",
        "file:enhancements",
        "file:prompts",
    }
    assert stale([("something_new", "create")]) is None
    assert stale([(entity, "create") for entity in ENTITIES]) == every
