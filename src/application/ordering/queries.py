"""Ordering's reads, with their rule: a customer sees only their own orders, and someone else's
order id is answered exactly like an unknown one (404, never 403). Staff see every order."""

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID

from application.ordering.access import opens
from application.ordering.ports import (
    CartReader,
    OrderFeed,
    OrderHistory,
    OrderReader,
    ReturnReader,
    TooManyStreams,
)
from application.ordering.pricing import Buyer, Choices, cart_view
from application.ordering.views import (
    CartView,
    OrderSearch,
    OrderSummary,
    OrderUpdate,
    ReturnTimelineEntry,
    TimelineEntry,
)
from application.shared.clock import Clock
from application.shared.pagination import Page
from domain.ordering.errors import OrderNotFound, ReturnNotFound
from domain.ordering.order import OrderState
from domain.ordering.returns import ReturnState
from domain.ordering.values import ReturnStatus

# A held stream ends when its client leaves or its heartbeat finds its access gone.
STREAM_RETRY_SECONDS = 5


class OrderingQueries:
    """What routes read of carts and orders, and the live feed of their changes: at most
    `max_streams_per_user` at once per viewer in this process."""

    def __init__(
        self,
        *,
        orders: OrderReader,
        carts: CartReader,
        history: OrderHistory,
        feed: OrderFeed,
        max_streams_per_user: int,
        clock: Clock,
        default_currency: str,
        returns: ReturnReader,
    ) -> None:
        self._returns = returns
        self._clock = clock
        self._default_currency = default_currency
        self._orders = orders
        self._carts = carts
        self._history = history
        self._feed = feed
        self._max_streams = max_streams_per_user
        self._streams: Counter[UUID] = Counter()

    async def cart(
        self, customer_id: UUID, *, choices: Choices | None = None, email: str | None = None
    ) -> CartView:
        """The cart priced as checkout would price it with these choices (no destination:
        no shipping or tax yet); a bad coupon or gift card code is refused as at checkout."""
        async with self._carts.session() as session:
            cart = await session.cart(customer_id)
            items = await session.catalog.items(cart.skus)
            return await cart_view(
                session,
                cart,
                items,
                default_currency=self._default_currency,
                choices=choices or Choices(),
                buyer=Buyer(customer_id=customer_id, email=email),
                now=self._clock.now(),
            )

    async def search(self, query: OrderSearch) -> Page[OrderSummary]:
        return await self._orders.search(query)

    async def order(
        self,
        order_id: UUID,
        *,
        viewer_id: UUID | None,
        any_order: bool,
        access_token: str | None = None,
    ) -> OrderState:
        """The viewer's own order, any order for staff, or the order whose access token is
        given (a guest's, without logging in); anything else is not found."""
        if access_token is not None and await self._opens(order_id, access_token):
            any_order = True
        order = await self._orders.details(order_id)
        if order is None or not (any_order or order.customer_id == viewer_id):
            raise OrderNotFound(f"order {order_id} not found")
        return order

    async def _opens(self, order_id: UUID, access_token: str) -> bool:
        return opens(await self._orders.access_hash(order_id), access_token)

    async def timeline(
        self,
        order_id: UUID,
        *,
        viewer_id: UUID | None,
        any_order: bool,
        access_token: str | None = None,
    ) -> list[TimelineEntry]:
        await self.order(
            order_id, viewer_id=viewer_id, any_order=any_order, access_token=access_token
        )
        entries = await self._orders.timeline(order_id)
        return merged(entries, await self._returns.timeline(order_id))

    async def returns_of(
        self,
        order_id: UUID,
        *,
        viewer_id: UUID | None,
        any_order: bool,
        access_token: str | None = None,
    ) -> list[ReturnState]:
        """The returns of an order the viewer may read (as `order` decides)."""
        await self.order(
            order_id, viewer_id=viewer_id, any_order=any_order, access_token=access_token
        )
        return await self._returns.of_order(order_id)

    async def return_details(self, return_id: UUID) -> ReturnState:
        """Staff's read of one return."""
        found = await self._returns.details(return_id)
        if found is None:
            raise ReturnNotFound(f"return {return_id} not found")
        return found

    async def search_returns(self, *, status: ReturnStatus | None, limit: int) -> list[ReturnState]:
        return await self._returns.search(status=status, limit=limit)

    async def may_watch(
        self,
        order_id: UUID,
        *,
        viewer_id: UUID | None,
        any_order: bool,
        access_token: str | None = None,
    ) -> None:
        """Raise OrderNotFound unless the viewer may follow the order live (its owner, staff,
        or whoever holds its access token). An order so new that the read model has not caught
        up yet is found in the log."""
        if access_token is not None and await self._opens(order_id, access_token):
            any_order = True
        try:
            await self.order(order_id, viewer_id=viewer_id, any_order=any_order)
        except OrderNotFound:
            first = await self._history.updates(order_id, after_version=0)
            if not first or not (any_order or first[0].customer_id == viewer_id):
                raise

    async def updates(self, order_id: UUID, *, after_version: int) -> list[OrderUpdate]:
        return await self._history.updates(order_id, after_version=after_version)

    @property
    def listeners(self) -> int:
        return self._feed.listeners

    @asynccontextmanager
    async def live(self, viewer_id: UUID) -> AsyncIterator["asyncio.Queue[OrderUpdate | None]"]:
        """Every order change as it happens; None in the queue ends it (resume from the log).
        Raises TooManyStreams when the viewer holds the most streams allowed, and
        LiveUpdatesUnavailable when the feed cannot be reached: both before anything is sent."""
        if self._streams[viewer_id] >= self._max_streams:
            raise TooManyStreams(
                f"at most {self._max_streams} live streams per user at once",
                retry_after=STREAM_RETRY_SECONDS,
            )
        self._streams[viewer_id] += 1
        try:
            async with self._feed.subscribe() as queue:
                yield queue
        finally:
            self._streams[viewer_id] -= 1
            if self._streams[viewer_id] <= 0:
                del self._streams[viewer_id]


def merged(entries: list[TimelineEntry], returns: list[ReturnTimelineEntry]) -> list[TimelineEntry]:
    """The order's entries with its returns' among them by time (the order's first on a tie);
    each return entry carries the order's version and status at that moment."""
    if not returns or not entries:
        return entries
    timeline = list(entries)
    for entry in returns:
        at = next(
            (n for n, seen in enumerate(timeline) if seen.occurred_at > entry.occurred_at),
            len(timeline),
        )
        before = timeline[at - 1] if at else timeline[0]
        timeline.insert(
            at,
            TimelineEntry(
                version=before.version,
                event_type=entry.event_type,
                status=before.status,
                occurred_at=entry.occurred_at,
                actor_id=entry.actor_id,
                summary=entry.summary,
                return_id=entry.return_id,
            ),
        )
    return timeline
