"""Which database row a status-file entry is: the keys the file names entries by, and the pairing.

The file shows less than the database keeps, so entries and rows are compared on what the
file shows:
- a deployment: its time in whole seconds in UTC (the file cuts the fraction), commit and PR;
- a session prompt: the day it was recorded (UTC), its session and its text as a reader gets
  it back (`prompt_as_read`);
- a vendor: its name, ignoring case;
- a work item or an enhancement written with its id (`#<uuid>`): the row with that id and no
  other; one written without: its type, title and parent, or its title and quarter.

Rows with the same key are alike to the file: each stands for one of its entries, and a row
that an entry names by id stands for no other. The migration takes what is already there
from a `Pairing`; the reconciliation pairs the file with the database again after the import,
so it counts the rows the database really holds for the file's entries.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from statusboard.domain.clock import as_utc
from statusboard.domain.status_markdown import prompt_as_read

DeploymentKey = tuple[datetime, str, int | None]
PromptKey = tuple[date, str, str]
WorkItemKey = tuple[str, str, str | None]
EnhancementKey = tuple[str, str]


def deployment_key(timestamp: datetime, commit_hash: str, pr_number: int | None) -> DeploymentKey:
    return as_utc(timestamp).replace(microsecond=0), commit_hash, pr_number


def prompt_key(recorded_on: date, session_id: str, content: str) -> PromptKey:
    return recorded_on, session_id, prompt_as_read(content)


def work_item_key(item_type: str, title: str, parent_id: str | None) -> WorkItemKey:
    return item_type, title, parent_id


def enhancement_key(title: str, target_quarter: str) -> EnhancementKey:
    return title, target_quarter


@dataclass(frozen=True)
class Surplus:
    """Rows the database holds beyond the file's entries of one key."""

    line: int  # the first entry of the file with that key
    listed: int  # the file's entries with that key
    extra: int


class Pairing:
    """The rows of one section, paired with the file's entries in file order."""

    def __init__(
        self, row_ids: Iterable[str], keyed_rows: Iterable[tuple[Hashable, str]], named_ids: Iterable[str | None]
    ) -> None:
        """`keyed_rows`: (natural key, id) of the rows an entry without id may be, in a stable
        order; `named_ids`: the ids the file's entries are written with."""
        self._ids = frozenset(row_ids)
        named = self._ids.intersection(i for i in named_ids if i is not None)
        self._free: dict[Hashable, deque[str]] = {}
        for key, row_id in keyed_rows:
            if row_id not in named:
                self._free.setdefault(key, deque()).append(row_id)
        self._asked: dict[Hashable, list[int]] = {}  # key -> [first line, entries]
        self.matched = 0

    def take(self, entry_id: str | None, key: Hashable | None, line: int) -> str | None:
        """The row this entry is, or None when the database holds none for it: by its id if it
        is written with one, else one row of its key that no entry has taken yet."""
        found: str | None = None
        if entry_id is not None:
            found = entry_id if entry_id in self._ids else None
        elif key is not None:
            asked = self._asked.setdefault(key, [line, 0])
            asked[1] += 1
            free = self._free.get(key)
            found = free.popleft() if free else None
        if found is not None:
            self.matched += 1
        return found

    def surplus(self) -> list[Surplus]:
        """For each key the file's entries were looked for by, the rows none of them took."""
        return [
            Surplus(line, listed, len(self._free[key]))
            for key, (line, listed) in self._asked.items()
            if self._free.get(key)
        ]
