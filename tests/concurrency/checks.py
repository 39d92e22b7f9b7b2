"""The checks of the race histories, shared by the stdio tests and the team-server test
(tests/concurrency/test_team_server.py): the same races, the same verdicts, whatever the transport."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from statusboard.storage.repositories import claims as claims_repo
from statusboard.wiring import App
from tests.concurrency.harness import all_changes
from tests.concurrency.workers import History


def check_same_version_race(
    app: App, item_id: str, histories: dict[str, History], racers: Sequence[str], rounds: int
) -> None:
    """Each round of workers.race_same_version: all read one state, exactly one write won, the
    losers were told the winner's change; the item and the change log hold the winners only."""
    winners: list[dict[str, Any]] = []
    for round_no in range(rounds):
        reads = {name: _one(histories[name], "read", round_no) for name in racers}
        writes = {name: _one(histories[name], "write", round_no) for name in racers}
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
        assert outcomes == {"ok": 1, "VersionConflictError": len(racers) - 1}, f"round {round_no}: {writes}"
        (winner,) = [{**w, "name": n} for n, w in writes.items() if w["outcome"] == "ok"]
        assert (winner["sent"], winner["version"]) == (version, version + 1)
        assert (winner["title"], winner["updated_by"]) == (winner["sent_title"], winner["name"])
        assert winner["branch_name"] == f"r{round_no}-{winner['name']}"
        for loser in (w for w in writes.values() if w["outcome"] != "ok"):
            assert (loser["sent"], loser["expected_version"], loser["version"]) == (version, version, version + 1)
            assert loser["current_title"] == winner["sent_title"]
        winners.append(winner)

    final = app.work_items.query(item_id)
    last = winners[-1]
    assert final["version"] == rounds + 1
    assert (final["title"], final["branch_name"], final["updated_by"]) == (
        last["sent_title"],
        f"r{rounds - 1}-{last['name']}",
        last["name"],
    )
    updates = [c for c in all_changes(app) if c["entity_id"] == item_id and c["op"] == "update"]
    assert [(c["version"], c["actor"], c["fields"]["title"]) for c in updates] == [
        (w["version"], w["name"], w["sent_title"]) for w in winners
    ]


def check_one_claim_per_round(
    app: App, item_ids: Sequence[str], histories: dict[str, History], racers: Sequence[str]
) -> Counter[str]:
    """Each round of claim_workers.race_for_one_item: exactly one claim won, the others were
    told who holds it and until when, and the item's claim history is that one claim.
    Gives the rounds each racer won."""
    winners: Counter[str] = Counter()
    for round_no, item_id in enumerate(item_ids):
        entries = {name: histories[name][round_no] for name in racers}
        outcomes = Counter(entry["outcome"] for entry in entries.values())
        assert outcomes == {"ok": 1, "ClaimConflictError": len(racers) - 1}, f"round {round_no}: {entries}"
        (winner,) = [name for name, entry in entries.items() if entry["outcome"] == "ok"]
        won = entries[winner]
        assert won["holder"] == winner and won["token"]
        for entry in entries.values():  # the losers were told who holds it, and until when
            assert (entry["holder"], entry["expires_at"]) == (winner, won["expires_at"])
        with app.db.engine.connect() as conn:
            history = claims_repo.history(conn, item_id)
        assert [(c["holder"], c["epoch"], c["ended_at"]) for c in history] == [(winner, 1, None)]
        winners[winner] += 1
    assert sum(winners.values()) == len(item_ids)
    return winners


def check_drained_once_each(app: App, item_ids: Sequence[str], histories: dict[str, History]) -> None:
    """After claim_workers.drain_ready_items: every item was claimed exactly once and completed by
    its holder, by more than one worker, and nothing is left ready."""
    claimed = [(name, e["item"]) for name, h in histories.items() for e in h if e["op"] == "claim"]
    per_item = Counter(item for _, item in claimed)
    assert set(per_item) == set(item_ids), "an item was never claimed"
    assert max(per_item.values()) == 1, f"claimed twice: {[i for i, n in per_item.items() if n > 1]}"
    assert all(h[-1]["op"] == "complete" or h[-1]["op"] == "nothing_ready" for h in histories.values())
    completions = [e for h in histories.values() for e in h if e["op"] == "complete"]
    assert len(completions) == len(item_ids) and {e["outcome"] for e in completions} == {"ok"}
    assert app.claims.list_ready(limit=500)["items"] == []
    holders = {name for name, _ in claimed}
    assert len(holders) > 1, "one process took everything: the others were not claiming in parallel"
    with app.db.engine.connect() as conn:
        for name, item_id in claimed:
            (only,) = claims_repo.history(conn, item_id)
            assert (only["holder"], only["end_reason"]) == (name, "completed")


def _one(history: History, op: str, round_no: int) -> dict[str, Any]:
    (entry,) = [e for e in history if e["op"] == op and e["round"] == round_no]
    return entry
