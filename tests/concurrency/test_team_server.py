"""A team deployment: two `statusboard serve` processes on one PostgreSQL, each agent a separate
client process with its own token, the clients split between the servers. The races that hold
for stdio servers hold here, checked by the same checkers (checks.py):

- the version race: 4 agents update one item naming the same version, 30 rounds: one wins each;
- the claim race: 8 agents claim one item at once, 200 rounds: one holds it each;
- the drain: 8 agents claim-next 500 ready items: each is claimed, and completed, once.

Every client declares the SDK's default name ("mcp"): only the tokens tell the agents apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from statusboard.domain.work_items import NewWorkItem
from statusboard.wiring import App
from tests.concurrency import claim_workers, workers
from tests.concurrency.checks import check_drained_once_each, check_one_claim_per_round, check_same_version_race
from tests.concurrency.harness import CTX, job, run_workers
from tests.concurrency.workers import Job, Scenario
from tests.http.processes import command_env, serve

pytestmark = [pytest.mark.slow, pytest.mark.parametrize("backend", ["postgresql"])]
SERVERS = 2


@pytest.fixture
def servers(database_url: str, app: App, tmp_path: Path) -> Iterator[list[str]]:
    """Two `statusboard serve --auth tokens` on the test's PostgreSQL database, each with its own
    cache, status file and working directory, as they would run on two hosts."""
    with ExitStack() as running:
        urls = []
        for n in range(SERVERS):
            home = tmp_path / f"server-{n}"
            home.mkdir()
            env = command_env(
                database_url,
                STATUSBOARD_CACHE_PATH=str(home / "cache.db"),
                STATUSBOARD_MARKDOWN_PATH=str(home / "project_status.md"),
                STATUSBOARD_GIT_REPO=str(home),
            )
            urls.append(running.enter_context(serve("--auth", "tokens", env=env, cwd=home)).url)
        yield urls


def _plan(
    app: App, scenario: Scenario, names: list[str], urls: list[str], tmp_path: Path, params: dict, sync: dict
) -> list[tuple[Scenario, Job]]:
    """One job per agent, registered now with its own token, on the servers in turn."""
    plan = []
    for n, name in enumerate(names):
        token = app.agents.add(name, "agent").token
        server = (urls[n % SERVERS], token)
        plan.append((scenario, job(name, app.settings.database_url, tmp_path, params, sync, http=server)))
    return plan


def _tasks(app: App, count: int, prefix: str) -> list[str]:
    return [
        app.work_items.create("planner", NewWorkItem(item_type="task", title=f"{prefix} {n}"))["id"]
        for n in range(count)
    ]


@pytest.mark.timeout(420)
def test_two_servers_four_agents_one_version_exactly_one_wins_each_round(
    app: App, servers: list[str], tmp_path: Path
) -> None:
    racers, rounds = [f"racer-{n}" for n in range(4)], 30
    item = app.work_items.create("seeder", NewWorkItem(item_type="task", title="contested"))
    sync = {"start": CTX.Barrier(len(racers)), "go": CTX.Barrier(len(racers))}
    params = {"item_id": item["id"], "rounds": rounds}
    plan = _plan(app, workers.race_same_version, racers, servers, tmp_path, params, sync)

    histories = run_workers(plan, deadline_s=360)

    check_same_version_race(app, item["id"], histories, racers, rounds)


@pytest.mark.timeout(420)
def test_two_servers_eight_agents_race_for_one_item_and_exactly_one_holds_it(
    app: App, servers: list[str], tmp_path: Path
) -> None:
    racers = [f"agent-{n}" for n in range(8)]
    item_ids = _tasks(app, 200, "contested")
    sync = {"go": CTX.Barrier(len(racers))}
    plan = _plan(app, claim_workers.race_for_one_item, racers, servers, tmp_path, {"item_ids": item_ids}, sync)

    histories = run_workers(plan, deadline_s=360)

    winners = check_one_claim_per_round(app, item_ids, histories, racers)
    assert {racers.index(name) % SERVERS for name in winners} == {0, 1}, "one server's agents won every round"


@pytest.mark.timeout(420)
def test_two_servers_eight_agents_drain_500_ready_items_each_claimed_once(
    app: App, servers: list[str], tmp_path: Path
) -> None:
    drainers = [f"drainer-{n}" for n in range(8)]
    item_ids = _tasks(app, 500, "ready")
    sync = {"start": CTX.Barrier(len(drainers))}
    plan = _plan(app, claim_workers.drain_ready_items, drainers, servers, tmp_path, {"max_claims": 600}, sync)

    histories = run_workers(plan, deadline_s=360)

    check_drained_once_each(app, item_ids, histories)
