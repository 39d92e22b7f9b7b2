"""Identities of an HTTP server: agents with a role, proved by a bearer token.

Roles are ordered: `viewer` reads, `agent` also writes and claims, `admin` also archives,
migrates and lists sync conflicts. A tool names the least role it needs.

A secret (an agent's token, a board session's cookie) reads `<kind>_<key id>_<secret>`:
the key id (public, 16 hex digits) finds the row, and the SHA-256 of the whole text,
compared in constant time, proves it. Only the digest is stored. A fast hash is enough
here: the secret is 32 random bytes, so there is nothing to guess that a slow, salted
hash (bcrypt, scrypt) would protect, and every request checks one.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum

from statusboard.domain.errors import ValidationError

NAME_MAX_CHARS = 100
KEY_ID_CHARS = 16
SECRET_BYTES = 32
TOKEN_KIND = "sb"
SESSION_KIND = "sbs"


class Role(StrEnum):
    VIEWER = "viewer"
    AGENT = "agent"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    def allows(self, needed: Role) -> bool:
        """Whether a caller with this role may call a tool that needs `needed`."""
        return self.rank >= needed.rank


_RANKS = {Role.VIEWER: 0, Role.AGENT: 1, Role.ADMIN: 2}


@dataclass(frozen=True)
class Identity:
    """A verified caller: the agent's name (the actor of its writes) and its role."""

    name: str
    role: Role


def checked_name(name: str) -> str:
    """An agent's name: 1-100 printable characters, without blanks at either end."""
    if not name or len(name) > NAME_MAX_CHARS:
        raise ValidationError.single("name", f"must be 1 to {NAME_MAX_CHARS} characters")
    if not name.isprintable() or name != name.strip():
        raise ValidationError.single("name", "must be printable characters without blanks at either end")
    return name


def checked_role(role: str) -> Role:
    try:
        return Role(role)
    except ValueError:
        allowed = ", ".join(r.value for r in Role)
        raise ValidationError.single("role", f"must be one of {allowed}") from None


@dataclass(frozen=True)
class Secret:
    """A new secret: `text` goes to its owner once; `key_id` and `digest` are what is stored."""

    text: str
    key_id: str
    digest: str


def new_secret(kind: str) -> Secret:
    key_id = secrets.token_hex(KEY_ID_CHARS // 2)
    text = f"{kind}_{key_id}_{secrets.token_urlsafe(SECRET_BYTES)}"
    return Secret(text, key_id, digest(text))


def key_id_of(text: str, kind: str) -> str | None:
    """The key id a presented secret names, or None when it is not shaped like one of `kind`."""
    prefix = f"{kind}_"
    if not text.startswith(prefix) or len(text) > 200:
        return None
    key_id = text[len(prefix) : len(prefix) + KEY_ID_CHARS]
    rest = text[len(prefix) + KEY_ID_CHARS :]
    if len(key_id) != KEY_ID_CHARS or not rest.startswith("_") or len(rest) < 2:
        return None
    if any(ch not in "0123456789abcdef" for ch in key_id):
        return None
    return key_id


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def proves(text: str, stored_digest: str) -> bool:
    """Whether a presented secret is the one whose digest was stored (constant time)."""
    return hmac.compare_digest(digest(text).encode(), stored_digest.encode())
