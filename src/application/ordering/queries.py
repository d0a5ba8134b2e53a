"""Ordering's reads, with their rule: a customer sees only their own orders, and someone else's
order id is answered exactly like an unknown one (404, never 403). Staff see every order."""

import asyncio
from contextlib import AbstractAsyncContextManager
from uuid import UUID

from application.ordering.ports import CartReader, OrderFeed, OrderHistory, OrderReader
from application.ordering.views import (
    CartView,
    OrderSearch,
    OrderSummary,
    OrderUpdate,
    TimelineEntry,
)
from application.shared.pagination import Page
from domain.ordering.errors import OrderNotFound
from domain.ordering.order import OrderState


class OrderingQueries:
    """What routes read of carts and orders, and the live feed of their changes."""

    def __init__(
        self, *, orders: OrderReader, carts: CartReader, history: OrderHistory, feed: OrderFeed
    ) -> None:
        self._orders = orders
        self._carts = carts
        self._history = history
        self._feed = feed

    async def cart(self, customer_id: UUID) -> CartView:
        return await self._carts.cart(customer_id)

    async def search(self, query: OrderSearch) -> Page[OrderSummary]:
        return await self._orders.search(query)

    async def order(self, order_id: UUID, *, viewer_id: UUID, any_order: bool) -> OrderState:
        order = await self._orders.details(order_id)
        if order is None or not (any_order or order.customer_id == viewer_id):
            raise OrderNotFound(f"order {order_id} not found")
        return order

    async def timeline(
        self, order_id: UUID, *, viewer_id: UUID, any_order: bool
    ) -> list[TimelineEntry]:
        await self.order(order_id, viewer_id=viewer_id, any_order=any_order)
        return await self._orders.timeline(order_id)

    async def may_watch(self, order_id: UUID, *, viewer_id: UUID, any_order: bool) -> None:
        """Raise OrderNotFound unless the viewer may follow the order live. An order so new
        that the read model has not caught up yet is found in the log."""
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

    def live(self) -> AbstractAsyncContextManager["asyncio.Queue[OrderUpdate | None]"]:
        """Every order change as it happens; None in the queue ends it (resume from the log)."""
        return self._feed.subscribe()
