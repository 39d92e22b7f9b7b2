"""What runs inside each worker process of the concurrency tests.

Every worker is a separate OS process (multiprocessing, "spawn") that launches its
own `statusboard mcp` server over stdio and talks to it through its own MCP client,
declaring its name as clientInfo.name (the actor the server records); or, given a
server's URL and an agent's token (`Job.http`), talks to that `statusboard serve`
as the agent the token names. Workers are
released together by barriers; every wait has a timeout, nothing sleeps.

A worker records a history (one entry per tool call: op, item, version sent,
outcome, version returned) and sends it back to the parent on the results queue,
together with the traceback if it failed. The parent checks the histories.

This module is imported by the spawned processes: it imports neither pytest nor
statusboard, only the MCP client.
"""

from __future__ import annotations

import json
import os
import queue
import random
import sys
import traceback
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from multiprocessing.synchronize import Barrier
from typing import Any

import anyio
import httpx2
import mcp_types as types
from mcp import Client, StdioServerParameters
from mcp.client.streamable_http import streamable_http_client

WAIT_TIMEOUT_S = 60.0  # any barrier or hand-over; generous for 16 processes starting on 2 cores
CALL_TIMEOUT_S = 30.0  # any single tool call
CONFLICT = "VersionConflictError"

History = list[dict[str, Any]]


@dataclass(frozen=True)
class Job:
    """One worker's orders, pickled into the spawned process."""

    name: str  # the MCP clientInfo.name, recorded by the server as created_by / updated_by
    database_url: str
    workdir: str  # the server's cwd; cache and status-file paths live here, one directory per worker
    params: dict[str, Any] = field(default_factory=dict)
    sync: dict[str, Any] = field(default_factory=dict)  # barriers and queues, shared with the others
    # (URL, bearer token): talk to a running `statusboard serve` as a registered agent instead
    http: tuple[str, str] | None = None


Scenario = Callable[[Client, Job, History], Coroutine[Any, Any, None]]


def run(scenario: Scenario, job: Job, results: Any) -> None:
    """Process entry: runs `scenario` against a fresh stdio server and reports exactly once."""
    history: History = []
    error = None
    try:
        anyio.run(_run_with_client, scenario, job, history)
    except BaseException:
        error = traceback.format_exc()
        for barrier in _barriers(job.sync):
            barrier.abort()  # the others fail at once instead of waiting out their timeouts
    results.put((job.name, {"history": history, "error": error}))


async def _run_with_client(scenario: Scenario, job: Job, history: History) -> None:
    async with connect(job) as client:
        await scenario(client, job, history)


@asynccontextmanager
async def connect(job: Job) -> AsyncIterator[Client]:
    if job.http is not None:
        async with _connect_http(job, *job.http) as client:
            yield client
        return
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", job.workdir),
        "STATUSBOARD_DATABASE_URL": job.database_url,
        "STATUSBOARD_CACHE_PATH": os.path.join(job.workdir, "cache.db"),
        "STATUSBOARD_MARKDOWN_PATH": os.path.join(job.workdir, "project_status.md"),
        "STATUSBOARD_GIT_REPO": job.workdir,
    }
    if "PYTHONPATH" in os.environ:  # the server runs the code under test (a worktree's, say)
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    os.makedirs(job.workdir, exist_ok=True)
    server = StdioServerParameters(command=sys.executable, args=["-m", "statusboard", "mcp"], env=env, cwd=job.workdir)
    info = types.Implementation(name=job.name, version="1")
    async with Client(server, client_info=info, read_timeout_seconds=CALL_TIMEOUT_S) as client:
        await call(client, "ping", {})  # the server is up before anyone waits on a barrier
        yield client


@asynccontextmanager
async def _connect_http(job: Job, url: str, token: str) -> AsyncIterator[Client]:
    headers = {"Authorization": f"Bearer {token}"}
    timeout = httpx2.Timeout(CALL_TIMEOUT_S, read=CALL_TIMEOUT_S)
    async with httpx2.AsyncClient(headers=headers, timeout=timeout) as http:
        # Every worker declares the SDK's default name: only its token tells the server who it is.
        info = types.Implementation(name="mcp", version="1")
        transport = streamable_http_client(f"{url}/mcp", http_client=http)
        async with Client(transport, client_info=info, read_timeout_seconds=CALL_TIMEOUT_S) as client:
            await call(client, "ping", {})
            yield client


async def call(client: Client, tool: str, arguments: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Calls a tool; returns (outcome, body): outcome is "ok" or the error code of the body."""
    result = await client.call_tool(tool, arguments)
    body = result.structured_content
    if body is None:
        body = json.loads(result.content[0].text)
    if not result.is_error:
        return "ok", body
    return str(body.get("error", "malformed error body")), body


async def wait(barrier: Barrier) -> None:
    await anyio.to_thread.run_sync(barrier.wait, WAIT_TIMEOUT_S)


async def receive(inbox: Any) -> Any:
    try:
        return await anyio.to_thread.run_sync(inbox.get, True, WAIT_TIMEOUT_S)
    except queue.Empty:
        raise TimeoutError(f"nothing handed over within {WAIT_TIMEOUT_S}s") from None


def _barriers(sync: dict[str, Any]) -> list[Barrier]:
    return [value for value in sync.values() if isinstance(value, Barrier)]


def _entry(
    op: str, item: str | None, sent: int | None, outcome: str, body: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """One history entry. For a conflict, `version` is the actual version the server reported."""
    details = body.get("details", {}) if outcome != "ok" else {}
    version = body.get("version") if outcome == "ok" else details.get("actual_version")
    entry = {"op": op, "item": item, "sent": sent, "outcome": outcome, "version": version, **extra}
    if outcome == "ok":
        entry.update(
            title=body.get("title"),
            created_by=body.get("created_by"),
            updated_by=body.get("updated_by"),
            data_source=body.get("data_source"),
        )
    else:
        entry.update(
            expected_version=details.get("expected_version"),
            current_title=(details.get("current") or {}).get("title"),
            message=body.get("message"),
        )
    return entry


# -- 1. one creates, two others read at once ------------------------------------------------


async def create_and_hand_over(client: Client, job: Job, history: History) -> None:
    """Each round: create an item, then hand its id to every reader."""
    for round_no in range(job.params["rounds"]):
        await wait(job.sync["round"])
        title = f"round {round_no} by {job.name}"
        outcome, body = await call(client, "create_work_item", {"item_type": "task", "title": title})
        history.append(_entry("create", body.get("id"), None, outcome, body, round=round_no))
        for inbox in job.sync["handover"].values():
            inbox.put(body.get("id"))


async def read_handed_over(client: Client, job: Job, history: History) -> None:
    """Each round: take the new id, meet the other reader, and read it at the same moment."""
    for round_no in range(job.params["rounds"]):
        await wait(job.sync["round"])
        item_id = await receive(job.sync["handover"][job.name])
        await wait(job.sync["readers"])
        outcome, body = await call(client, "query_work_item", {"id": item_id})
        history.append(_entry("read", item_id, None, outcome, body, round=round_no))


# -- 2. one updates, another reads next --------------------------------------------------------


async def update_and_announce(client: Client, job: Job, history: History) -> None:
    """Each round: update the item, then tell the reader which version the server acknowledged."""
    item_id = job.params["item_id"]
    version = job.params["version"]
    for round_no in range(job.params["rounds"]):
        await wait(job.sync["round"])
        title = f"round {round_no} by {job.name}"
        outcome, body = await call(client, "update_work_item", {"id": item_id, "version": version, "title": title})
        history.append(_entry("write", item_id, version, outcome, body, round=round_no, sent_title=title))
        if outcome == "ok":
            version = body["version"]
        job.sync["acknowledged"].put({"round": round_no, "outcome": outcome, "version": body.get("version")})


async def read_after_announcement(client: Client, job: Job, history: History) -> None:
    """Each round: as soon as the writer's update is acknowledged, read the item."""
    item_id = job.params["item_id"]
    for round_no in range(job.params["rounds"]):
        await wait(job.sync["round"])
        ack = await receive(job.sync["acknowledged"])
        outcome, body = await call(client, "query_work_item", {"id": item_id})
        history.append(_entry("read", item_id, None, outcome, body, round=round_no, acknowledged=ack))


# -- 3. several processes update one item with the same version ---------------------------------


async def race_same_version(client: Client, job: Job, history: History) -> None:
    """Each round: read the item (all see the same version), then all update it at once."""
    item_id = job.params["item_id"]
    for round_no in range(job.params["rounds"]):
        await wait(job.sync["start"])  # the previous round is over for everyone
        outcome, seen = await call(client, "query_work_item", {"id": item_id})
        history.append(_entry("read", item_id, None, outcome, seen, round=round_no))
        if outcome != "ok":
            raise RuntimeError(f"round {round_no}: reading the item failed: {seen}")
        await wait(job.sync["go"])
        title = f"round {round_no} by {job.name}"
        changes = {"title": title, "branch_name": f"r{round_no}-{job.name}"}
        outcome, body = await call(client, "update_work_item", {"id": item_id, "version": seen["version"], **changes})
        history.append(
            _entry(
                "write",
                item_id,
                seen["version"],
                outcome,
                body,
                round=round_no,
                sent_title=title,
                branch_name=body.get("branch_name"),
            )
        )


# -- 4. many processes, mixed reads and versioned writes ---------------------------------------


async def mixed_reads_and_writes(client: Client, job: Job, history: History) -> None:
    """`ops` operations on random items: reads, and writes retried on conflict after a re-read."""
    params = job.params
    rng = random.Random(params["seed"])
    item_ids: list[str] = params["item_ids"]
    known = dict.fromkeys(item_ids, 1)  # the version this process last saw of each item
    await wait(job.sync["start"])
    for op_no in range(params["ops"]):
        item_id = rng.choice(item_ids)
        if rng.random() < params["read_ratio"]:
            known[item_id] = await _read(client, history, item_id, op_no, known[item_id])
            continue
        for attempt in range(params["max_attempts"]):
            title = f"{job.name} op {op_no} attempt {attempt}"
            sent = known[item_id]
            arguments = {"id": item_id, "version": sent, "title": title}
            outcome, body = await call(client, "update_work_item", arguments)
            history.append(_entry("write", item_id, sent, outcome, body, op_no=op_no, sent_title=title))
            if outcome != CONFLICT:
                if outcome == "ok":
                    known[item_id] = body["version"]
                break  # acknowledged, or an error that the parent reports
            known[item_id] = await _read(client, history, item_id, op_no, known[item_id])
        else:
            history.append({"op": "gave_up", "item": item_id, "sent": None, "outcome": "gave_up", "op_no": op_no})
    history.append({"op": "done", "item": None, "sent": None, "outcome": "ok", "ops": params["ops"]})


async def _read(client: Client, history: History, item_id: str, op_no: int, fallback: int) -> int:
    outcome, body = await call(client, "query_work_item", {"id": item_id})
    history.append(_entry("read", item_id, None, outcome, body, op_no=op_no))
    return int(body["version"]) if outcome == "ok" else fallback


# -- 5. writers append while a follower tails the change log ------------------------------------


async def create_items(client: Client, job: Job, history: History) -> None:
    """Creates `count` items as fast as it can, once everyone is ready."""
    await wait(job.sync["start"])
    for n in range(job.params["count"]):
        outcome, body = await call(client, "create_work_item", {"item_type": "task", "title": f"{job.name} #{n}"})
        history.append(_entry("create", body.get("id"), None, outcome, body, n=n))


async def follow_change_log(client: Client, job: Job, history: History) -> None:
    """Tails list_changes from seq 0, passing last_seq back, until it has seen `expected` entries."""
    await wait(job.sync["start"])
    since = 0
    seen = 0
    for poll in range(job.params["max_polls"]):
        outcome, body = await call(client, "list_changes", {"since_seq": since, "limit": 25})
        if outcome != "ok":
            raise RuntimeError(f"list_changes failed: {body}")
        for change in body["changes"]:
            history.append({"op": "change", "seq": change["seq"], "entity_id": change["entity_id"], "poll": poll})
        seen += len(body["changes"])
        since = body["last_seq"]
        if seen >= job.params["expected"]:
            return
    raise RuntimeError(f"saw only {seen} of {job.params['expected']} changes in {job.params['max_polls']} polls")


# -- 6. project records: one name, one version, many writers -----------------------------------


async def race_vendor(client: Client, job: Job, history: History) -> None:
    """Each round: all create the same vendor name (each in its own case) at once, then all
    update it naming version 1 at once."""
    for round_no in range(job.params["rounds"]):
        name = "".join(ch.upper() if (i + job.params["index"]) % 2 else ch for i, ch in enumerate(f"vendor_{round_no}"))
        await wait(job.sync["create"])
        outcome, body = await call(client, "create_vendor", {"name": name, "metadata": {}})
        history.append({"op": "create", "round": round_no, "outcome": outcome, "name": body.get("name")})
        await wait(job.sync["update"])
        status = "broken" if job.params["index"] % 2 else "operational"
        outcome, body = await call(client, "update_vendor_status", {"name": name, "version": 1, "status": status})
        history.append(
            {"op": "update", "round": round_no, "outcome": outcome, "sent": status, "version": body.get("version")}
        )
