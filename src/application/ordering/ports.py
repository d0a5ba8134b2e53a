"""What ordering needs from the outside world: storage, the catalog's prices, inventory's
stock and a payment provider. Adapters implement these; the context never names them."""

import asyncio
from collections.abc import Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from application.ordering.views import (
    CartView,
    CatalogItem,
    OrderSearch,
    OrderSummary,
    OrderUpdate,
    OrderView,
    TimelineEntry,
)
from application.shared.errors import ApplicationError
from application.shared.idempotency import IdempotencyKeys
from application.shared.pagination import Page
from application.shared.unit_of_work import UnitOfWork
from domain.ordering.cart import Cart
from domain.ordering.order import Order
from domain.shared.money import Money


class OrderRepository(Protocol):
    """Orders as event streams: loaded by replay, saved by appending new events."""

    async def get(self, order_id: UUID) -> Order | None:
        """Load by replaying the stream, after queueing behind other writers of it."""
        ...

    async def save(self, order: Order) -> None:
        """Append the new events after the loaded version (ConcurrencyConflict otherwise)."""
        ...


class CartRepository(Protocol):
    """Carts, one per customer, locked while a command changes one."""

    async def get(self, customer_id: UUID) -> Cart:
        """The customer's cart, locked until the transaction ends (empty if none yet)."""
        ...

    async def save(self, cart: Cart) -> None: ...


class Catalog(Protocol):
    """The catalog's current prices and availability, as checkout and the cart read them."""

    async def items(self, skus: Iterable[str]) -> dict[str, CatalogItem]:
        """The catalog's current name, price and availability of each known SKU."""
        ...


class PaymentMethods(Protocol):
    """The payment token given at checkout, kept out of the event log (and so out of Kafka)."""

    async def put(self, order_id: UUID, token: str) -> None: ...

    async def get(self, order_id: UUID) -> str | None: ...

    async def forget(self, order_id: UUID) -> None:
        """Once the payment has a final answer the token is no longer kept."""
        ...


class OrderingUnitOfWork(UnitOfWork, Protocol):
    """One transaction over orders, carts, payment tokens and idempotency keys."""

    @property
    def orders(self) -> OrderRepository: ...

    @property
    def carts(self) -> CartRepository: ...

    @property
    def catalog(self) -> Catalog: ...

    @property
    def payment_methods(self) -> PaymentMethods: ...

    @property
    def idempotency(self) -> IdempotencyKeys: ...


class OrderingUnitOfWorkFactory(Protocol):
    """Opens a fresh unit of work for each command."""

    def __call__(self) -> OrderingUnitOfWork: ...


class OrderReader(Protocol):
    """The read models (projections of the order streams)."""

    async def details(self, order_id: UUID) -> OrderView | None: ...

    async def search(self, query: OrderSearch) -> Page[OrderSummary]: ...

    async def timeline(self, order_id: UUID) -> list[TimelineEntry]: ...

    async def unpaid_since_before(self, cutoff: datetime, *, limit: int) -> list[UUID]:
        """Orders placed, or waiting for their payment, since before `cutoff`."""
        ...


class OrderHistory(Protocol):
    """An order's changes from the event log, for live streams to catch up from."""

    async def updates(self, order_id: UUID, *, after_version: int) -> list[OrderUpdate]:
        """The order's changes after `after_version`, read from the event log itself."""
        ...


class LiveUpdatesUnavailable(ApplicationError):
    """The live feed cannot be reached right now; the order itself can still be read."""


class OrderFeed(Protocol):
    """Every order change, live, from whichever process made it."""

    def subscribe(self) -> AbstractAsyncContextManager["asyncio.Queue[OrderUpdate | None]"]:
        """A queue of updates while the context is open; None means "you fell behind: resume
        from the log" and ends the subscription."""
        ...


class CartReader(Protocol):
    """The cart for display, at today's catalog prices, without locking it."""

    async def cart(self, customer_id: UUID) -> CartView: ...


class Stock(Protocol):
    """Inventory, as ordering needs it: every call is idempotent per order."""

    async def reserve(
        self, order_id: UUID, lines: list[tuple[str, int]], *, hold_for: timedelta
    ) -> str | None:
        """Hold every line or none; None when held, else why not (shown to the customer)."""
        ...

    async def keep(self, order_id: UUID) -> None:
        """A paid order's reservation no longer expires."""
        ...

    async def release(self, order_id: UUID) -> None: ...

    async def commit(self, order_id: UUID) -> None:
        """The units left the warehouse."""
        ...


class PaymentUnavailable(ApplicationError):
    """The provider could not be reached, did not answer in time, or its circuit is open."""


class PaymentOutcome(StrEnum):
    """The provider's answer to an authorisation."""

    APPROVED = "approved"
    DECLINED = "declined"
    PENDING = "pending"  # the provider answers later, through the webhook


@dataclass(frozen=True, kw_only=True)
class PaymentResult:
    """An authorisation's answer: an approval carries the payment reference, a decline
    its reason."""

    outcome: PaymentOutcome
    payment_reference: str | None = None
    reason: str | None = None


class PaymentGateway(Protocol):
    """A payment provider. `reference` is the provider's idempotency key: asking twice with the
    same reference never charges twice. Failures to reach the provider raise
    PaymentUnavailable."""

    async def authorize(self, *, reference: str, amount: Money, token: str) -> PaymentResult: ...

    async def refund(self, *, reference: str, payment_reference: str, amount: Money) -> str:
        """Give the money back; returns the refund's reference."""
        ...

    async def void(self, *, reference: str) -> None:
        """Cancel whatever was authorised under `reference`, if anything was: the answer to a
        charge whose result never reached us."""
        ...
