"""Ordering's repositories on the unit of work's connection: orders (event streams), carts,
payment tokens and deadlines, and idempotency keys."""

from datetime import datetime, timedelta
from typing import TypeVar
from uuid import UUID

from sqlalchemy import delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from application.shared.idempotency import (
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    IdempotentRequest,
)
from application.shared.views import view_of
from domain.ordering.cart import Cart, CartLine
from domain.ordering.order import Order, order_stream
from domain.shared.money import Money
from infrastructure.db.unit_of_work import SeenAggregates
from infrastructure.eventlog.event_sourced import EventSourcedRepository
from infrastructure.eventlog.registry import EventRegistry, from_json_value, to_json_value
from infrastructure.eventlog.store import EventStore, stream_lock_key
from infrastructure.ordering.tables import (
    cart_lines,
    carts,
    idempotency_keys,
    order_payment_deadlines,
    order_payment_methods,
)

T = TypeVar("T")


class SqlOrderRepository:
    """Orders are streams in the event log, read under the stream's lock (ADR 0005)."""

    def __init__(self, events: EventStore, registry: EventRegistry, seen: SeenAggregates) -> None:
        self._streams = EventSourcedRepository(events, registry, seen, replay=Order.replay)

    async def get(self, order_id: UUID) -> Order | None:
        return await self._streams.get(order_stream(order_id))

    async def add(self, order: Order) -> None:
        await self._streams.add(order)


class SqlCartRepository:
    """The CartRepository port; the cart row's lock makes changes to one cart queue."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, customer_id: UUID) -> Cart:
        # Create the cart row if needed, then hold its lock: one change per cart at a time.
        await self._conn.execute(
            pg_insert(carts)
            .values(customer_id=customer_id, updated_at=func.now())
            .on_conflict_do_nothing()
        )
        await self._conn.execute(
            select(carts.c.customer_id).where(carts.c.customer_id == customer_id).with_for_update()
        )
        return Cart(customer_id, await cart_lines_of(self._conn, customer_id))

    async def save(self, cart: Cart) -> None:
        await self._conn.execute(
            delete(cart_lines).where(cart_lines.c.customer_id == cart.customer_id)
        )
        if cart.lines:
            await self._conn.execute(
                insert(cart_lines),
                [
                    {
                        "customer_id": cart.customer_id,
                        "sku": line.sku,
                        "product_id": line.product_id,
                        "quantity": line.quantity,
                        "confirmed_amount": line.confirmed_price.amount,
                        "confirmed_currency": line.confirmed_price.currency,
                        "position": n,
                    }
                    for n, line in enumerate(cart.lines)
                ],
            )
        await self._conn.execute(
            carts.update()
            .where(carts.c.customer_id == cart.customer_id)
            .values(updated_at=func.now())
        )


async def cart_lines_of(conn: AsyncConnection, customer_id: UUID) -> list[CartLine]:
    """A cart's lines, in the order they were first added (read by the cart reader too)."""
    rows = await conn.execute(
        select(cart_lines)
        .where(cart_lines.c.customer_id == customer_id)
        .order_by(cart_lines.c.position)
    )
    return [
        view_of(CartLine, r, confirmed_price=Money(r.confirmed_amount, r.confirmed_currency))
        for r in rows
    ]


class SqlPaymentMethods:
    """The PaymentMethods port: a payment token per order, kept until forgotten."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def put(self, order_id: UUID, token: str) -> None:
        await self._conn.execute(
            insert(order_payment_methods).values(order_id=order_id, token=token)
        )

    async def forget(self, order_id: UUID) -> None:
        await self._conn.execute(
            delete(order_payment_methods).where(order_payment_methods.c.order_id == order_id)
        )

    async def get(self, order_id: UUID) -> str | None:
        tokens = order_payment_methods.c
        row = await self._conn.execute(select(tokens.token).where(tokens.order_id == order_id))
        return row.scalar_one_or_none()


class SqlPaymentDeadlines:
    """The PaymentDeadlines port: one row per order still waiting for its payment."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def start(self, order_id: UUID, *, since: datetime) -> None:
        statement = pg_insert(order_payment_deadlines).values(order_id=order_id, since=since)
        await self._conn.execute(
            statement.on_conflict_do_update(
                index_elements=["order_id"], set_={"since": statement.excluded.since}
            )
        )

    async def clear(self, order_id: UUID) -> None:
        await self._conn.execute(
            delete(order_payment_deadlines).where(order_payment_deadlines.c.order_id == order_id)
        )

    async def due(self, cutoff: datetime, *, limit: int) -> list[UUID]:
        rows = await self._conn.execute(
            select(order_payment_deadlines.c.order_id)
            .where(order_payment_deadlines.c.since < cutoff)
            .order_by(order_payment_deadlines.c.since)
            .limit(limit)
        )
        return list(rows.scalars())


class SqlIdempotencyKeys:
    """Claimed with a transaction-scoped advisory lock on (owner, key): a second request with
    the key waits for nothing, it is told at once that the first is still running."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def claim(
        self, request: IdempotentRequest, result_type: type[T], *, now: datetime
    ) -> T | None:
        lock = stream_lock_key(f"idempotency:{request.owner_id}:{request.key}")
        locked = await self._conn.execute(select(func.pg_try_advisory_xact_lock(lock)))
        if not locked.scalar_one():
            raise IdempotencyKeyInUse("a request with this Idempotency-Key is still running")
        keys = idempotency_keys.c
        answer = select(keys.fingerprint, keys.result).where(
            keys.owner_id == request.owner_id, keys.key == request.key, keys.expires_at > now
        )
        row = (await self._conn.execute(answer)).one_or_none()
        if row is None:
            return None
        if row.fingerprint != request.fingerprint:
            raise IdempotencyKeyReused("this Idempotency-Key was used for a different request")
        return from_json_value(result_type, row.result)

    async def remember(
        self, request: IdempotentRequest, result: object, *, now: datetime, keep_for: timedelta
    ) -> None:
        values = {
            "owner_id": request.owner_id,
            "key": request.key,
            "fingerprint": request.fingerprint,
            "result": to_json_value(result),
            "created_at": now,
            "expires_at": now + keep_for,
        }
        # An expired answer under the same key is replaced; the lock above makes this safe.
        statement = pg_insert(idempotency_keys).values(values)
        await self._conn.execute(
            statement.on_conflict_do_update(
                index_elements=["owner_id", "key"], set_={k: statement.excluded[k] for k in values}
            )
        )

    async def forget_expired(self, *, now: datetime) -> int:
        result = await self._conn.execute(
            delete(idempotency_keys).where(idempotency_keys.c.expires_at <= now)
        )
        return result.rowcount
