"""Order and cart queries: SQLAlchemy Core over the projection tables, returning views."""

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import and_, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine

from application.ordering.cart_handlers import cart_view
from application.ordering.views import (
    CartView,
    OrderSearch,
    OrderSummary,
    OrderView,
    TimelineEntry,
)
from application.shared.errors import InvalidCursor
from application.shared.pagination import Page, decode_cursor, encode_cursor, page_of
from domain.ordering.cart import Cart
from domain.ordering.values import OrderLine, OrderStatus, ShippingAddress
from domain.shared.money import Money
from infrastructure.eventlog.registry import from_json_value
from infrastructure.ordering.repositories import cart_line, catalog_items
from infrastructure.ordering.tables import cart_lines, order_timeline, order_views

v = order_views.c
UNPAID = (OrderStatus.PLACED, OrderStatus.AWAITING_PAYMENT)


class SqlOrderReader:
    """The OrderReader port over `order_views` and `order_timeline`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def details(self, order_id: UUID) -> OrderView | None:
        async with self._engine.connect() as conn:
            row = (
                await conn.execute(select(order_views).where(v.order_id == order_id))
            ).one_or_none()
        return None if row is None else _view(row._mapping)

    async def search(self, query: OrderSearch) -> Page[OrderSummary]:
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
                v.refunded.is_(False),
            ]
        if query.cursor is not None:
            placed_at, order_id = _after(query.cursor)
            # Newest first: the next page holds what sorts below the last row shown.
            conditions.append(tuple_(v.placed_at, v.order_id) < tuple_(placed_at, order_id))
        statement = (
            select(order_views)
            .where(and_(True, *conditions))
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
                TimelineEntry(
                    version=r.version,
                    event_type=r.event_type,
                    status=OrderStatus(r.status),
                    occurred_at=r.occurred_at,
                    actor_id=r.actor_id,
                    summary=r.summary,
                )
                for r in rows
            ]

    async def unpaid_since_before(self, cutoff: datetime, *, limit: int) -> list[UUID]:
        waiting_since = func.coalesce(v.awaiting_payment_since, v.placed_at)
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                select(v.order_id)
                .where(v.status.in_(UNPAID), waiting_since < cutoff)
                .order_by(waiting_since)
                .limit(limit)
            )
            return list(rows.scalars())


class SqlCartReader:
    """The CartReader port: cart rows priced from the catalog's table, with no lock."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def cart(self, customer_id: UUID) -> CartView:
        async with self._engine.connect() as conn:
            rows = await conn.execute(
                select(cart_lines)
                .where(cart_lines.c.customer_id == customer_id)
                .order_by(cart_lines.c.position)
            )
            cart = Cart(customer_id, [cart_line(r._mapping) for r in rows])
            items = await catalog_items(conn, (line.sku for line in cart.lines))
        return cart_view(cart, items)


def _after(cursor: str) -> tuple[datetime, UUID]:
    placed_at, order_id = decode_cursor(cursor, length=2)
    try:
        return datetime.fromisoformat(placed_at), UUID(order_id)
    except ValueError:
        raise InvalidCursor("the cursor is not one this service issued") from None


def _summary(r: Any) -> OrderSummary:
    return OrderSummary(
        id=r["order_id"],
        customer_id=r["customer_id"],
        status=OrderStatus(r["status"]),
        total=Money(r["total_amount"], r["currency"]),
        item_count=r["item_count"],
        placed_at=r["placed_at"],
        updated_at=r["updated_at"],
    )


def _view(r: Any) -> OrderView:
    return OrderView(
        id=r["order_id"],
        customer_id=r["customer_id"],
        status=OrderStatus(r["status"]),
        lines=tuple(from_json_value(OrderLine, line) for line in r["lines"]),
        total=Money(r["total_amount"], r["currency"]),
        shipping_address=from_json_value(ShippingAddress, r["shipping_address"]),
        payment_reference=r["payment_reference"],
        tracking_number=r["tracking_number"],
        carrier=r["carrier"],
        cancel_reason=r["cancel_reason"],
        refunded=r["refunded"],
        placed_at=r["placed_at"],
        updated_at=r["updated_at"],
        version=r["version"],
    )
