"""What a write acknowledged during an outage makes of its entities: the body the
acknowledgement returns and the cache and status file show until the journal is replayed.
See `journal_write` for how far the local view checks a write."""

from __future__ import annotations

from collections.abc import Callable

from statusboard.resilience import item_projection, record_projection
from statusboard.resilience.journal_write import Projection, Write

_PROJECTORS: dict[str, Callable[[Write], Projection]] = {**item_projection.PROJECTORS, **record_projection.PROJECTORS}
JOURNALED_TOOLS = tuple(_PROJECTORS)
# Writes that hand out a new id: the journal keeps it, and the replay creates the entity under it.
CREATES = (
    "create_work_item",
    "create_vendor",
    "add_dependency",
    "record_deployment",
    "create_enhancement",
    "record_session_prompt",
)


def project(tool: str, write: Write) -> Projection:
    projector = _PROJECTORS.get(tool)
    if projector is None:
        raise ValueError(f"{tool} is not a journaled write")
    return projector(write)
