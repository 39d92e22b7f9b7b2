"""Several processes update one item naming the same version at the same moment: one wins.

Three worker processes, each with its own `statusboard mcp` server, keep their clients
open across many rounds. In every round all three read the item (so all hold the same
version), meet at a barrier, and update it at once with their own title and branch.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from statusboard.domain.work_items import NewWorkItem
from statusboard.wiring import App
from tests.concurrency import workers
from tests.concurrency.harness import CTX, all_changes, job, run_workers

RACERS = ["racer-1", "racer-2", "racer-3"]
ROUNDS = 30


@pytest.mark.timeout(300)
def test_three_concurrent_updates_with_same_version_exactly_one_wins(
    database_url: str, app: App, tmp_path: Path
) -> None:
    item = app.work_items.create("seeder", NewWorkItem(item_type="task", title="contested"))
    params = {"item_id": item["id"], "rounds": ROUNDS}
    sync = {"start": CTX.Barrier(len(RACERS)), "go": CTX.Barrier(len(RACERS))}
    plan = [(workers.race_same_version, job(name, database_url, tmp_path, params, sync)) for name in RACERS]

    histories = run_workers(plan, deadline_s=180)

    winners: list[dict[str, object]] = []
    for round_no in range(ROUNDS):
        reads = {name: _one(histories[name], "read", round_no) for name in RACERS}
        writes = {name: _one(histories[name], "write", round_no) for name in RACERS}
        seen = {(r["version"], r["title"]) for r in reads.values()}
        assert len(seen) == 1, f"round {round_no}: the racers read different states: {seen}"
        version = 1 + round_no
        assert {r["version"] for r in reads.values()} == {version}
        if winners:  # the item holds the previous round's winner's change, and only that
            previous = winners[-1]
            assert {(r["title"], r["updated_by"]) for r in reads.values()} == {
                (previous["sent_title"], previous["name"])
            }

        outcomes = Counter(w["outcome"] for w in writes.values())
        assert outcomes == {"ok": 1, "VersionConflictError": 2}, f"round {round_no}: {writes}"
        (winner,) = [{**w, "name": n} for n, w in writes.items() if w["outcome"] == "ok"]
        assert (winner["sent"], winner["version"]) == (version, version + 1)
        assert (winner["title"], winner["updated_by"]) == (winner["sent_title"], winner["name"])
        assert winner["branch_name"] == f"r{round_no}-{winner['name']}"
        for loser in (w for w in writes.values() if w["outcome"] != "ok"):
            assert (loser["sent"], loser["expected_version"], loser["version"]) == (version, version, version + 1)
            assert loser["current_title"] == winner["sent_title"]
        winners.append(winner)

    final = app.work_items.query(item["id"])
    last = winners[-1]
    assert final["version"] == ROUNDS + 1
    assert (final["title"], final["branch_name"], final["updated_by"]) == (
        last["sent_title"],
        f"r{ROUNDS - 1}-{last['name']}",
        last["name"],
    )
    updates = [c for c in all_changes(app) if c["entity_id"] == item["id"] and c["op"] == "update"]
    assert [(c["version"], c["actor"], c["fields"]["title"]) for c in updates] == [
        (w["version"], w["name"], w["sent_title"]) for w in winners
    ]


def _one(history: list[dict[str, object]], op: str, round_no: int) -> dict[str, object]:
    (entry,) = [e for e in history if e["op"] == op and e["round"] == round_no]
    return entry
