"""The board where tokens are on: viewing needs an agent (any role), proved by a token in the
Authorization header or by the session cookie `/login` gives for one; anonymous viewers are
refused, pages, fragments and the event stream alike."""

from __future__ import annotations

import httpx2
import pytest

from statusboard.domain.work_items import NewWorkItem
from statusboard.interfaces.web.login import SESSION_COOKIE
from statusboard.services.agents import REVALIDATE
from statusboard.wiring import App
from tests.http.conftest import CALL_TIMEOUT_S, Serve, register
from tests.support.clock import ManualClock

HTML = {"accept": "text/html"}


def _client(url: str, token: str | None = None) -> httpx2.Client:
    headers = {} if token is None else {"authorization": f"Bearer {token}"}
    return httpx2.Client(base_url=url, headers=headers, timeout=CALL_TIMEOUT_S)


def _item(app: App) -> str:
    return str(app.work_items.create("planner", NewWorkItem(item_type="task", title="Parse Excel exports"))["id"])


def _first_event(client: httpx2.Client, since: int = 0) -> tuple[int, str]:
    """The status and first data line of /events (bounded: the stream replays since `since` at once)."""
    with client.stream("GET", f"/events?since={since}") as response:
        if response.status_code != 200:
            return response.status_code, ""
        for line in response.iter_lines():
            if line.startswith("data:"):
                return 200, line
    return 200, ""


def _sign_in(client: httpx2.Client, token: str, target: str = "/") -> httpx2.Response:
    return client.post("/login", data={"token": token, "next": target}, follow_redirects=False)


def test_with_tokens_the_board_refuses_an_anonymous_viewer(http_app: App, serve: Serve) -> None:
    register(http_app, "watcher", "viewer")
    item_id = _item(http_app)
    url = serve(http_app, tokens=True)
    with _client(url) as anonymous:
        page = anonymous.get("/", headers=HTML)
        assert page.status_code == 401 and 'action="/login"' in page.text and "Parse Excel" not in page.text
        assert anonymous.get(f"/items/{item_id}", headers=HTML).status_code == 401
        fragment = anonymous.get("/?fragment=1")
        assert fragment.status_code == 401 and "Parse Excel" not in fragment.text
        assert _first_event(anonymous) == (401, "")


def test_a_token_that_proves_no_one_is_refused_even_with_a_session_cookie(http_app: App, serve: Serve) -> None:
    token = register(http_app, "watcher", "viewer")
    url = serve(http_app, tokens=True)
    with _client(url) as browser:
        assert _sign_in(browser, token).status_code == 303
        assert browser.get("/").status_code == 200
        assert browser.get("/", headers={"authorization": "Bearer sb_0123456789abcdef_wrong"}).status_code == 401


@pytest.mark.parametrize("role", ["viewer", "agent", "admin"])
def test_any_role_views_the_board_with_its_token_in_the_header(http_app: App, serve: Serve, role: str) -> None:
    token = register(http_app, "someone", role)
    item_id = _item(http_app)
    url = serve(http_app, tokens=True)
    with _client(url, token) as viewer:
        assert "Parse Excel exports" in viewer.get("/").text
        assert viewer.get(f"/items/{item_id}").status_code == 200
        status, data = _first_event(viewer)
        assert status == 200 and item_id in data


def test_login_exchanges_a_token_once_for_a_session_cookie(http_app: App, serve: Serve) -> None:
    token = register(http_app, "watcher", "viewer")
    item_id = _item(http_app)
    url = serve(http_app, tokens=True)
    with _client(url) as browser:
        signed_in = _sign_in(browser, token, f"/items/{item_id}")
        assert signed_in.status_code == 303 and signed_in.headers["location"] == f"/items/{item_id}"
        cookie_header = signed_in.headers["set-cookie"]
        cookie = browser.cookies[SESSION_COOKIE]
        assert cookie != token and token.rsplit("_", 1)[-1] not in cookie_header
        assert "HttpOnly" in cookie_header and "samesite=strict" in cookie_header.lower()
        assert "Parse Excel exports" in browser.get("/").text
        assert browser.get(f"/items/{item_id}").status_code == 200
        status, data = _first_event(browser)  # the event stream honours the cookie too
        assert status == 200 and item_id in data


def test_a_wrong_token_at_login_gets_the_form_again_and_no_cookie(http_app: App, serve: Serve) -> None:
    register(http_app, "watcher", "viewer")
    url = serve(http_app, tokens=True)
    with _client(url) as browser:
        refused = _sign_in(browser, "sb_0123456789abcdef_guessed")
        assert refused.status_code == 401 and 'action="/login"' in refused.text
        assert "set-cookie" not in refused.headers
        assert browser.get("/", headers=HTML).status_code == 401


def test_login_sends_the_browser_only_to_a_path_on_this_server(http_app: App, serve: Serve) -> None:
    token = register(http_app, "watcher", "viewer")
    url = serve(http_app, tokens=True)
    with _client(url) as browser:
        for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
            assert _sign_in(browser, token, target).headers["location"] == "/"


def test_a_revoked_agents_session_cookie_stops_working(http_app: App, serve: Serve, clock: ManualClock) -> None:
    token = register(http_app, "watcher", "viewer")
    url = serve(http_app, tokens=True)
    with _client(url) as browser:
        _sign_in(browser, token)
        assert browser.get("/").status_code == 200
        http_app.agents.revoke("watcher")
        clock.advance(REVALIDATE.total_seconds())
        assert browser.get("/", headers=HTML).status_code == 401
        assert _first_event(browser) == (401, "")


def test_signing_out_ends_the_session(http_app: App, serve: Serve) -> None:
    token = register(http_app, "watcher", "viewer")
    url = serve(http_app, tokens=True)
    with _client(url) as browser:
        _sign_in(browser, token)
        cookie = browser.cookies[SESSION_COOKIE]
        assert browser.post("/logout", follow_redirects=False).status_code == 303
    with _client(url) as replay:  # the old cookie, sent again by hand, proves nothing now
        assert replay.get("/", headers={**HTML, "cookie": f"{SESSION_COOKIE}={cookie}"}).status_code == 401


def test_without_tokens_the_loopback_board_is_open_and_login_leads_back_to_it(http_app: App, serve: Serve) -> None:
    url = serve(http_app, tokens=False)
    with _client(url) as browser:
        assert browser.get("/").status_code == 200
        assert browser.get("/login", follow_redirects=False).headers["location"] == "/"


def test_behind_a_tls_proxy_the_session_cookie_is_secure(http_app: App, serve: Serve) -> None:
    token = register(http_app, "watcher", "viewer")
    url = serve(http_app, tokens=True)
    with _client(url) as browser:
        plain = _sign_in(browser, token).headers["set-cookie"]
        proxied = browser.post(
            "/login", data={"token": token}, headers={"x-forwarded-proto": "https"}, follow_redirects=False
        ).headers["set-cookie"]
    assert "secure" not in plain.lower() and "secure" in proxied.lower()
