"""One write acknowledged during an outage, and what it makes of its entities.

The arguments are checked as the primary would check them (types, metadata, depth).
Versions are checked against the local view where it knows the entity: versions only
grow, so a version older than the one held locally is a conflict for certain. Anything
the local view cannot decide (an entity it does not know, a cycle through links it does
not hold) is left to the replay, which checks against the primary, and the
acknowledgement says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from statusboard.domain.errors import NotFoundError, VersionConflictError
from statusboard.resilience.kinds import Body

Lookup = Callable[..., Body | None]  # (kind, id=… | name_key=…) -> the locally known body


@dataclass(frozen=True)
class Write:
    arguments: dict[str, Any]
    actor: str
    at: datetime
    new_id: str | None  # the id a create hands out now and keeps on replay
    known: Lookup

    @property
    def stamp(self) -> str:
        return self.at.isoformat()

    def assigned_id(self) -> str:
        assert self.new_id is not None, "a create is journaled with the id it hands out"
        return self.new_id


@dataclass
class Projection:
    entities: list[tuple[str, Body]]  # (kind, body after the write), for the cache and the file
    ack: dict[str, Any]  # what the acknowledgement returns
    arguments: dict[str, Any]  # what the journal keeps for the replay
    unverified: list[str] = field(default_factory=list)  # checks only the primary can make


# What a journaled write makes of its entities: the body the acknowledgement returns, and what
# the cache and the status file show until the journal is replayed.
Projector = Callable[[Write], Projection]


def checked(current: Body | None, version: int, entity: str, unknown: Body) -> Body:
    """The locally known body, refused when it proves `version` stale; `unknown` if not known."""
    if current is None:
        return dict(unknown)
    if current.get("deleted_at"):
        raise NotFoundError(entity, id=current["id"])
    held = current.get("version")
    if held is not None and held > version:
        raise VersionConflictError(version, held, current)
    return dict(current)


def stamped(body: Body, version: int, write: Write) -> Body:
    return {**body, "version": version + 1, "updated_at": write.stamp, "updated_by": write.actor}
