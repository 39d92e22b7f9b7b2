"""The board's data sets: bench/records.py's loader (the seed, or 100 times it), then a few
writes through the services by several agents, so that the board has what it shows at work:
live claims with leases running, items waiting on others, a blocked item with its reason, a
vendor gone broken, a fresh deployment, and a change feed.

Used by bench/board.py and by scripts/board-screenshot. Not for tests (they seed what they check).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from bench.records import DATA_SETS, SEED, DataSet, load
from statusboard.domain.deployments import NewDeployment
from statusboard.domain.validation import validated
from statusboard.domain.work_items import WorkItemChanges
from statusboard.storage.repositories.work_items import ListFilter
from statusboard.wiring import App

AGENTS = ("claude-1", "copilot", "cursor", "claude-2")
DATA = {data.name: data for data in DATA_SETS}


@dataclass
class Seeded:
    data: DataSet
    vendor_names: list[str]
    claimed: list[str] = field(default_factory=list)
    open_tasks: list[str] = field(default_factory=list)


def seed(app: App, name: str = "seed") -> Seeded:
    data = DATA[name]
    rng = random.Random(SEED)
    seeded = Seeded(data, load(app.db.engine, data, rng))
    scale = max(1, data.items // 50)
    tasks = _tasks(app, "active")
    seeded.open_tasks = [task["id"] for task in tasks]
    for n, task in enumerate(tasks[: 4 * scale]):
        agent = AGENTS[n % len(AGENTS)]
        app.claims.claim(agent, task["id"], lease_seconds=600 + 900 * (n % 4))
        seeded.claimed.append(task["id"])
    waiting = tasks[4 * scale :]
    for n in range(min(2 * scale, len(waiting) // 2)):
        app.dependencies.add(AGENTS[n % 4], waiting[2 * n]["id"], waiting[2 * n + 1]["id"], "depends_on")
    for n, task in enumerate(_tasks(app, "blocked")[: 1 * scale]):
        reason = "waiting for the vendor's new API keys" if n % 2 == 0 else "needs a decision on the schema"
        _update(app, AGENTS[(n + 1) % 4], task, {"metadata": {"blocked_reason": reason}})
    for n, task in enumerate(tasks[len(tasks) - 2 * scale :]):
        _update(app, AGENTS[(n + 2) % 4], task, {"status": "completed"})
    for n in range(scale):
        vendor = app.vendors.query(seeded.vendor_names[3 * n + 1])
        results = {"passing": 7, "total": 12, "skipped": 1}
        app.vendors.update_status("copilot", vendor["name"], vendor["version"], "broken", {"test_results": results})
    metadata = {
        "pr_number": 900,
        "pr_title": "Parse multi-sheet Excel exports",
        "commit_hash": "4f3c2a1b9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b",
        "test_summary": {"passed": 212, "failed": 0, "skipped": 3},
        "constitutional_compliance": True,
    }
    draft = {"metadata": metadata, "vendor_names": seeded.vendor_names[1:3], "work_item_ids": seeded.claimed[:1]}
    app.deployments.record("claude-1", validated(NewDeployment, draft))
    return seeded


def _tasks(app: App, status: str) -> list[dict[str, Any]]:
    page = app.work_items.list(ListFilter(item_type="task", status=status), limit=10_000)
    return list(page["items"])


def _update(app: App, actor: str, item: dict[str, Any], changes: dict[str, Any]) -> None:
    current = app.work_items.query(item["id"])
    app.work_items.update(actor, item["id"], current["version"], validated(WorkItemChanges, changes))
