"""Resource-update notifications as a client receives them, on both protocol generations."""

from __future__ import annotations

from typing import Any

import anyio
import mcp_types as types
from mcp.client.subscriptions import Subscription

WAIT_S = 10.0  # the contract says 1 s; a loaded test machine gets room, and no test waits for nothing


class Updates:
    """An older-protocol client's `message_handler`: keeps the URIs of notifications/resources/updated
    in the order they came."""

    def __init__(self) -> None:
        self.uris: list[str] = []
        self._arrived = anyio.Event()

    async def __call__(self, message: Any) -> None:
        if isinstance(message, types.ResourceUpdatedNotification):
            self.uris.append(message.params.uri)
            self._arrived.set()
            self._arrived = anyio.Event()

    async def wait_for(self, uri: str, timeout: float = WAIT_S) -> None:
        with anyio.fail_after(timeout):
            while uri not in self.uris:
                await self._arrived.wait()


async def next_updates(subscription: Subscription, wanted: set[str], timeout: float = WAIT_S) -> list[str]:
    """The URIs a 2026-07-28 listen stream tells of, in order, until it has told of every one in `wanted`."""
    seen: list[str] = []
    with anyio.fail_after(timeout):
        async for event in subscription:
            uri = getattr(event, "uri", None)
            if uri is not None:
                seen.append(uri)
            if wanted <= set(seen):
                return seen
    raise AssertionError(f"the stream ended after {seen}, before telling of {wanted - set(seen)}")
