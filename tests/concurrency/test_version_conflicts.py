"""Several processes update one item naming the same version at the same moment: one wins.

Three worker processes, each with its own `statusboard mcp` server, keep their clients
open across many rounds. In every round all three read the item (so all hold the same
version), meet at a barrier, and update it at once with their own title and branch.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from statusboard.domain.work_items import NewWorkItem
from statusboard.wiring import App
from tests.concurrency import workers
from tests.concurrency.checks import check_same_version_race
from tests.concurrency.harness import CTX, job, run_workers

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

    check_same_version_race(app, item["id"], histories, RACERS, ROUNDS)
