"""Worker scenarios for the claim and batch-update tests (see workers.py for the ground rules).

Each runs in its own spawned process, against its own `statusboard mcp` server, and
records a history the parent checks afterwards.
"""

from __future__ import annotations

import random
import time
from typing import Any

from mcp import Client

from tests.concurrency.workers import CONFLICT, History, Job, call, receive, wait

BUSY = "ClaimConflictError"


async def race_for_one_item(client: Client, job: Job, history: History) -> None:
    """Each round: meet the others, then all claim that round's item at once."""
    for round_no, item_id in enumerate(job.params["item_ids"]):
        await wait(job.sync["go"])
        outcome, body = await call(client, "claim_work_item", {"id": item_id, "lease_seconds": 600})
        details = body.get("details", {})
        history.append(
            {
                "round": round_no,
                "item": item_id,
                "outcome": outcome,
                "holder": body.get("holder") if outcome == "ok" else details.get("holder"),
                "token": body.get("claim_token"),
                "expires_at": body.get("expires_at") if outcome == "ok" else details.get("expires_at"),
            }
        )


async def drain_ready_items(client: Client, job: Job, history: History) -> None:
    """Claims the next ready item until none is left, then completes what it took."""
    await wait(job.sync["start"])
    claimed: list[dict[str, Any]] = []
    for _ in range(job.params["max_claims"]):
        outcome, body = await call(client, "claim_work_item", {"lease_seconds": 600})
        if outcome != "ok":
            raise RuntimeError(f"claim-next failed: {body}")
        if not body["claimed"]:
            history.append({"op": "nothing_ready"})
            break
        claimed.append(body)
        history.append({"op": "claim", "item": body["id"], "holder": body["holder"], "epoch": body["epoch"]})
    else:
        raise RuntimeError(f"still claiming after {job.params['max_claims']} claims")
    for body in claimed:
        arguments = {"id": body["id"], "version": body["version"], "status": "completed"}
        outcome, done = await call(client, "update_work_item", {**arguments, "claim_token": body["claim_token"]})
        history.append({"op": "complete", "item": body["id"], "outcome": outcome, "version": done.get("version")})


async def claim_and_hold(client: Client, job: Job, history: History) -> None:
    """Claims the item with a short lease, hands the claim over, then waits to be killed."""
    item_id = job.params["item_id"]
    outcome, body = await call(client, "claim_work_item", {"id": item_id, "lease_seconds": job.params["lease"]})
    job.sync["claimed"].put({"outcome": outcome, **body})
    await receive(job.sync["never"])  # the parent kills this process while it waits here


async def take_over_after_expiry(client: Client, job: Job, history: History) -> None:
    """Tries to claim until the dead holder's lease runs out; then checks the old token is refused."""
    item_id = job.params["item_id"]
    victim = job.params["victim_claim"]
    deadline = time.monotonic() + job.params["patience_s"]
    while time.monotonic() < deadline:
        outcome, body = await call(client, "claim_work_item", {"id": item_id, "lease_seconds": 600})
        history.append({"op": "claim", "outcome": outcome, "body": body, "at": time.time()})
        if outcome == "ok":
            break
        if outcome != BUSY:
            raise RuntimeError(f"claim failed: {body}")
    else:
        raise RuntimeError(f"the dead holder's lease never expired within {job.params['patience_s']}s")
    title = {"id": item_id, "version": victim["version"], "title": "written with the dead holder's token"}
    outcome, body = await call(client, "update_work_item", {**title, "claim_token": victim["claim_token"]})
    history.append({"op": "stale_write", "outcome": outcome, "body": body})
    renewal = {"id": item_id, "claim_token": victim["claim_token"]}
    outcome, body = await call(client, "renew_claim", renewal)
    history.append({"op": "stale_renew", "outcome": outcome, "body": body})


async def batch_update_in_my_order(client: Client, job: Job, history: History) -> None:
    """Batch-updates the shared items, listing them in this worker's own order; retries conflicts.

    A conflict names the stale entry and its current version, which the next attempt uses.
    Retrying is bounded by time, not by a count: some batch always wins, so once the others
    are done a batch meets no more conflicts; only a hang (a deadlock) would run out the clock.
    """
    params = job.params
    rng = random.Random(params["seed"])
    order: list[str] = params["order"]
    known = dict.fromkeys(order, 1)
    await wait(job.sync["start"])
    give_up_at = time.monotonic() + params["patience_s"]
    for batch_no in range(params["batches"]):
        chosen = [item for item in order if rng.random() < params["pick"]] or order[:2]
        attempt = 0
        while time.monotonic() < give_up_at:
            attempt += 1
            entries = [
                {"id": item, "version": known[item], "title": f"{job.name} batch {batch_no} try {attempt}"}
                for item in chosen
            ]
            outcome, body = await call(client, "update_work_items", {"items": entries})
            history.append({"op": "batch", "batch": batch_no, "items": chosen, "outcome": outcome, "body": body})
            if outcome == "ok":
                for item in body["items"]:
                    known[item["id"]] = item["version"]
                break
            if outcome != CONFLICT:
                raise RuntimeError(f"batch {batch_no} failed: {body}")
            stale = body["details"].get("index", 0)  # a batch of one is refused like a single update
            known[chosen[stale]] = body["details"]["actual_version"]
        else:
            history.append({"op": "gave_up", "batch": batch_no, "items": chosen, "outcome": "gave_up"})
