"""Claims: an agent's expiring lease on a work item, fenced by a token that carries an epoch.

Each new claim on an item gets the next epoch, so a token from an earlier claim can
never match again, even after the item was released and claimed anew.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from statusboard.domain.entities import Claim, ClaimLease
from statusboard.domain.errors import ClaimConflictError, LeaseExpiredError

DEFAULT_LEASE_SECONDS = 900
MAX_LEASE_SECONDS = 7 * 24 * 3600


def new_token(epoch: int) -> str:
    return token(epoch, new_secret())


def new_secret() -> str:
    return secrets.token_hex(16)


def token(epoch: int, secret: str) -> str:
    """A claim's token: its epoch, then a secret. (The one-statement claim on PostgreSQL builds
    the same text in SQL: storage/repositories/fresh_claims.py.)"""
    return f"{epoch}.{secret}"


def is_live(claim: ClaimLease | None, now: datetime) -> bool:
    return claim is not None and claim["ended_at"] is None and datetime.fromisoformat(claim["expires_at"]) > now


def write_refusal(claim: Claim | None, token: str | None, now: datetime) -> Exception | None:
    """Why a write carrying `token` (or none) may not touch an item whose open claim is `claim`."""
    live = claim if is_live(claim, now) else None
    if token is None:
        return None if live is None else ClaimConflictError(live["holder"], live["expires_at"])
    if live is not None and live["token"] == token:
        return None
    return LeaseExpiredError(None if live is None else live["holder"])
