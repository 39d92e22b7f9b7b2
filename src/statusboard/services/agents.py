"""The identities of an HTTP server: register, list and revoke agents; verify their tokens and
the board's session cookies.

Identities live in the primary database, so every server process on it shares them. Each
process remembers what it verified for `REVALIDATE`, then asks the database again: a revoke
takes effect on every process within that time. While the primary does not answer, a
process keeps the last answer it had for a secret (nothing can be revoked meanwhile, since a
revoke is a write to the primary) and refuses secrets it has not seen.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from statusboard.domain.agents import (
    SESSION_KIND,
    TOKEN_KIND,
    Identity,
    Role,
    checked_name,
    checked_role,
    digest,
    key_id_of,
    new_secret,
    proves,
)
from statusboard.domain.clock import Clock, as_utc
from statusboard.domain.errors import DatabaseUnavailableError, NotFoundError, ValidationError
from statusboard.storage.database import Database
from statusboard.storage.repositories import agents as repo

REVALIDATE = timedelta(seconds=1)
SESSION_LIFETIME = timedelta(hours=12)
REMEMBERED = 4096  # secrets a process remembers; the oldest answer is forgotten first


@dataclass(frozen=True)
class NewAgent:
    agent: dict[str, Any]
    token: str  # shown once, never stored


@dataclass(frozen=True)
class _Answer:
    identity: Identity | None
    checked_at: datetime


class AgentService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._answers: OrderedDict[str, _Answer] = OrderedDict()
        self._lock = threading.Lock()

    # -- management (statusboard agent ...) --------------------------------------------------

    def add(self, name: str, role: str) -> NewAgent:
        name, checked = checked_name(name), checked_role(role)
        secret = new_secret(TOKEN_KIND)
        values = {
            "id": str(uuid.uuid4()),
            "name": name,
            "role": checked.value,
            "key_id": secret.key_id,
            "token_digest": secret.digest,
            "created_at": self._clock.now(),
        }
        agent = self._db.write(lambda conn: repo.insert(conn, values))
        if agent is None:
            raise ValidationError.single("name", f"an agent named {name!r} is already registered")
        return NewAgent(agent, secret.text)

    def list(self, *, include_revoked: bool = False) -> list[dict[str, Any]]:
        with self._db.reading() as conn:
            return repo.listed(conn, include_revoked=include_revoked)

    def revoke(self, name: str) -> dict[str, Any]:
        revoked = self._db.write(lambda conn: repo.revoke(conn, name, self._clock.now()))
        if revoked is None:
            raise NotFoundError("agent", name=name)
        return revoked

    def count_live(self) -> int:
        with self._db.reading() as conn:
            return repo.count_live(conn)

    # -- verification (every HTTP request) ----------------------------------------------------

    def remembered(self, text: str, kind: str = TOKEN_KIND) -> tuple[bool, Identity | None]:
        """(True, the answer) when the answer is known without the database: `text` is not shaped
        like a secret of `kind`, or this process verified it within REVALIDATE. The event loop may ask."""
        if key_id_of(text, kind) is None:
            return True, None
        answer = self._answers.get(digest(text))
        if answer is None or self._clock.now() - answer.checked_at >= REVALIDATE:
            return False, None
        return True, answer.identity

    def identify(self, token: str) -> Identity | None:
        """The live agent whose token this is, or None (unknown, malformed or revoked)."""
        return self._verified(token, TOKEN_KIND, self._agent_of)

    def identify_session(self, cookie: str) -> Identity | None:
        """The live agent a board session cookie stands for, or None (unknown, expired, revoked)."""
        return self._verified(cookie, SESSION_KIND, self._session_agent_of)

    def open_session(self, token: str) -> str | None:
        """A board session cookie for the agent whose token this is; None for a token that proves nothing."""
        if self.identify(token) is None:
            return None
        secret = new_secret(SESSION_KIND)

        def work(conn: Connection) -> bool:
            agent = repo.by_key_id(conn, key_id_of(token, TOKEN_KIND) or "")
            if agent is None or agent["revoked_at"] is not None:
                return False
            now = self._clock.now()
            repo.delete_expired_sessions(conn, now)
            values = {
                "key_id": secret.key_id,
                "secret_digest": secret.digest,
                "agent_id": agent["id"],
                "created_at": now,
                "expires_at": now + SESSION_LIFETIME,
            }
            repo.insert_session(conn, values)
            return True

        return secret.text if self._db.write(work) else None

    def close_session(self, cookie: str) -> None:
        """Ends a board session (signing out); a cookie that names none changes nothing."""
        key_id = key_id_of(cookie, SESSION_KIND)
        if key_id is not None and self.identify_session(cookie) is not None:
            self._db.write(lambda conn: repo.delete_session(conn, key_id))
            self._remember(cookie, None)

    def _verified(self, text: str, kind: str, lookup: Callable[[str, str], Identity | None]) -> Identity | None:
        known, identity = self.remembered(text, kind)
        key_id = key_id_of(text, kind)
        if known or key_id is None:
            return identity
        try:
            identity = lookup(text, key_id)
        except DatabaseUnavailableError:
            last = self._answers.get(digest(text))
            return None if last is None else last.identity
        self._remember(text, identity)
        return identity

    def _remember(self, text: str, identity: Identity | None) -> None:
        with self._lock:
            key = digest(text)
            self._answers.pop(key, None)
            self._answers[key] = _Answer(identity, self._clock.now())
            while len(self._answers) > REMEMBERED:
                self._answers.popitem(last=False)

    def _agent_of(self, token: str, key_id: str) -> Identity | None:
        with self._db.reading() as conn:
            row = repo.by_key_id(conn, key_id)
        if row is None or row["revoked_at"] is not None or not proves(token, row["token_digest"]):
            return None
        return Identity(row["name"], Role(row["role"]))

    def _session_agent_of(self, cookie: str, key_id: str) -> Identity | None:
        with self._db.reading() as conn:
            row = repo.session_by_key_id(conn, key_id)
        if row is None or row["revoked_at"] is not None or not proves(cookie, row["secret_digest"]):
            return None
        if as_utc(row["expires_at"]) <= self._clock.now():
            return None
        return Identity(row["name"], Role(row["role"]))
