"""Client processes for the outage test: each runs its own `statusboard mcp` (as each AI client
does), all in one project (one cache, one journal, one status file), and keeps writing and
reading through a real PostgreSQL outage. Imported by spawned processes: no pytest here."""

from __future__ import annotations

import os
import sys
import time
import traceback
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import mcp_types as types
from mcp import Client, StdioServerParameters

from tests.concurrency.workers import History, Job, call, wait

CALL_TIMEOUT_S = 30.0
RECOVERY_TIMEOUT_S = 90.0
FALLBACK_SOURCES = {
    "sqlite_cache": "using_fallback_cache",
    "git_history": "using_git_history_fallback",
    "markdown_file": "using_markdown_fallback",
}


@asynccontextmanager
async def connect(job: Job) -> AsyncIterator[Client]:
    project = job.params["project"]
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", project),
        "STATUSBOARD_DATABASE_URL": job.database_url,
        "STATUSBOARD_CACHE_PATH": os.path.join(project, ".statusboard", "cache.db"),
        "STATUSBOARD_MARKDOWN_PATH": os.path.join(project, ".project_status.md"),
        "STATUSBOARD_GIT_REPO": project,
    }
    server = StdioServerParameters(command=sys.executable, args=["-m", "statusboard", "mcp"], env=env, cwd=project)
    info = types.Implementation(name=job.name, version="1")
    async with Client(server, client_info=info, read_timeout_seconds=CALL_TIMEOUT_S) as client:
        await call(client, "ping", {})
        yield client


def run(job: Job, results: Any) -> None:
    """Process entry: reports (name, {history, error}) exactly once, like workers.run."""
    history: History = []
    error = None
    try:
        anyio.run(_run_with_client, job, history)
    except BaseException:
        error = traceback.format_exc()
        job.sync["step"].abort()
    results.put((job.name, {"history": history, "error": error}))


async def _run_with_client(job: Job, history: History) -> None:
    async with connect(job) as client:
        await _run(client, job, history)


async def _run(client: Client, job: Job, history: History) -> None:
    items: dict[str, int] = {}  # id -> the version last acknowledged
    for phase in job.params["phases"]:
        if phase == "wait":
            await wait(job.sync["step"])
            continue
        if phase == "recover":
            await _until_recovered(client)
            continue
        for n in range(job.params["writes_per_phase"]):
            await _timed(client, history, phase, "create_work_item", {"item_type": "task", "title": f"{phase} {n}"})
            created = history[-1]
            assert created["outcome"] == "ok", created
            items[created["item"]] = created["version"]
        delivered = history[-1]["item"]
        deployment = {"metadata": {"commit_hash": "abc1234", "pr_title": f"{job.name} {phase}"}}
        await _timed(client, history, phase, "record_deployment", {**deployment, "work_item_ids": [delivered]})
        prompt = f"---\nschema_version: 1\nsession_id: {job.name}\n---\n{phase}\n"
        await _timed(client, history, phase, "record_session_prompt", {"session_id": job.name, "content": prompt})
        for recorded in history[-2:]:
            assert recorded["outcome"] == "ok", recorded
        for item_id, version in list(items.items()):
            await _timed(client, history, phase, "update_work_item", {"id": item_id, "version": version, "title": "x"})
            updated = history[-1]
            assert updated["outcome"] == "ok", updated
            items[item_id] = updated["version"]
            await _timed(client, history, phase, "query_work_item", {"id": item_id})
            assert history[-1]["outcome"] == "ok", history[-1]


async def _timed(client: Client, history: History, phase: str, tool: str, arguments: dict[str, Any]) -> None:
    started = time.monotonic()
    outcome, body = await call(client, tool, arguments)
    history.append(
        {
            "phase": phase,
            "tool": tool,
            "item": body.get("id") if outcome == "ok" else arguments.get("id"),
            "outcome": outcome,
            "version": body.get("version"),
            "data_source": body.get("data_source"),
            "warnings": body.get("warnings"),
            "error": None if outcome == "ok" else body,
            "elapsed_s": time.monotonic() - started,
        }
    )


async def _until_recovered(client: Client) -> None:
    """Bounded: until this server says the primary is up and the shared journal is empty."""
    deadline = time.monotonic() + RECOVERY_TIMEOUT_S
    while True:
        _, health = await call(client, "get_health", {})
        if health["primary"]["state"] == "up" and health["journal"]["pending"] == 0:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"not recovered within {RECOVERY_TIMEOUT_S}s: {health}")
        await anyio.sleep(0.1)  # polling a condition, with a deadline
