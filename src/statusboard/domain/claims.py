"""Claims: an agent's expiring lease on a work item, fenced by a token that carries an epoch.

Each new claim on an item gets the next epoch, so a token from an earlier claim can
never match again, even after the item was released and claimed anew.

Possession of the token, never a name, proves a claim: a name is only what a caller says it
is (two processes of one agent, or anyone declaring it, share it). So the token is handed to
the call that created the claim and to callers that present it, and to no one else; every
other answer shows a claim as `shown` does.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from statusboard.domain.entities import Claim, ClaimLease, ClaimShown
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


def shown(claim: ClaimLease | None, now: datetime) -> ClaimShown | None:
    """The claim as a work item result shows it: its holder and expiry while it is live, else None."""
    if not is_live(claim, now):
        return None
    assert claim is not None
    return {"holder": claim["holder"], "expires_at": claim["expires_at"]}


class OwnClaimConflictError(ClaimConflictError):
    """A ClaimConflictError where the caller's own name holds the claim: it must show the token."""

    def __init__(self, holder: str, expires_at: str) -> None:
        super().__init__(holder, expires_at)
        self.message = (
            f"busy: claimed by {holder} (your name) until {expires_at}; a name proves nothing: "
            "pass the claim_token your claim returned"
        )
        self.args = (self.message,)


def busy(holder: str, expires_at: str, asker: str) -> ClaimConflictError:
    """The refusal of a claim or a write without the token of the live claim held by `holder`."""
    if holder == asker:
        return OwnClaimConflictError(holder, expires_at)
    return ClaimConflictError(holder, expires_at)


def write_refusal(claim: Claim | None, token: str | None, now: datetime, writer: str) -> Exception | None:
    """Why a write by `writer` carrying `token` (or none) may not touch an item whose open claim is `claim`."""
    live = claim if is_live(claim, now) else None
    if token is None:
        return None if live is None else busy(live["holder"], live["expires_at"], writer)
    if live is not None and live["token"] == token:
        return None
    return LeaseExpiredError(None if live is None else live["holder"])
