"""The ordering read side: the order read model mapped to the domain's OrderState, carts at
today's prices, and orders' histories replayed from the log, for every reader of them."""

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from application.ordering.views import (
    OrderSearch,
    OrderSummary,
    OrderUpdate,
    TimelineEntry,
    describe,
)
from application.shared.errors import InvalidCursor
from application.shared.pagination import (
    Page,
    cursor_instant,
    decode_cursor,
    encode_cursor,
    page_of,
)
from application.shared.views import view_of
from domain.ordering.cart import Cart
from domain.ordering.order import Order, OrderState, next_state, order_stream
from domain.ordering.pricing.breakdown import Breakdown
from domain.ordering.values import OrderLine, OrderStatus, Refund, Shipment, ShippingAddress
from domain.shared.events import DomainEvent
from domain.shared.money import Money
from infrastructure.eventlog.registry import EventRegistry, from_json_value, to_json_value
from infrastructure.eventlog.store import StoredEvent
from infrastructure.eventlog.tables import event_log
from infrastructure.ordering.repositories import cart_of, order_access_hash
from infrastructure.ordering.tables import order_timeline, order_views
from infrastructure.ordering.unit_of_work import Neighbours

v = order_views.c

# -- the order read model: a row per order, its columns named after OrderState's fields -----

_STATE_FIELDS = [f.name for f in fields(OrderState) if f.name not in ("id", "total")]


def order_row(state: OrderState) -> dict[str, Any]:
    """The row of `order_views` that holds this state (plus `item_count`, for lists)."""
    row = {name: getattr(state, name) for name in _STATE_FIELDS}
    return row | {
        "order_id": state.id,
        "total_amount": state.total.amount,
        "currency": state.total.currency,
        "lines": to_json_value(state.lines),
        "shipping_address": to_json_value(state.shipping_address),
        "billing_address": to_json_value(state.billing_address),
        "breakdown": to_json_value(state.breakdown),
        "refunds": to_json_value(state.refunds),
        "shipments": to_json_value(state.shipments),
        "item_count": state.item_count,
    }


def order_from_row(row: Mapping[Any, Any]) -> OrderState:
    return view_of(
        OrderState,
        row,
        id=row["order_id"],
        status=OrderStatus(row["status"]),
        total=Money(row["total_amount"], row["currency"]),
        lines=tuple(from_json_value(OrderLine, line) for line in row["lines"]),
        shipping_address=from_json_value(ShippingAddress, row["shipping_address"]),
        billing_address=from_json_value(ShippingAddress, row["billing_address"]),
        breakdown=from_json_value(Breakdown, row["breakdown"]),
        refunds=tuple(from_json_value(Refund, refund) for refund in row["refunds"]),
        shipments=tuple(from_json_value(Shipment, s) for s in row["shipments"]),
    )


class SqlOrderReader:
    """The OrderReader port over `order_views` and `order_timeline`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def details(self, order_id: UUID) -> OrderState | None:
        async with self._engine.connect() as conn:
            result = await conn.execute(select(order_views).where(v.order_id == order_id))
            row = result.one_or_none()
        return None if row is None else order_from_row(row._mapping)

    async def access_hash(self, order_id: UUID) -> str | None:
        async with self._engine.connect() as conn:
            return await order_access_hash(conn, order_id)

    async def search(self, query: OrderSearch) -> Page[OrderSummary]:
        statement = (
            select(order_views)
            .where(and_(True, *_conditions(query)))
            .order_by(v.placed_at.desc(), v.order_id.desc())
            .limit(query.limit + 1)
        )
        async with self._engine.connect() as conn:
            rows = [r._mapping for r in await conn.execute(statement)]
        return page_of(
            rows,
            query.limit,
            item=_summary,
            cursor=lambda r: encode_cursor([r["placed_at"].isoformat(), str(r["order_id"])]),
        )

    async def timeline(self, order_id: UUID) -> list[TimelineEntry]:
        t = order_timeline.c
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                select(order_timeline).where(t.order_id == order_id).order_by(t.version)
            )
            return [
                view_of(TimelineEntry, r, status=OrderStatus(r.status), return_id=None)
                for r in rows
            ]


def _conditions(query: OrderSearch) -> list[Any]:
    conditions: list[Any] = []
    if query.customer_id is not None:
        conditions.append(v.customer_id == query.customer_id)
    if query.status is not None:
        conditions.append(v.status == query.status)
    if query.placed_from is not None:
        conditions.append(v.placed_at >= query.placed_from)
    if query.placed_to is not None:
        conditions.append(v.placed_at < query.placed_to)
    for bound, compare in (
        (query.min_total, v.total_amount.__ge__),
        (query.max_total, v.total_amount.__le__),
    ):
        if bound is not None:
            conditions += [compare(bound.amount), v.currency == bound.currency]
    if query.awaiting_refund:
        conditions += [
            v.status == OrderStatus.CANCELLED,
            v.payment_reference.is_not(None),
            v.refund_reference.is_(None),
            v.voided_at.is_(None),  # released before capture: nothing to give back
        ]
    if query.cursor is not None:
        placed_at, order_id = _after(query.cursor)
        # Newest first: the next page holds what sorts below the last row shown.
        conditions.append(tuple_(v.placed_at, v.order_id) < tuple_(placed_at, order_id))
    return conditions


def _after(cursor: str) -> tuple[datetime, UUID]:
    placed_at, order_id = decode_cursor(cursor, length=2)
    try:
        return cursor_instant(placed_at), UUID(order_id)
    except ValueError:
        raise InvalidCursor("the cursor is not one this service issued") from None


def _summary(r: Any) -> OrderSummary:
    return view_of(
        OrderSummary,
        r,
        id=r["order_id"],
        status=OrderStatus(r["status"]),
        total=Money(r["total_amount"], r["currency"]),
    )


class SqlCartSession:
    """A CartSession: the cart unlocked, and the pricing sources, on one connection."""

    def __init__(self, conn: AsyncConnection, neighbours: Neighbours) -> None:
        self._conn = conn
        self.catalog = neighbours.catalog(conn)
        self.taxes = neighbours.taxes(conn)
        self.shipping = neighbours.shipping(conn)
        self.promotions = neighbours.promotions(conn)
        self.gift_cards = neighbours.gift_cards(conn)

    async def cart(self, customer_id: UUID) -> Cart:
        return await cart_of(self._conn, customer_id)


class SqlCartReader:
    """The CartReader port: sessions on one pooled connection each, nothing locked."""

    def __init__(self, engine: AsyncEngine, neighbours: Neighbours) -> None:
        self._engine = engine
        self._neighbours = neighbours

    @asynccontextmanager
    async def session(self) -> AsyncIterator[SqlCartSession]:
        async with self._engine.connect() as conn:
            yield SqlCartSession(conn, self._neighbours)


# -- orders' histories, replayed from the log ---------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One event of an order's stream, and the order's state right after it."""

    stored: StoredEvent
    event: DomainEvent
    state: OrderState

    @property
    def update(self) -> OrderUpdate:
        return OrderUpdate(
            order_id=self.state.id,
            customer_id=self.state.customer_id,
            version=self.stored.stream_version,
            event_type=self.stored.event_type,
            status=self.state.status,
            occurred_at=self.event.occurred_at,
            summary=describe(self.event, self.state)[1],
        )


async def replay_orders(
    conn: AsyncConnection, registry: EventRegistry, through: Mapping[str, int]
) -> dict[str, list[Step]]:
    """Each stream's steps up to its version in `through` (stream id -> version), folded
    with the order's own state machine, in one query."""
    rows = await conn.execute(
        select(event_log)
        .where(event_log.c.stream_id.in_(list(through)))
        .order_by(event_log.c.stream_id, event_log.c.stream_version)
    )
    steps: dict[str, list[Step]] = {stream_id: [] for stream_id in through}
    for row in rows:
        stored = StoredEvent.from_row(row._mapping)
        if stored.stream_version > through[stored.stream_id]:
            continue
        event = registry.decode(stored)
        history = steps[stored.stream_id]
        state = next_state(history[-1].state if history else None, event)
        history.append(Step(stored, event, state))
    return steps


async def replay_batch(
    conn: AsyncConnection, registry: EventRegistry, batch: Sequence[StoredEvent]
) -> tuple[list[OrderState], list[Step]]:
    """A subscriber's batch: each order it touches as of its last event there, and the steps of
    the batch's own order events."""
    through: dict[str, int] = {}
    for event in batch:
        if event.stream_type == Order.stream_type:
            through[event.stream_id] = max(through.get(event.stream_id, 0), event.stream_version)
    if not through:
        return [], []
    histories = (await replay_orders(conn, registry, through)).values()
    ids = {event.event_id for event in batch}
    steps = [step for history in histories for step in history if step.stored.event_id in ids]
    return [history[-1].state for history in histories], steps


class SqlOrderHistory:
    """The OrderHistory port: missed updates, straight from the log."""

    def __init__(self, engine: AsyncEngine, registry: EventRegistry) -> None:
        self._engine = engine
        self._registry = registry

    async def updates(self, order_id: UUID, *, after_version: int) -> list[OrderUpdate]:
        stream = order_stream(order_id)
        async with self._engine.connect() as conn:
            steps = await replay_orders(conn, self._registry, {stream: 2**31 - 1})
        return [s.update for s in steps[stream] if s.stored.stream_version > after_version]
