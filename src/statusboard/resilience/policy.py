"""What a tool is to degraded mode: each tool's spec carries exactly one of these policies,
and every layer asks it rather than keeping its own list of tool names.

- `Read`: goes to the primary while it answers, and otherwise to the fallback layers it names;
- `Journaled`: a write that is journaled while the primary does not answer, and replayed later;
- `Local`: never touches the primary (liveness, health, the journal's own conflicts);
- `PrimaryOnly`: needs the primary and says so when it does not answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from statusboard.resilience.journal_write import Projector
from statusboard.resilience.kinds import Holds
from statusboard.resilience.layer_answers import CacheAnswer, FileAnswer


@dataclass(frozen=True)
class Read:
    cache: CacheAnswer | None = None  # how the local cache answers it, if it can
    file: FileAnswer | None = None  # how the status file (in git, then on disk) answers it, if it can
    holds: Holds | None = None


@dataclass(frozen=True)
class Journaled:
    project: Projector  # what the write makes of its entities while the primary does not answer
    holds: Holds
    creates: bool = False  # hands out a new id: the journal keeps it, and the replay creates under it


@dataclass(frozen=True)
class Local:
    pass


@dataclass(frozen=True)
class PrimaryOnly:
    pass


Policy = Read | Journaled | Local | PrimaryOnly


class Tool(Protocol):
    """What the gateway needs of a tool: its policy, and its name (only for the journal and for
    messages)."""

    @property
    def name(self) -> str: ...

    @property
    def policy(self) -> Policy: ...
