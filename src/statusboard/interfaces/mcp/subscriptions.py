"""Resource subscriptions on both protocol generations, fed by the process's one change watcher.

- 2026-07-28: `subscriptions/listen` with `resourceSubscriptions`, served by the SDK's
  ListenHandler over an in-process bus on which this module publishes `ResourceUpdated`;
- earlier protocols: `resources/subscribe` / `resources/unsubscribe`, answered with
  `notifications/resources/updated` on the connection's standalone channel.

While anyone is subscribed to a resource, one pump per server follows the change feed
(services/change_feed.py: PostgreSQL NOTIFY, or SQLite's last seq watched while anyone listens)
and, for each new entry, tells the subscribers of every resource it changes
(resources.changed_by). The change log is written by every process and every server on the
database, so a write anywhere reaches the subscribers. A subscribe is answered only once the pump
follows the feed: a write committed after the answer is never missed. When the last subscriber
goes (unsubscribes, ends its listen stream or disconnects) the pump stops, and with it the watch.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import anyio
import mcp_types as types
from mcp.server.context import ServerRequestContext
from mcp.server.session import ServerSession
from mcp.server.subscriptions import InMemorySubscriptionBus, ListenHandler, ResourceUpdated

from statusboard.domain.errors import ValidationError
from statusboard.interfaces.mcp.callers import Callers
from statusboard.interfaces.mcp.resources import as_mcp_error, changed_by, known, viewer
from statusboard.services.change_feed import ChangeFeed, FellBehind

log = logging.getLogger(__name__)

# A subscribe waits this long for the pump to follow the feed (the primary may be down: the pump
# keeps trying, and the subscription stands).
READY_TIMEOUT_S = 5.0
# An older client's notification that cannot be written within this is dropped with its subscriptions.
SEND_TIMEOUT_S = 5.0
RETRY_AFTER_ERROR_S = 1.0
MAX_BATCH = 1000  # entries already queued are told about together, each resource once


@dataclass
class _Connection:
    """An older-protocol client's subscriptions, and a session to reach its connection with."""

    session: ServerSession
    uris: set[str] = field(default_factory=set)


class ResourceNotifier:
    def __init__(self, feed: ChangeFeed, callers: Callers) -> None:
        self._feed = feed
        self._callers = callers
        self._bus = InMemorySubscriptionBus()
        self._listen = ListenHandler(self._bus)
        self._interest: Counter[str] = Counter()  # subscribed URIs, counted over both generations
        self._connections: dict[object, _Connection] = {}  # by the SDK's per-client Connection
        self._pump: asyncio.Task[None] | None = None
        self._following: asyncio.Event | None = None

    @property
    def subscribed(self) -> frozenset[str]:
        return frozenset(self._interest)

    # -- 2026-07-28 ---------------------------------------------------------------------

    async def listen(
        self, ctx: ServerRequestContext[Any], params: types.SubscriptionsListenRequestParams
    ) -> types.SubscriptionsListenResult:
        viewer(self._callers, ctx, "subscriptions/listen")
        uris = [uri for uri in params.notifications.resource_subscriptions or () if known(uri)]
        self._add(uris)
        try:
            await self._followed()
            return await self._listen(ctx, params)  # until the client ends the stream or goes away
        finally:
            self._remove(uris)

    # -- earlier protocols --------------------------------------------------------------

    async def subscribe(
        self, ctx: ServerRequestContext[Any], params: types.SubscribeRequestParams
    ) -> types.EmptyResult:
        viewer(self._callers, ctx, "resources/subscribe")
        if not known(params.uri):
            raise as_mcp_error(ValidationError.single("uri", f"not a statusboard resource: {params.uri}"))
        key, connection = _connection_of(ctx)
        subscriber = self._connections.get(key)
        if subscriber is None:
            subscriber = self._connections[key] = _Connection(ctx.session)
            if connection is not None:  # forget its subscriptions when the client goes away
                connection.exit_stack.callback(self._forget, key)
        if params.uri not in subscriber.uris:
            subscriber.uris.add(params.uri)
            self._add([params.uri])
        await self._followed()
        return types.EmptyResult()

    async def unsubscribe(
        self, ctx: ServerRequestContext[Any], params: types.UnsubscribeRequestParams
    ) -> types.EmptyResult:
        key, _ = _connection_of(ctx)
        subscriber = self._connections.get(key)
        if subscriber is not None and params.uri in subscriber.uris:
            subscriber.uris.discard(params.uri)
            self._remove([params.uri])
        return types.EmptyResult()

    def _forget(self, key: object) -> None:
        subscriber = self._connections.pop(key, None)
        if subscriber is not None:
            self._remove(subscriber.uris)

    # -- the pump -----------------------------------------------------------------------

    def _add(self, uris: Iterable[str]) -> None:
        self._interest.update(uris)
        if self._interest and self._pump is None:
            self._following = asyncio.Event()
            self._pump = asyncio.create_task(self._run(self._following), name="statusboard-resource-notifier")

    def _remove(self, uris: Iterable[str]) -> None:
        self._interest.subtract(uris)
        self._interest = +self._interest  # drop the URIs nobody follows any more
        if not self._interest and self._pump is not None:
            self._pump.cancel()
            self._pump = self._following = None

    async def _followed(self) -> None:
        """Returns once the pump follows the feed (or after READY_TIMEOUT_S)."""
        following = self._following
        if following is not None:
            with anyio.move_on_after(READY_TIMEOUT_S):
                await following.wait()

    async def _run(self, following: asyncio.Event) -> None:
        since: int | None = None  # after a drop, resume where the pump was: nothing is lost
        while True:
            try:
                async with self._feed.subscribe(since) as entries:
                    following.set()
                    while True:
                        entry = await entries.next()
                        assert entry is not None  # no timeout
                        changed = dict.fromkeys(changed_by(entry))  # in the order of the writes
                        for _ in range(MAX_BATCH):
                            more = await entries.next(timeout=0)
                            if more is None:
                                break
                            changed.update(dict.fromkeys(changed_by(more)))
                        since = entries.last_seq
                        await self._publish([uri for uri in changed if uri in self._interest])
            except FellBehind:
                log.info("the resource notifier fell behind the change feed; resuming after seq %s", since)
            except Exception:
                log.exception("the resource notifier failed; trying again")
                await asyncio.sleep(RETRY_AFTER_ERROR_S)

    async def _publish(self, uris: list[str]) -> None:
        for uri in uris:
            await self._bus.publish(ResourceUpdated(uri=uri))
            for key, subscriber in list(self._connections.items()):
                if uri in subscriber.uris:
                    await self._tell(key, subscriber, uri)

    async def _tell(self, key: object, subscriber: _Connection, uri: str) -> None:
        sent = False
        with anyio.move_on_after(SEND_TIMEOUT_S):
            with contextlib.suppress(Exception):  # a client gone away: its subscriptions go below
                await subscriber.session.send_resource_updated(uri)
                sent = True
        if not sent:
            log.info("dropping the resource subscriptions of a client that does not take notifications")
            self._forget(key)


def _connection_of(ctx: ServerRequestContext[Any]) -> tuple[object, Any]:
    """The SDK's per-client Connection of this request (it outlives the request's session proxy),
    as the key of its subscriptions, and as the object whose `exit_stack` unwinds when the client
    goes away (None if not found). ServerRequestContext does not expose it (the SDK's newer
    Context does, as `connection`)."""
    connection = getattr(ctx.session, "_connection", None)
    return (connection if connection is not None else ctx.session), connection
