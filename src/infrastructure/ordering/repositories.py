"""Ordering's repositories on the unit of work's connection: orders (event streams), carts,
payment tokens and deadlines, idempotency keys, and the count of orders waiting for fulfilment."""

import asyncio
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy import and_, delete, func, insert, literal, select
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
from domain.ordering.returns import Return, ReturnState, return_stream
from domain.shared.money import Money
from infrastructure.db.unit_of_work import SeenAggregates
from infrastructure.eventlog.event_sourced import EventSourcedRepository
from infrastructure.eventlog.registry import EventRegistry, from_json_value, to_json_value
from infrastructure.eventlog.store import EventStore, stream_lock_key
from infrastructure.ordering.tables import (
    cart_lines,
    carts,
    idempotency_keys,
    order_access,
    order_payment_deadlines,
    order_payment_methods,
    order_returns,
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


class SqlReturnRepository:
    """Returns are streams in the event log like orders; `order_returns` finds an order's."""

    def __init__(
        self,
        conn: AsyncConnection,
        events: EventStore,
        registry: EventRegistry,
        seen: SeenAggregates,
    ) -> None:
        self._conn = conn
        self._events = events
        self._registry = registry
        self._streams = EventSourcedRepository(events, registry, seen, replay=Return.replay)

    async def get(self, return_id: UUID) -> Return | None:
        return await self._streams.get(return_stream(return_id))

    async def add(self, aggregate: Return) -> None:
        state = aggregate.state
        await self._conn.execute(
            insert(order_returns).values(
                return_id=state.id, order_id=state.order_id, requested_at=state.requested_at
            )
        )
        await self._streams.add(aggregate)

    async def of_order(self, order_id: UUID) -> list[ReturnState]:
        r = order_returns.c
        ids = await self._conn.execute(
            select(r.return_id).where(r.order_id == order_id).order_by(r.requested_at, r.return_id)
        )
        found = []
        for return_id in ids.scalars():
            stored = await self._events.read_stream(return_stream(return_id))
            found.append(Return.replay(self._registry.decode(e) for e in stored).state)
        return found


class SqlCartRepository:
    """The CartRepository port; the cart row's lock makes changes to one cart queue."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def get(self, customer_id: UUID) -> Cart:
        # Hold the cart row's lock (one change per cart at a time), creating the row first if
        # this customer has none yet; the lines are read after the lock, so never stale.
        lock = select(carts.c.currency).where(carts.c.customer_id == customer_id)
        row = (await self._conn.execute(lock.with_for_update())).first()
        if row is None:
            await self._conn.execute(
                pg_insert(carts)
                .values(customer_id=customer_id, updated_at=func.now())
                .on_conflict_do_nothing()
            )
            row = (await self._conn.execute(lock.with_for_update())).first()
        currency = row.currency if row is not None else None
        return Cart(customer_id, await cart_lines_of(self._conn, customer_id), currency)

    async def save(self, cart: Cart) -> None:
        # The old lines go and the cart is touched in one statement, the new lines in another.
        gone = delete(cart_lines).where(cart_lines.c.customer_id == cart.customer_id).cte("gone")
        touched = (
            carts.update()
            .where(carts.c.customer_id == cart.customer_id)
            .values(updated_at=func.now(), currency=cart.currency)
            .add_cte(gone)
        )
        await self._conn.execute(touched)
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


async def cart_of(conn: AsyncConnection, customer_id: UUID) -> Cart:
    """A cart as it is, unlocked, in one statement (the cart reader's)."""
    rows = (
        await conn.execute(
            select(carts.c.currency, cart_lines)
            .select_from(
                carts.outerjoin(cart_lines, cart_lines.c.customer_id == carts.c.customer_id)
            )
            .where(carts.c.customer_id == customer_id)
            .order_by(cart_lines.c.position)
        )
    ).all()
    lines = [
        view_of(CartLine, r, confirmed_price=Money.of(r.confirmed_amount, r.confirmed_currency))
        for r in rows
        if r.sku is not None
    ]
    return Cart(customer_id, lines, rows[0].currency if rows else None)


async def cart_lines_of(conn: AsyncConnection, customer_id: UUID) -> list[CartLine]:
    """A cart's lines, in the order they were first added (read by the cart reader too)."""
    rows = await conn.execute(
        select(cart_lines)
        .where(cart_lines.c.customer_id == customer_id)
        .order_by(cart_lines.c.position)
    )
    return [
        view_of(CartLine, r, confirmed_price=Money.of(r.confirmed_amount, r.confirmed_currency))
        for r in rows
    ]


class SqlOrderAccess:
    """The OrderAccess port: guest orders' token hashes and emails."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def grant(self, order_id: UUID, *, token_hash: str, email: str) -> None:
        await self._conn.execute(
            insert(order_access).values(
                order_id=order_id, token_hash=token_hash, email=email.lower(), created_at=func.now()
            )
        )

    async def token_hash(self, order_id: UUID) -> str | None:
        return await order_access_hash(self._conn, order_id)

    async def placed_with(self, email: str) -> list[UUID]:
        a = order_access.c
        rows = await self._conn.execute(
            select(a.order_id).where(a.email == email.lower()).order_by(a.created_at, a.order_id)
        )
        return list(rows.scalars())


async def order_access_hash(conn: AsyncConnection, order_id: UUID) -> str | None:
    a = order_access.c
    return (await conn.execute(select(a.token_hash).where(a.order_id == order_id))).scalar()


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
    """The PaymentDeadlines port: one row per order still waiting for its payment (or, over
    another table, for its capture, or a refund's answer)."""

    def __init__(self, conn: AsyncConnection, table: sa.Table = order_payment_deadlines) -> None:
        self._conn = conn
        self._table = table

    async def start(self, order_id: UUID, *, since: datetime) -> None:
        statement = pg_insert(self._table).values(order_id=order_id, since=since)
        await self._conn.execute(
            statement.on_conflict_do_update(
                index_elements=["order_id"], set_={"since": statement.excluded.since}
            )
        )

    async def clear(self, order_id: UUID) -> None:
        await self._conn.execute(delete(self._table).where(self._table.c.order_id == order_id))

    async def due(self, cutoff: datetime, *, limit: int) -> list[UUID]:
        rows = await self._conn.execute(
            select(self._table.c.order_id)
            .where(self._table.c.since < cutoff)
            .order_by(self._table.c.since)
            .limit(limit)
        )
        return list(rows.scalars())


class SqlIdempotencyKeys:
    """Claimed with a transaction-scoped advisory lock on (owner, key): a second request with
    the key waits for nothing, it is told at once that the first is still running. The lock
    and the lookup are one statement, so the lookup's snapshot is taken a moment before the
    lock: a first request that commits in that moment is not seen. `remember` catches that
    case, since it replaces only an expired answer, so one key still names one effect."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def claim(
        self, request: IdempotentRequest, result_type: type[T], *, now: datetime
    ) -> T | None:
        lock = stream_lock_key(f"idempotency:{request.owner_id}:{request.key}")
        keys = idempotency_keys.c
        claimed = select(func.pg_try_advisory_xact_lock(lock).label("locked")).subquery()
        answer = select(claimed.c.locked, keys.fingerprint, keys.result).select_from(
            claimed.outerjoin(
                idempotency_keys,
                and_(
                    claimed.c.locked,
                    keys.owner_id == request.owner_id,
                    keys.key == request.key,
                    keys.expires_at > now,
                ),
            )
        )
        row = (await self._conn.execute(answer)).one()
        if not row.locked:
            raise IdempotencyKeyInUse("a request with this Idempotency-Key is still running")
        if row.fingerprint is None:
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
        # An expired answer under the same key is replaced; a live one belongs to a request
        # that committed while this one was claiming, and this one's effect must not stand.
        statement = pg_insert(idempotency_keys).values(values)
        stored = await self._conn.execute(
            statement.on_conflict_do_update(
                index_elements=["owner_id", "key"],
                set_={k: statement.excluded[k] for k in values},
                where=idempotency_keys.c.expires_at <= now,
            ).returning(idempotency_keys.c.key)
        )
        if stored.first() is None:
            raise IdempotencyKeyInUse("a request with this Idempotency-Key has just finished")

    async def forget_expired(self, *, now: datetime) -> int:
        result = await self._conn.execute(
            delete(idempotency_keys).where(idempotency_keys.c.expires_at <= now)
        )
        return result.rowcount


class BacklogCount:
    """This process's last count of the orders waiting for fulfilment, reused for
    `interval_seconds` by every ordering unit of work the process opens."""

    def __init__(
        self, *, interval_seconds: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.lock = asyncio.Lock()  # one checkout counts; those arriving meanwhile wait for it
        self._interval = interval_seconds
        self._monotonic = monotonic
        self._counted: tuple[float, int, int] | None = None  # when, up to, count

    def fresh(self, up_to: int) -> int | None:
        if self._counted is None:
            return None
        when, counted_up_to, count = self._counted
        if counted_up_to != up_to or self._monotonic() - when >= self._interval:
            return None
        return count

    def store(self, up_to: int, count: int) -> int:
        self._counted = (self._monotonic(), up_to, count)
        return count


class SqlFulfilmentBacklog:
    """The FulfilmentBacklog port: the orders whose payment deadline runs (placed, or waiting
    for their payment; the ordering handlers keep those rows in the orders' own transactions),
    counted no further than asked, on the unit of work's own connection (a checkout holding
    its connection never waits for a second one), when the process's count is stale."""

    def __init__(self, conn: AsyncConnection, count: BacklogCount) -> None:
        self._conn = conn
        self._count = count

    async def orders_waiting(self, *, up_to: int) -> int:
        fresh = self._count.fresh(up_to)
        if fresh is not None:
            return fresh
        async with self._count.lock:
            fresh = self._count.fresh(up_to)  # counted by another checkout while this one waited
            if fresh is not None:
                return fresh
            waiting = select(literal(1)).select_from(order_payment_deadlines).limit(up_to)
            count = await self._conn.scalar(select(func.count()).select_from(waiting.subquery()))
            return self._count.store(up_to, int(count or 0))
