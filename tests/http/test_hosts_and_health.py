"""Every route checks Host and Origin on every bind (`--allowed-host` adds names), and /health
says only its status to anyone, the details (paths among them) to an admin's token."""

from __future__ import annotations

import httpx2
import pytest

from statusboard.interfaces.http.app import build_http_app
from statusboard.interfaces.http.hosts import is_loopback
from statusboard.wiring import App
from tests.http.conftest import CALL_TIMEOUT_S, Serve, post_mcp, register

ROUTES = ["/health", "/", "/login"]


def _get(url: str, path: str, token: str | None = None, **headers: str) -> httpx2.Response:
    if token is not None:
        headers["authorization"] = f"Bearer {token}"
    return httpx2.get(f"{url}{path}", headers=headers, timeout=CALL_TIMEOUT_S)


@pytest.mark.parametrize("tokens", [False, True])
def test_every_route_refuses_a_foreign_host_and_origin_on_loopback(http_app: App, serve: Serve, tokens: bool) -> None:
    token = register(http_app, "boss", "admin")
    url = serve(http_app, tokens=tokens)
    for path in ROUTES:
        assert _get(url, path, token, host="evil.example:80").status_code == 421, path
        assert _get(url, path, token, origin="http://evil.example").status_code == 403, path
        assert _get(url, path, token).status_code < 400, path  # /login without tokens sends you to /
    assert post_mcp(url, token, host="evil.example:80").status_code == 421
    assert post_mcp(url, token, origin="http://evil.example").status_code == 403
    refused_login = httpx2.post(
        f"{url}/login", data={"token": token}, headers={"origin": "http://evil.example"}, timeout=CALL_TIMEOUT_S
    )
    assert refused_login.status_code == 403 and "set-cookie" not in refused_login.headers


def test_a_non_loopback_bind_still_checks_host_and_origin(http_app: App, serve: Serve) -> None:
    """Served on loopback here, but built as for `--host 0.0.0.0 --allowed-host board.example`:
    the SDK's own default would check nothing there."""
    token = register(http_app, "boss", "admin")
    asgi = build_http_app(http_app, "0.0.0.0", tokens=True, allowed_hosts=["board.example"])
    url = serve(asgi=asgi)
    for path in ROUTES:
        assert _get(url, path, token, host="evil.example:8765").status_code == 421, path
        assert _get(url, path, token, host="board.example").status_code == 200, path  # a proxy on 443: no port
        assert _get(url, path, token, host="board.example:8765").status_code == 200, path
        assert _get(url, path, token, host="board.example", origin="https://board.example").status_code == 200
        assert _get(url, path, token, host="board.example", origin="https://evil.example").status_code == 403
    assert post_mcp(url, token, host="evil.example").status_code == 421
    assert post_mcp(url, token, host="board.example").status_code == 200


def test_an_allowed_host_with_a_port_is_allowed_with_that_port_only(http_app: App, serve: Serve) -> None:
    url = serve(asgi=build_http_app(http_app, "0.0.0.0", allowed_hosts=["10.1.2.3:8765"]))
    assert _get(url, "/health", host="10.1.2.3:8765").status_code == 200
    assert _get(url, "/health", host="10.1.2.3:9999").status_code == 421
    assert _get(url, "/health", host="10.1.2.3").status_code == 421


def test_a_bind_to_one_address_answers_that_address(http_app: App, serve: Serve) -> None:
    url = serve(asgi=build_http_app(http_app, "10.1.2.3", tokens=True))
    assert _get(url, "/health", host="10.1.2.3:8765").status_code == 200
    assert _get(url, "/health", host="10.9.9.9:8765").status_code == 421


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        *[("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True), ("::1", True), ("[::1]", True)],
        *[("0.0.0.0", False), ("::", False), ("10.0.0.5", False), ("board.example", False)],
    ],
)
def test_only_loopback_addresses_count_as_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


@pytest.mark.parametrize("tokens", [False, True])
def test_health_says_only_its_status_to_anyone(http_app: App, serve: Serve, tokens: bool) -> None:
    viewer, agent = register(http_app, "watcher", "viewer"), register(http_app, "worker", "agent")
    url = serve(http_app, tokens=tokens)
    for token in (None, viewer, agent):
        response = _get(url, "/health", token)
        assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_health_shows_an_admin_the_details(http_app: App, serve: Serve) -> None:
    url = serve(http_app, tokens=True)
    body = _get(url, "/health", register(http_app, "boss", "admin")).json()
    assert body["status"] == "ok" and body["primary"]["state"] == "up" and body["journal"]["pending"] == 0
    assert "path" in body["cache"] and "version" in body
