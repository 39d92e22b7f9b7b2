"""Project records under concurrent writers in separate processes, each with its own MCP server."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from statusboard.wiring import App
from tests.concurrency import workers
from tests.concurrency.harness import CTX, all_changes, job, run_workers

WRITERS = 4
ROUNDS = 15


@pytest.mark.timeout(300)
def test_one_vendor_name_one_creator_and_one_winner_per_version(database_url: str, app: App, tmp_path: Path) -> None:
    sync = {"create": CTX.Barrier(WRITERS), "update": CTX.Barrier(WRITERS)}
    names = [f"writer-{i}" for i in range(WRITERS)]
    plan = [
        (workers.race_vendor, job(name, database_url, tmp_path, {"rounds": ROUNDS, "index": i}, sync))
        for i, name in enumerate(names)
    ]

    histories = run_workers(plan, deadline_s=240)

    for round_no in range(ROUNDS):
        creates = [e for name in names for e in histories[name] if e["op"] == "create" and e["round"] == round_no]
        updates = [e for name in names for e in histories[name] if e["op"] == "update" and e["round"] == round_no]
        assert Counter(e["outcome"] for e in creates) == {"ok": 1, "ValidationError": WRITERS - 1}, creates
        assert Counter(e["outcome"] for e in updates) == {"ok": 1, "VersionConflictError": WRITERS - 1}, updates
        (created,) = [e for e in creates if e["outcome"] == "ok"]
        (won,) = [e for e in updates if e["outcome"] == "ok"]
        vendor = app.vendors.query(f"VENDOR_{round_no}")
        assert (vendor["name"], vendor["version"], vendor["status"]) == (created["name"], 2, won["sent"])
    assert app.vendors.list()["total_count"] == ROUNDS
    logged = Counter(c["op"] for c in all_changes(app) if c["entity"] == "vendor")
    assert logged == {"create": ROUNDS, "update": ROUNDS}
