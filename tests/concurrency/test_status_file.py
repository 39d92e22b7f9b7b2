"""Readers in other processes never see half a status file while it is being replaced."""

from __future__ import annotations

import hashlib
import multiprocessing as mp
import time
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path

import pytest

from statusboard.domain.cancellation import CancelToken, OperationCancelled
from statusboard.storage.status_file import write_atomically

VERSIONS = 40
READERS = 2
DEADLINE_SECONDS = 60


def content(version: int) -> str:
    body = "".join(f"- vendor_{i}: operational (version {version})\n" for i in range(20_000))
    return f"# Project Status\n{body}END {version}\n"


def digest(text: bytes) -> str:
    return hashlib.sha256(text).hexdigest()


def reader(path: str, barrier: Barrier, done: Event, seen: mp.Queue[list[str]]) -> None:
    barrier.wait(timeout=30)
    digests = []
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not done.is_set() and time.monotonic() < deadline:
        digests.append(digest(Path(path).read_bytes()))
    digests.append(digest(Path(path).read_bytes()))
    seen.put(digests)


def test_readers_see_the_old_file_or_the_new_one_never_a_mix(tmp_path: Path) -> None:
    target = tmp_path / ".project_status.md"
    write_atomically(target, content(0))
    ctx = mp.get_context("spawn")
    barrier, done, seen = ctx.Barrier(READERS + 1), ctx.Event(), ctx.Queue()
    readers = [ctx.Process(target=reader, args=(str(target), barrier, done, seen)) for _ in range(READERS)]
    for process in readers:
        process.start()
    written = {digest(content(0).encode())}
    try:
        barrier.wait(timeout=30)
        for version in range(1, VERSIONS + 1):
            text = content(version)
            write_atomically(target, text)
            written.add(digest(text.encode()))
    finally:
        done.set()
    reads = [seen.get(timeout=DEADLINE_SECONDS + 30) for _ in readers]
    for process in readers:
        process.join(timeout=30)
        assert process.exitcode == 0
    for digests in reads:
        assert set(digests) <= written, "a reader saw a file that was never written whole"
    assert len({d for digests in reads for d in digests}) > 1, "readers never overlapped a replacement"


def test_a_cancelled_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / ".project_status.md"
    write_atomically(target, "old\n")
    cancel = CancelToken()
    cancel.cancel()
    with pytest.raises(OperationCancelled):
        write_atomically(target, "new\n", cancel)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
