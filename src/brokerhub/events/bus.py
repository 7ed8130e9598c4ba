"""The event bus: every subscriber in every API process sees every published event.

In-memory by default (one process); over Redis pub/sub when ``BROKERHUB_REDIS_URL`` is set,
so events published by a worker or another API process reach this process's WebSocket
clients. Delivery to live subscribers is best effort; webhooks never depend on it (they go
through the outbox).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

import structlog
from redis.asyncio import Redis

from brokerhub.config import Settings
from brokerhub.events.models import Event

log = structlog.get_logger(__name__)

SUBSCRIBER_QUEUE_SIZE = 1000


class EventBus(Protocol):
    """Publish events and subscribe to all of them."""

    async def publish(self, event: Event) -> None:
        """Send ``event`` to every subscriber."""

    def subscribe(self) -> AbstractAsyncContextManager[asyncio.Queue[Event]]:
        """Return a context manager yielding a queue that receives every event from now."""

    async def close(self) -> None:
        """Stop and release connections."""


class InMemoryBus:
    """Fan out to queues in this process; a full queue drops the event for that subscriber."""

    def __init__(self) -> None:
        self._queues: set[asyncio.Queue[Event]] = set()

    async def publish(self, event: Event) -> None:
        """Put ``event`` on every subscriber's queue."""
        self.fan_out(event)

    def fan_out(self, event: Event) -> None:
        """Put ``event`` on every local queue without waiting."""
        for queue in list(self._queues):
            try:
                queue.put_nowait(event)
            except asyncio.QueueFull:
                log.warning("event_dropped", event_id=event.event_id, reason="slow subscriber")

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[Event]]:
        """Yield a queue receiving every event published while the context is open."""
        queue: asyncio.Queue[Event] = asyncio.Queue(SUBSCRIBER_QUEUE_SIZE)
        self._queues.add(queue)
        try:
            yield queue
        finally:
            self._queues.discard(queue)

    async def close(self) -> None:
        """Forget every subscriber."""
        self._queues.clear()


class RedisBus:
    """Publish on one Redis channel; one listener per process feeds the local subscribers.

    Args:
        url: the Redis URL.
        channel: the pub/sub channel shared by every process of this hub.
    """

    def __init__(self, url: str, channel: str) -> None:
        self._redis: Redis = Redis.from_url(url)
        self._channel = channel
        self._local = InMemoryBus()
        self._listener: asyncio.Task[None] | None = None
        self._subscribers = 0
        self._ready = asyncio.Event()

    async def publish(self, event: Event) -> None:
        """Publish ``event`` to every process (including this one)."""
        await self._redis.publish(self._channel, event.to_message())

    @asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[Event]]:
        """Yield a queue receiving every event any process publishes from now."""
        async with self._local.subscribe() as queue:
            self._subscribers += 1
            if self._listener is None:
                self._ready.clear()
                self._listener = asyncio.create_task(self._listen())
            listener = self._listener
            ready = asyncio.ensure_future(self._ready.wait())
            await asyncio.wait({ready, listener}, return_when=asyncio.FIRST_COMPLETED)
            ready.cancel()
            try:
                if listener.done():
                    listener.result()  # raises why the listener could not start
                    raise ConnectionError("the Redis event listener stopped")
                yield queue
            finally:
                self._subscribers -= 1
                if self._subscribers == 0:
                    await self._stop_listener()

    async def _listen(self) -> None:
        async with self._redis.pubsub() as pubsub:
            await pubsub.subscribe(self._channel)
            self._ready.set()
            async for message in pubsub.listen():
                if message.get("type") != "message":
                    continue
                try:
                    event = Event.from_message(message["data"])
                except (ValueError, KeyError, TypeError):
                    log.warning("event_unreadable", channel=self._channel)
                    continue
                self._local.fan_out(event)

    async def _stop_listener(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener

    async def ping(self) -> None:
        """Raise if Redis does not answer."""
        await self._redis.ping()

    async def close(self) -> None:
        """Stop listening and close the connection pool."""
        await self._stop_listener()
        await self._local.close()
        await self._redis.aclose()


def create_bus(settings: Settings) -> InMemoryBus | RedisBus:
    """Return the bus for ``settings``: Redis pub/sub when Redis is configured."""
    if settings.redis_url:
        return RedisBus(settings.redis_url, f"{settings.redis_namespace}:events")
    return InMemoryBus()
