"""What checking agents' tokens costs `statusboard serve`.

    .venv/bin/python -m bench.http_tokens                     # both backends
    .venv/bin/python -m bench.http_tokens --backend sqlite --iterations 300 --mode auto

Measures, per backend:
- verify remembered: `AgentService.remembered(token)`, in-process: what a request pays while its
  process verified the token within the last second (no database);
- verify from the database: `AgentService.identify(token)` with nothing remembered: one read by
  key id and a digest comparison (what a request pays once a second per token and process);
- ping without tokens / ping with a token: round trips of `call_tool("ping")` to two
  `statusboard serve` subprocesses on the same database, one `--auth none`, one `--auth tokens`,
  alternating call by call so that drifts hit both. The ratio is with / without. The client
  speaks the 2025-11-25 protocol unless `--mode auto` (2026-07-28, whose HTTP round trips take
  about 40 ms on the reference machine with or without tokens).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
from tests.http.conftest import mcp_over_http
from tests.http.processes import command_env, serve

from bench.query_work_item import BACKENDS, percentile_ms
from statusboard.config import Settings
from statusboard.wiring import build_app


def _timed(fn: Callable[[], Any], iterations: int) -> list[float]:
    samples = []
    for _ in range(iterations):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


async def _pings(
    plain_url: str, token_url: str, token: str, iterations: int, warmup: int, mode: str
) -> list[list[float]]:
    samples: list[list[float]] = [[], []]
    plain_client = mcp_over_http(plain_url, name="bench", mode=mode)
    async with plain_client as plain, mcp_over_http(token_url, token, mode=mode) as authed:
        clients = [plain, authed]
        for n in range(warmup + iterations):
            order = (0, 1) if n % 2 == 0 else (1, 0)
            for which in order:
                started = time.perf_counter()
                await clients[which].call_tool("ping", {})
                if n >= warmup:
                    samples[which].append(time.perf_counter() - started)
    return samples


def run(backend: str, iterations: int, warmup: int, workdir: Path, mode: str) -> list[tuple[str, list[float]]]:
    with BACKENDS[backend]() as urls:
        url = urls(0)
        app = build_app(Settings(database_url=url))
        try:
            token = app.agents.add("bench", "admin").token
            app.agents.identify(token)
            remembered = _timed(lambda: app.agents.remembered(token), iterations)

            def from_database() -> None:
                app.agents._answers.clear()  # forget, so that the database is asked
                app.agents.identify(token)

            asked = _timed(from_database, iterations)
        finally:
            app.close()
        servers = []
        for name, auth in (("plain", "none"), ("tokens", "tokens")):
            home = workdir / f"{backend}-{name}"
            home.mkdir()
            env = command_env(url, STATUSBOARD_CACHE_PATH=str(home / "cache.db"))
            env["STATUSBOARD_MARKDOWN_PATH"] = str(home / "status.md")
            servers.append(serve("--auth", auth, env=env, cwd=home))
        with servers[0] as plain, servers[1] as authed:
            without, with_token = anyio.run(_pings, plain.url, authed.url, token, iterations, warmup, mode)
    return [
        ("verify remembered (in-process)", remembered),
        ("verify from the database (in-process)", asked),
        ("ping without tokens (HTTP)", without),
        ("ping with a token (HTTP)", with_token),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.http_tokens", description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--iterations", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument(
        "--mode", choices=["legacy", "auto"], default="legacy", help="the client's protocol era (auto: 2026-07-28)"
    )
    args = parser.parse_args(argv)
    import tempfile

    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    rows = []
    with tempfile.TemporaryDirectory(prefix="statusboard-bench-") as tmp:
        for backend in backends:
            rows.extend((backend, *row) for row in run(backend, args.iterations, args.warmup, Path(tmp), args.mode))
    load1, load5, _ = os.getloadavg()
    print(f"\nhttp_tokens: {os.cpu_count()} CPUs, load average {load1:.1f} (1 min) / {load5:.1f} (5 min) at the end")
    header = f"{'backend':<11} {'measure':<40} {'n':>5} {'p50 ms':>8} {'p99 ms':>8}"
    print(header + "\n" + "-" * len(header))
    pings: dict[tuple[str, bool], list[float]] = {}
    for backend, measure, samples in rows:
        ordered = sorted(samples)
        p50, p99 = percentile_ms(ordered, 0.5), percentile_ms(ordered, 0.99)
        print(f"{backend:<11} {measure:<40} {len(samples):>5} {p50:>8.3f} {p99:>8.3f}")
        if measure.startswith("ping"):
            pings[(backend, measure == "ping with a token (HTTP)")] = ordered
    for backend in backends:
        with_token, without = pings[(backend, True)], pings[(backend, False)]
        p50 = percentile_ms(with_token, 0.5) / percentile_ms(without, 0.5)
        p99 = percentile_ms(with_token, 0.99) / percentile_ms(without, 0.99)
        print(f"{backend:<11} ping with a token / without: {p50:.2f} (p50), {p99:.2f} (p99)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
