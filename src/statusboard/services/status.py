"""The full status: one consistent snapshot of vendors, work items, deployments and plans,
as JSON or as the status file (which it can also write, atomically)."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection

from statusboard.domain.cancellation import CancelToken, Progress
from statusboard.domain.clock import Clock
from statusboard.domain.records import DeploymentOutline, VendorOutline
from statusboard.domain.status_markdown import StatusData, assemble
from statusboard.services.status_parts import (
    FILE_SECTIONS,
    SUMMARY,
    VENDORS_FILE,
    Part,
    VendorSection,
    section_text,
    stale,
)
from statusboard.storage.database import Database
from statusboard.storage.repositories import changes as changes_repo
from statusboard.storage.repositories import deployments as deployments_repo
from statusboard.storage.repositories import enhancements as enhancements_repo
from statusboard.storage.repositories import session_prompts as prompts_repo
from statusboard.storage.repositories import vendors as vendors_repo
from statusboard.storage.repositories import work_items as items_repo
from statusboard.storage.status_file import write_atomically

OutputFormat = Literal["json", "markdown"]
# Past this many change-log entries, the status is built anew without reading them.
MAX_CHANGES_FOLLOWED = 10_000
_FILE_NAMES = frozenset(part.name for part in FILE_SECTIONS)


@dataclass(frozen=True)
class _Built:
    """The parts built so far (see `status_parts`), each right for the snapshot whose change log ends at `seq`."""

    seq: int
    parts: dict[str, Any]
    markdown: str | None = None

    def has(self, parts: tuple[Part, ...]) -> bool:
        return all(part.name in self.parts for part in parts)

    def completed(self, conn: Connection, parts: tuple[Part, ...]) -> _Built:
        missing = [part for part in parts if part.name not in self.parts]
        if not missing:
            return self
        return replace(self, parts={**self.parts, **{part.name: part.build(conn) for part in missing}})


class StatusService:
    """Builds the status from one snapshot, and keeps what it built, part by part.

    Every write appends to the change log in its own transaction, so the kept status,
    built at a settled seq (every entry up to it committed: see `changes_repo.settled_seq`),
    is served again until the settled seq moves on (one indexed lookup on SQLite, one
    short locking statement on PostgreSQL). When it has moved on, the entities named by
    the entries after the kept seq tell which parts may have changed; only those are read
    again, the rest are kept (a write to the project configuration rebuilds nothing).
    """

    def __init__(self, db: Database, clock: Clock, markdown_path: str) -> None:
        self._db = db
        self._clock = clock
        self._markdown_path = Path(markdown_path)
        self._built: _Built | None = None
        # One build at a time: a request arriving during a build (the warm-up's, or another
        # request's) waits for it and takes what it built, instead of reading it all again.
        self._building = threading.Lock()

    def generate(
        self,
        output_format: OutputFormat = "json",
        write_file: bool = False,
        *,
        cancel: CancelToken | None = None,
        progress: Progress | None = None,
    ) -> dict[str, Any]:
        want_markdown = output_format == "markdown" or write_file
        steps = 3 if write_file else 2 if want_markdown else 1
        with self._db.reading() as conn:
            seq = changes_repo.settled_seq(conn)
        built = self._ready(seq, want_markdown)
        if built is None:
            built = self._build(seq, want_markdown, cancel, progress, steps)
        else:
            _step(cancel, progress, 1, steps)
        summary = {part.name: built.parts[part.name] for part in SUMMARY}
        report = {"generated_at": self._clock.now().isoformat(), "as_of_seq": built.seq, **summary}
        if not want_markdown:
            return report
        assert built.markdown is not None
        _step(cancel, progress, 2, steps)
        if output_format == "markdown":
            report["markdown"] = built.markdown
        if write_file:
            report["written_to"] = str(write_atomically(self._markdown_path, built.markdown, cancel))
            _step(None, progress, 3, steps)
        return report

    def warm(self) -> None:
        """Builds every part now, so that the first status a client asks for is served from them
        rather than paying for a whole build."""
        self.generate("markdown")

    def _ready(self, seq: int, want_markdown: bool) -> _Built | None:
        """The kept status, if it is complete for this request at `seq`."""
        built = self._built
        if built is None or built.seq != seq or not built.has(SUMMARY):
            return None
        return None if want_markdown and built.markdown is None else built

    def _build(
        self, seq: int, want_markdown: bool, cancel: CancelToken | None, progress: Progress | None, steps: int
    ) -> _Built:
        with self._building:
            built = self._ready(seq, want_markdown)  # built while this request waited
            if built is not None:
                _step(cancel, progress, 1, steps)
                return built
            return self._read(seq, want_markdown, cancel, progress, steps)

    def _read(
        self, seq: int, want_markdown: bool, cancel: CancelToken | None, progress: Progress | None, steps: int
    ) -> _Built:
        """Reads what is missing at `seq` on a snapshot taken after `seq` settled: it sees every
        change up to `seq` (and perhaps later ones, which the next build reads again)."""
        with self._db.snapshot() as conn:
            built = self._kept(conn, seq).completed(conn, SUMMARY)
            self._built = built
            _step(cancel, progress, 1, steps)
            if want_markdown and built.markdown is None:
                built = built.completed(conn, FILE_SECTIONS)
                sections = (section_text(built.parts[part.name]) for part in FILE_SECTIONS)
                built = replace(built, markdown=assemble(*sections))
                self._built = built
        return built

    def _kept(self, conn: Connection, seq: int) -> _Built:
        """What is still right at `seq` of the status built last."""
        built = self._built
        if built is not None and built.seq == seq:
            return built
        if built is None or not 0 < seq - built.seq <= MAX_CHANGES_FOLLOWED:
            return _Built(seq, {})
        changed = stale(changes_repo.touched_since(conn, built.seq))
        if changed is None:
            return _Built(seq, {})
        parts = {name: part for name, part in built.parts.items() if name not in changed}
        vendors = built.parts.get(VENDORS_FILE)
        if VENDORS_FILE in changed and isinstance(vendors, VendorSection):
            updated = vendors.updated(conn, changes_repo.ids_since(conn, built.seq, "vendor"))
            if updated is not None:
                parts[VENDORS_FILE] = updated
        return _Built(seq, parts, built.markdown if changed.isdisjoint(_FILE_NAMES) else None)

    @staticmethod
    def file_data(conn: Connection) -> StatusData:
        """Everything the status file shows, read on the caller's snapshot."""
        prompts, _ = prompts_repo.listing(conn)
        vendors = vendors_repo.outline(conn)
        return StatusData(
            vendors=vendors,
            work_items=items_repo.live_outline(conn),
            deployments=every_deployment(conn, vendors),
            enhancements=enhancements_repo.outline(conn),
            session_prompts=prompts,
        )


def every_deployment(conn: Connection, vendors: Iterable[VendorOutline]) -> list[DeploymentOutline]:
    """Every deployment with the ids and names of its vendors (`vendors`: every vendor) and the
    ids of its work items: what the file shows, and nothing a later write changes (see
    domain/change_sources)."""
    names = {vendor.get("id"): vendor["name"] for vendor in vendors}
    vendor_links = deployments_repo.vendor_links(conn, None)
    item_links = deployments_repo.work_item_links(conn, None)
    return [
        {
            **deployment,
            "affected_vendors": [{"id": vid, "name": names[vid]} for vid in vendor_links.get(deployment["id"], [])],
            "related_work_items": [{"id": wid} for wid in item_links.get(deployment["id"], [])],
        }
        for deployment in deployments_repo.outline(conn)
    ]


def _step(cancel: CancelToken | None, progress: Progress | None, done: int, total: int) -> None:
    if cancel is not None:
        cancel.raise_if_cancelled()
    if progress is not None:
        progress(done, total)
