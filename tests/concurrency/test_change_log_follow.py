"""A client following the change log while others write sees every entry, in order, once."""

from __future__ import annotations

from pathlib import Path

import pytest

from statusboard.wiring import App
from tests.concurrency import workers
from tests.concurrency.harness import CTX, all_changes, job, run_workers

WRITERS = 4
CREATES = 40


@pytest.mark.timeout(300)
def test_follower_polling_during_concurrent_writes_misses_no_change(
    database_url: str, app: App, tmp_path: Path
) -> None:
    sync = {"start": CTX.Barrier(WRITERS + 1)}
    total = WRITERS * CREATES
    plan = [
        (workers.create_items, job(f"writer-{n}", database_url, tmp_path, {"count": CREATES}, sync))
        for n in range(WRITERS)
    ]
    plan.append(
        (
            workers.follow_change_log,
            job("follower", database_url, tmp_path, {"expected": total, "max_polls": 20 * total}, sync),
        )
    )

    histories = run_workers(plan, deadline_s=240)

    created = {e["item"] for name, h in histories.items() if name != "follower" for e in h if e["outcome"] == "ok"}
    assert len(created) == total
    followed = [e["seq"] for e in histories["follower"]]
    assert followed == sorted(followed) and len(followed) == len(set(followed)), "seq went backwards or repeated"
    log = all_changes(app)
    assert [c["seq"] for c in log] == followed, "the follower skipped entries that committed behind its position"
    assert {c["entity_id"] for c in log} == created
    polls = {e["poll"] for e in histories["follower"]}
    assert len(polls) > 1, "the follower read everything in one poll: it did not overlap the writers"
