"""Claims and leases against a real database, on SQLite and PostgreSQL, with a hand-moved clock."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from statusboard.domain.errors import ClaimConflictError, LeaseExpiredError, NotFoundError, ValidationError
from statusboard.domain.work_items import NewWorkItem, WorkItemChanges
from statusboard.storage.repositories import claims as claims_repo
from statusboard.storage.repositories import work_items as items_repo
from statusboard.storage.tables import work_item_claims, work_items
from statusboard.wiring import App
from tests.support.clock import ManualClock
from tests.support.locks import wait_until_locks_are_awaited

LEASE = 60


def task(app: App, title: str, **fields: Any) -> dict[str, Any]:
    draft = NewWorkItem(item_type=fields.pop("item_type", "task"), title=title, **fields)
    return app.work_items.create("planner", draft)


def changes(**fields: Any) -> WorkItemChanges:
    return WorkItemChanges.model_validate(fields)


def claim(app: App, actor: str, item_id: str | None = None, lease: int = LEASE) -> dict[str, Any]:
    return app.claims.claim(actor, item_id, lease)


def ready_titles(app: App, **kwargs: Any) -> list[str]:
    return [item["title"] for item in app.claims.list_ready(**kwargs)["items"]]


def test_claim_returns_the_item_with_token_holder_and_expiry(clocked_app: App, clock: ManualClock) -> None:
    item = task(clocked_app, "T1")
    claimed = claim(clocked_app, "agent-a", item["id"])
    assert claimed["claimed"] is True
    assert claimed["id"] == item["id"] and claimed["version"] == item["version"]
    assert claimed["holder"] == "agent-a"
    assert claimed["epoch"] == 1 and claimed["claim_token"].startswith("1.")
    assert claimed["expires_at"] == (clock.now() + timedelta(seconds=LEASE)).isoformat()


class _LateTurnClock(ManualClock):
    """Moves on by `late_s` right after the claim's first reading: its write starts that late."""

    def __init__(self, late_s: float) -> None:
        super().__init__()
        self.late_s = late_s
        self.readings = 0

    def now(self) -> Any:
        self.readings += 1
        if self.readings == 2:
            self.advance(self.late_s)
        return super().now()


@pytest.mark.parametrize("late_s", [0.005, 5.0], ids=["within-the-slack", "late"])
def test_a_claim_written_late_starts_its_lease_when_it_is_written(clocked_app: App, late_s: float) -> None:
    """The fast claim is made before its write (outside SQLite's writer turn); a write that starts
    late (a long wait for the turn, a retry) takes the time again, so no lease is granted already
    partly spent. Within the slack, the first reading stands."""
    item = task(clocked_app, "T1")
    clock = _LateTurnClock(late_s)
    start = clock.now()
    clock.readings = 0
    clocked_app.claims._clock = clock
    claimed = claim(clocked_app, "agent-a", item["id"])
    with clocked_app.db.engine.connect() as conn:
        claims = select(work_item_claims.c.claimed_at).where(work_item_claims.c.work_item_id == item["id"])
        claimed_at = conn.execute(claims).scalar_one()
    granted = start + timedelta(seconds=late_s) if late_s > 1 else start
    assert claimed["expires_at"] == (granted + timedelta(seconds=LEASE)).isoformat()
    assert claimed_at.replace(tzinfo=None) == granted.replace(tzinfo=None)


@pytest.mark.parametrize("fraction", [0, 0.12], ids=["whole-seconds", "trailing-zeros"])
def test_claim_answers_the_item_exactly_as_it_is_stored(clocked_app: App, clock: ManualClock, fraction: float) -> None:
    clock.advance(fraction)
    parent = task(clocked_app, "the project", item_type="project")
    metadata = {"research_questions": ["why?", 'ünï \\ "quoted"'], "findings_summary": "none yet"}
    fields = {"metadata": metadata, "pr_number": 7, "branch_name": "feature/x", "item_type": "research"}
    item = task(clocked_app, 'Ünïcode "quoted" \\ title', parent_id=parent["id"], **fields)
    claimed = claim(clocked_app, "agent-a", item["id"])
    with clocked_app.db.engine.connect() as conn:
        stored = items_repo.get(conn, item["id"])
    assert stored is not None
    assert list(claimed) == [*stored, "claim", "claimed", "claim_token", "holder", "epoch", "expires_at"]
    assert {key: claimed[key] for key in stored} == stored
    assert item == {**stored, "claim": None}
    assert claimed["claim"] == {"holder": "agent-a", "expires_at": claimed["expires_at"]}


def test_second_claimant_gets_claim_conflict_with_holder_and_expiry(clocked_app: App) -> None:
    item = task(clocked_app, "T1")
    first = claim(clocked_app, "agent-a", item["id"])
    with pytest.raises(ClaimConflictError) as refused:
        claim(clocked_app, "agent-b", item["id"])
    assert refused.value.details == {"holder": "agent-a", "expires_at": first["expires_at"]}


def test_holder_claiming_again_with_its_token_gets_the_same_claim(clocked_app: App) -> None:
    item = task(clocked_app, "T1")
    first = claim(clocked_app, "agent-a", item["id"])
    again = clocked_app.claims.claim("agent-a", item["id"], LEASE, claim_token=first["claim_token"])
    assert again["claim_token"] == first["claim_token"] and again["expires_at"] == first["expires_at"]
    assert len(_history(clocked_app, item["id"])) == 1


def test_expired_lease_can_be_taken_by_another_with_a_new_epoch(clocked_app: App, clock: ManualClock) -> None:
    item = task(clocked_app, "T1")
    first = claim(clocked_app, "agent-a", item["id"])
    clock.advance(LEASE - 1)
    with pytest.raises(ClaimConflictError):
        claim(clocked_app, "agent-b", item["id"])
    clock.advance(1)
    second = claim(clocked_app, "agent-b", item["id"])
    assert second["holder"] == "agent-b" and second["epoch"] == 2
    assert second["claim_token"] != first["claim_token"]
    history = _history(clocked_app, item["id"])
    assert [(c["holder"], c["end_reason"]) for c in history] == [("agent-a", "expired"), ("agent-b", None)]


def test_write_with_stale_token_is_refused_with_lease_expired(clocked_app: App, clock: ManualClock) -> None:
    item = task(clocked_app, "T1")
    first = claim(clocked_app, "agent-a", item["id"])
    clock.advance(LEASE)
    claim(clocked_app, "agent-b", item["id"])
    with pytest.raises(LeaseExpiredError) as refused:
        clocked_app.work_items.update("agent-a", item["id"], 1, changes(title="late"), first["claim_token"])
    assert refused.value.details == {"holder": "agent-b"}
    assert clocked_app.work_items.query(item["id"])["title"] == "T1"


def test_write_with_expired_token_and_no_new_holder_is_refused(clocked_app: App, clock: ManualClock) -> None:
    item = task(clocked_app, "T1")
    first = claim(clocked_app, "agent-a", item["id"])
    clock.advance(LEASE + 5)
    with pytest.raises(LeaseExpiredError) as refused:
        clocked_app.work_items.update("agent-a", item["id"], 1, changes(title="late"), first["claim_token"])
    assert refused.value.details == {"holder": None}


def test_write_without_token_to_a_claimed_item_gets_claim_conflict(clocked_app: App) -> None:
    item = task(clocked_app, "T1")
    claim(clocked_app, "agent-a", item["id"])
    for writer in ("agent-b", "agent-a"):  # even the holder must show its token
        with pytest.raises(ClaimConflictError):
            clocked_app.work_items.update(writer, item["id"], 1, changes(title="x"))
    with pytest.raises(ClaimConflictError):
        clocked_app.work_items.delete("agent-b", item["id"], 1)
    assert clocked_app.work_items.query(item["id"])["version"] == 1


def test_holder_writes_with_its_token_and_reads_are_never_blocked(clocked_app: App) -> None:
    item = task(clocked_app, "T1")
    token = claim(clocked_app, "agent-a", item["id"])["claim_token"]
    updated = clocked_app.work_items.update("agent-a", item["id"], 1, changes(title="doing"), token)
    assert updated["version"] == 2 and updated["title"] == "doing"
    assert clocked_app.work_items.query(item["id"])["title"] == "doing"


def test_token_from_a_released_claim_is_refused(clocked_app: App) -> None:
    item = task(clocked_app, "T1")
    token = claim(clocked_app, "agent-a", item["id"])["claim_token"]
    assert clocked_app.claims.release("agent-a", item["id"], token)["released"] is True
    with pytest.raises(LeaseExpiredError):
        clocked_app.work_items.update("agent-a", item["id"], 1, changes(title="x"), token)
    with pytest.raises(LeaseExpiredError):
        clocked_app.claims.release("agent-a", item["id"], token)
    with pytest.raises(LeaseExpiredError):
        clocked_app.claims.renew("agent-a", item["id"], token, LEASE)
    assert claim(clocked_app, "agent-b", item["id"])["epoch"] == 2


def test_a_token_for_one_item_does_not_open_another(clocked_app: App) -> None:
    one, two = task(clocked_app, "T1"), task(clocked_app, "T2")
    token = claim(clocked_app, "agent-a", one["id"])["claim_token"]
    with pytest.raises(LeaseExpiredError):
        clocked_app.work_items.update("agent-a", two["id"], 1, changes(title="x"), token)


def test_renew_moves_the_expiry_and_keeps_others_out(clocked_app: App, clock: ManualClock) -> None:
    item = task(clocked_app, "T1")
    token = claim(clocked_app, "agent-a", item["id"])["claim_token"]
    clock.advance(LEASE - 10)
    renewed = clocked_app.claims.renew("agent-a", item["id"], token, LEASE)
    assert renewed["claim_token"] == token
    assert renewed["expires_at"] == (clock.now() + timedelta(seconds=LEASE)).isoformat()
    clock.advance(30)
    with pytest.raises(ClaimConflictError):
        claim(clocked_app, "agent-b", item["id"])
    clocked_app.work_items.update("agent-a", item["id"], 1, changes(title="still mine"), token)


def test_completing_an_item_releases_its_claim(clocked_app: App) -> None:
    item = task(clocked_app, "T1")
    token = claim(clocked_app, "agent-a", item["id"])["claim_token"]
    done = clocked_app.work_items.update("agent-a", item["id"], 1, changes(status="completed"), token)
    assert done["status"] == "completed"
    assert _history(clocked_app, item["id"])[-1]["end_reason"] == "completed"
    reopened = clocked_app.work_items.update("agent-b", item["id"], 2, changes(status="active"))
    assert reopened["version"] == 3  # no claim left: anyone may write again


def test_claims_of_missing_deleted_or_completed_items_are_refused(clocked_app: App) -> None:
    with pytest.raises(NotFoundError):
        claim(clocked_app, "agent-a", "00000000-0000-4000-8000-000000000000")
    done = task(clocked_app, "done", status="completed")
    with pytest.raises(ValidationError):
        claim(clocked_app, "agent-a", done["id"])
    gone = task(clocked_app, "gone")
    clocked_app.work_items.delete("planner", gone["id"], 1)
    with pytest.raises(ValidationError):
        claim(clocked_app, "agent-a", gone["id"])


def test_ready_work_is_active_unclaimed_with_finished_predecessors_oldest_first(
    clocked_app: App, clock: ManualClock
) -> None:
    first = task(clocked_app, "first")
    clock.advance(1)
    waits = task(clocked_app, "waits on first")
    clock.advance(1)
    blocked_by = task(clocked_app, "blocked by first")
    clock.advance(1)
    task(clocked_app, "blocked status", status="blocked")
    task(clocked_app, "done", status="completed")
    research = task(clocked_app, "research", item_type="research")
    clocked_app.dependencies.add("planner", waits["id"], first["id"], "depends_on")
    clocked_app.dependencies.add("planner", first["id"], blocked_by["id"], "blocks")
    assert ready_titles(clocked_app) == ["first", "research"]
    assert ready_titles(clocked_app, item_type="research") == ["research"]

    token = claim(clocked_app, "agent-a", first["id"])["claim_token"]
    assert ready_titles(clocked_app) == ["research"]
    clocked_app.work_items.update("agent-a", first["id"], 1, changes(status="completed"), token)
    assert ready_titles(clocked_app) == ["waits on first", "blocked by first", "research"]
    claim(clocked_app, "agent-b", research["id"], lease=5)
    clock.advance(5)
    assert ready_titles(clocked_app, limit=10)[-1] == "research"  # its lease expired
    assert ready_titles(clocked_app, limit=1) == ["waits on first"]


def test_claim_next_takes_the_oldest_ready_item_then_reports_none(clocked_app: App, clock: ManualClock) -> None:
    titles = []
    for n in range(3):
        task(clocked_app, f"T{n}")
        clock.advance(1)
    for agent in ("a", "b", "c"):
        taken = claim(clocked_app, agent)
        titles.append(taken["title"])
    assert titles == ["T0", "T1", "T2"]
    assert claim(clocked_app, "d") == {"claimed": False}


def test_claim_next_by_type(clocked_app: App) -> None:
    task(clocked_app, "a task")
    task(clocked_app, "a question", item_type="research")
    assert clocked_app.claims.claim("agent", None, LEASE, "research")["title"] == "a question"
    assert clocked_app.claims.claim("agent", None, LEASE, "research") == {"claimed": False}


@pytest.mark.parametrize("backend", ["postgresql"])  # SQLite writers take turns: no row is held meanwhile
@pytest.mark.parametrize("holder_ends", ["rollback", "commit"])
def test_claim_next_waits_for_a_ready_item_another_transaction_holds(clocked_app: App, holder_ends: str) -> None:
    """PostgreSQL's SKIP LOCKED passes over rows other transactions hold locked. A ready item
    held by one that does not claim it (a claimant that rolls back, a writer) is still ready:
    claim-next must wait for it, not answer 'nothing ready'."""
    item = task(clocked_app, "the only ready item")
    with clocked_app.db.engine.connect() as holder, ThreadPoolExecutor(1) as pool:
        held = holder.begin()
        holder.execute(select(work_items.c.id).where(work_items.c.id == item["id"]).with_for_update())
        pending = pool.submit(claim, clocked_app, "agent-a")
        wait_until_locks_are_awaited(holder, [pending])
        if holder_ends == "rollback":
            held.rollback()
        else:
            held.commit()
        taken = pending.result(timeout=30)
    assert (taken["claimed"], taken["id"], taken["holder"]) == (True, item["id"], "agent-a")
    assert claim(clocked_app, "agent-b") == {"claimed": False}


def test_database_refuses_a_second_open_claim_on_one_item(clocked_app: App, clock: ManualClock) -> None:
    item = task(clocked_app, "T1")
    claim(clocked_app, "agent-a", item["id"])
    row = {
        "id": "00000000-0000-4000-8000-00000000000b",
        "work_item_id": item["id"],
        "epoch": 2,
        "token": "2.forged",
        "holder": "intruder",
        "claimed_at": clock.now(),
        "expires_at": clock.now(),
    }
    with pytest.raises(IntegrityError), clocked_app.db.engine.begin() as conn:
        conn.execute(insert(work_item_claims).values(**row))
    with clocked_app.db.engine.begin() as conn:
        assert claims_repo.insert_open(conn, row) is None  # the claim path reports it instead of failing


def test_claim_renew_and_release_are_in_the_change_log_without_tokens(clocked_app: App) -> None:
    item = task(clocked_app, "T1")
    claimed = claim(clocked_app, "agent-a", item["id"])
    token = claimed["claim_token"]
    clocked_app.claims.renew("agent-a", item["id"], token, LEASE)
    clocked_app.claims.release("agent-a", item["id"], token)
    again = claim(clocked_app, "agent-b", item["id"])  # the second claim: epoch 2
    changes_ = clocked_app.changes.list_changes()["changes"]
    assert [(c["op"], c["actor"]) for c in changes_[1:]] == [
        ("claim", "agent-a"),
        ("renew", "agent-a"),
        ("release", "agent-a"),
        ("claim", "agent-b"),
    ]
    assert token not in str(changes_) and again["claim_token"] not in str(changes_)
    assert changes_[3]["fields"]["end_reason"] == "released"
    for entry, body in ((changes_[1], claimed), (changes_[4], again)):
        assert (entry["entity"], entry["entity_id"], entry["version"]) == ("work_item", item["id"], 1)
        assert entry["fields"] == {key: body[key] for key in ("holder", "epoch", "expires_at")}
    assert (claimed["epoch"], again["epoch"]) == (1, 2)


def _history(app: App, item_id: str) -> list[dict[str, Any]]:
    with app.db.engine.connect() as conn:
        return claims_repo.history(conn, item_id)
