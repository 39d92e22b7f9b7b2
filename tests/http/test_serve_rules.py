"""When `serve` checks tokens, and where it refuses to start without them."""

from __future__ import annotations

import pytest

from statusboard.interfaces.http.app import ServeRefused, tokens_required
from statusboard.wiring import App
from tests.http.conftest import register


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_without_agents_a_loopback_server_runs_without_tokens(http_app: App, host: str) -> None:
    assert tokens_required(http_app, host, None) is False


def test_tokens_are_required_as_soon_as_one_agent_is_registered(http_app: App) -> None:
    register(http_app, "claude-1")
    assert tokens_required(http_app, "127.0.0.1", None) is True
    assert tokens_required(http_app, "0.0.0.0", None) is True


def test_auth_tokens_requires_them_even_before_any_agent_is_registered(http_app: App) -> None:
    assert tokens_required(http_app, "0.0.0.0", "tokens") is True


def test_auth_none_turns_them_off_on_loopback_only(http_app: App) -> None:
    register(http_app, "claude-1")
    assert tokens_required(http_app, "127.0.0.1", "none") is False
    with pytest.raises(ServeRefused, match="with --auth none"):
        tokens_required(http_app, "0.0.0.0", "none")


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "board.example"])
def test_without_agents_any_other_bind_refuses_to_start(http_app: App, host: str) -> None:
    with pytest.raises(ServeRefused, match="while no agent is registered"):
        tokens_required(http_app, host, None)


def test_without_tokens_a_name_from_elsewhere_is_refused_even_on_loopback(http_app: App) -> None:
    """Behind a reverse proxy the bind is loopback, but whoever reaches the proxy reaches it."""
    with pytest.raises(ServeRefused, match=r"board\.example"):
        tokens_required(http_app, "127.0.0.1", None, ["board.example"])
    assert tokens_required(http_app, "127.0.0.1", None, ["localhost:8765", "[::1]:8765", "127.0.0.1"]) is False


def test_a_registry_that_cannot_be_read_is_taken_as_not_empty(http_app: App) -> None:
    http_app.db.mark_unreachable("test: the primary is down")
    assert tokens_required(http_app, "127.0.0.1", None) is True
