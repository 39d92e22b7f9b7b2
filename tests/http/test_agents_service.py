"""The identities: registered, listed and revoked in the primary database; tokens and board
session cookies proved by their digest only; a revoke seen by a process within REVALIDATE."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from statusboard.domain.agents import Identity, Role
from statusboard.domain.errors import NotFoundError, ValidationError
from statusboard.services.agents import REVALIDATE, SESSION_LIFETIME
from statusboard.storage.tables import agent_sessions, agents
from statusboard.wiring import App
from tests.support.clock import ManualClock

WAIT = REVALIDATE.total_seconds()


def test_a_token_proves_its_agent_and_role(clocked_app: App) -> None:
    token = clocked_app.agents.add("claude-1", "viewer").token
    assert clocked_app.agents.identify(token) == Identity("claude-1", Role.VIEWER)
    assert clocked_app.agents.list()[0]["name"] == "claude-1"


def test_an_unknown_role_is_refused(clocked_app: App) -> None:
    with pytest.raises(ValidationError) as refused:
        clocked_app.agents.add("claude-1", "root")
    assert refused.value.details["field"] == "role"


def test_only_a_digest_of_the_token_is_stored(clocked_app: App) -> None:
    token = clocked_app.agents.add("claude-1", "agent").token
    with clocked_app.db.engine.connect() as conn:
        (row,) = conn.execute(select(agents)).mappings().all()
    secret = token.rsplit("_", 1)[-1]
    assert all(secret not in str(value) for value in row.values())
    assert len(token) >= 3 + 16 + 1 + 43  # sb_, key id, _, 32 random bytes in base64


def test_tokens_are_random(clocked_app: App) -> None:
    first = clocked_app.agents.add("one", "agent").token
    second = clocked_app.agents.add("two", "agent").token
    assert first != second and first[:19] != second[:19]


@pytest.mark.parametrize(
    "forged",
    ["", "sb_", "Bearer x", "sb_0123456789abcdef_", "sbs_0123456789abcdef_secret", "x" * 500],
)
def test_text_shaped_unlike_a_token_proves_no_one(clocked_app: App, forged: str) -> None:
    clocked_app.agents.add("claude-1", "admin")
    assert clocked_app.agents.identify(forged) is None


def test_a_forged_secret_behind_a_real_key_id_proves_no_one(clocked_app: App) -> None:
    token = clocked_app.agents.add("claude-1", "admin").token
    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert clocked_app.agents.identify(forged) is None
    assert clocked_app.agents.identify(token) is not None


def test_a_revoked_token_proves_no_one_once_the_process_asks_again(clocked_app: App, clock: ManualClock) -> None:
    token = clocked_app.agents.add("claude-1", "agent").token
    assert clocked_app.agents.identify(token) is not None
    clocked_app.agents.revoke("claude-1")
    # Within REVALIDATE this process keeps its answer; then it asks the database again.
    assert clocked_app.agents.identify(token) is not None
    clock.advance(WAIT)
    assert clocked_app.agents.identify(token) is None


def test_a_revoke_in_another_process_reaches_this_one(database_url: str, clocked_app: App, clock: ManualClock) -> None:
    from statusboard.config import Settings
    from statusboard.wiring import build_app

    token = clocked_app.agents.add("claude-1", "agent").token
    assert clocked_app.agents.identify(token) is not None
    other = build_app(Settings(database_url=database_url))
    try:
        other.agents.revoke("claude-1")
    finally:
        other.close()
    clock.advance(WAIT)
    assert clocked_app.agents.identify(token) is None


def test_one_live_agent_per_name_and_a_revoked_name_may_return(clocked_app: App) -> None:
    old = clocked_app.agents.add("claude-1", "agent").token
    with pytest.raises(ValidationError) as refused:
        clocked_app.agents.add("claude-1", "admin")
    assert refused.value.details["field"] == "name"
    clocked_app.agents.revoke("claude-1")
    new = clocked_app.agents.add("claude-1", "viewer").token
    assert clocked_app.agents.identify(new) == Identity("claude-1", Role.VIEWER)
    assert clocked_app.agents.identify(old) is None
    assert [a["revoked_at"] is None for a in clocked_app.agents.list(include_revoked=True)] == [False, True]
    assert clocked_app.agents.count_live() == 1


def test_revoking_an_unknown_agent_is_not_found(clocked_app: App) -> None:
    with pytest.raises(NotFoundError) as missing:
        clocked_app.agents.revoke("nobody")
    assert missing.value.details == {"entity": "agent", "name": "nobody"}


@pytest.mark.parametrize("name", ["", " padded", "padded ", "two\nlines", "tab\there", "x" * 101])
def test_names_are_1_to_100_printable_characters(clocked_app: App, name: str) -> None:
    with pytest.raises(ValidationError) as refused:
        clocked_app.agents.add(name, "agent")
    assert refused.value.details["field"] == "name"


def test_a_name_of_100_printable_characters_is_accepted(clocked_app: App) -> None:
    name = "é" * 50 + "agent with spaces " + "x" * 32
    assert len(name) == 100
    assert clocked_app.agents.add(name, "agent").agent["name"] == name


def test_a_session_cookie_stands_for_its_agent_and_is_not_the_token(clocked_app: App) -> None:
    token = clocked_app.agents.add("alice", "viewer").token
    cookie = clocked_app.agents.open_session(token)
    assert cookie is not None and cookie != token and token.rsplit("_", 1)[-1] not in cookie
    assert clocked_app.agents.identify_session(cookie) == Identity("alice", Role.VIEWER)
    assert clocked_app.agents.identify(cookie) is None  # a cookie is no bearer token
    assert clocked_app.agents.identify_session(token) is None  # nor a token a cookie
    with clocked_app.db.engine.connect() as conn:
        (row,) = conn.execute(select(agent_sessions)).mappings().all()
    assert all(cookie.rsplit("_", 1)[-1] not in str(value) for value in row.values())


def test_a_token_that_proves_no_one_opens_no_session(clocked_app: App) -> None:
    assert clocked_app.agents.open_session("sb_0123456789abcdef_nothing") is None


def test_a_session_ends_when_it_expires(clocked_app: App, clock: ManualClock) -> None:
    cookie = clocked_app.agents.open_session(clocked_app.agents.add("alice", "viewer").token)
    assert cookie is not None
    clock.advance(SESSION_LIFETIME.total_seconds())
    assert clocked_app.agents.identify_session(cookie) is None


def test_a_session_ends_with_its_agent(clocked_app: App, clock: ManualClock) -> None:
    cookie = clocked_app.agents.open_session(clocked_app.agents.add("alice", "viewer").token)
    assert cookie is not None and clocked_app.agents.identify_session(cookie) is not None
    clocked_app.agents.revoke("alice")
    clock.advance(WAIT)
    assert clocked_app.agents.identify_session(cookie) is None


def test_signing_out_ends_the_session_at_once(clocked_app: App) -> None:
    cookie = clocked_app.agents.open_session(clocked_app.agents.add("alice", "viewer").token)
    assert cookie is not None and clocked_app.agents.identify_session(cookie) is not None
    clocked_app.agents.close_session(cookie)
    assert clocked_app.agents.identify_session(cookie) is None


def test_while_the_primary_is_unreachable_only_tokens_seen_before_still_prove(
    clocked_app: App, clock: ManualClock
) -> None:
    seen = clocked_app.agents.add("seen", "agent").token
    unseen = clocked_app.agents.add("unseen", "agent").token
    assert clocked_app.agents.identify(seen) is not None
    clocked_app.db.mark_unreachable("test: the primary is down")
    clock.advance(WAIT)
    assert clocked_app.agents.identify(seen) == Identity("seen", Role.AGENT)
    assert clocked_app.agents.identify(unseen) is None
    clocked_app.db.mark_unreachable(None)
    assert clocked_app.agents.identify(unseen) == Identity("unseen", Role.AGENT)
