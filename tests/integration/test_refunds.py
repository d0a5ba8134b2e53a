"""Refunds on real PostgreSQL, through the resilient gateway to the simulated provider (ADR
0037): however many run at once on one order, the provider is asked for, and the log records,
no more than was captured; a crash between the provider's answer and its record is completed
under the same key, never paid twice."""

import asyncio
from datetime import timedelta
from decimal import Decimal
from functools import partial

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from agora.contexts.ordering import NEIGHBOURS, payment_gateway, register
from agora.settings import PaymentsSettings, Settings
from application.ordering import commands as c
from application.ordering.deps import OrderingDeps
from application.shared.bus import CommandBus
from domain.ordering import events as ev
from domain.ordering.errors import OrderAlreadyRefunded, RefundExceedsCaptured
from domain.ordering.order import Order
from domain.ordering.values import OrderStatus
from domain.shared.money import Money
from infrastructure.eventlog.store import EventStore
from infrastructure.ordering.repositories import BacklogCount
from infrastructure.ordering.unit_of_work import SqlOrderingUnitOfWork
from infrastructure.payments.simulated import SimulatedProvider
from tests.support.eventlog import REGISTRY
from tests.support.fakes.ordering import FakeCallbacks, FakeStock
from tests.support.fakes.shared import FixedClock
from tests.support.orders import NOW, line, placed

CONCURRENT = 10


def deps_on(engine: AsyncEngine, settings: Settings, provider: SimulatedProvider) -> OrderingDeps:
    tuned = settings.model_copy(
        update={"payments": PaymentsSettings(latency_ms=20, circuit_threshold=100)}
    )
    bus = CommandBus()
    deps = OrderingDeps(
        uow=partial(
            SqlOrderingUnitOfWork, engine, REGISTRY, NEIGHBOURS, BacklogCount(interval_seconds=60)
        ),
        bus=bus,
        clock=FixedClock(NOW),
        stock=FakeStock(),
        payments=payment_gateway(tuned, provider),
        callbacks=FakeCallbacks(),
        idempotency_ttl=timedelta(hours=24),
        payment_timeout=timedelta(minutes=15),
        reservation_hold=timedelta(minutes=25),
        max_fulfilment_backlog=0,
    )
    register(bus, deps)
    return deps


async def captured_order(deps: OrderingDeps, provider: SimulatedProvider) -> Order:
    """An order of 100.00 EUR, authorised by the provider and captured, stored in the log."""
    order = placed(line("50.00", 2))
    order.confirm_stock(now=NOW)
    due = order.state.amount_due
    answer = await deps.payments.authorize(reference=str(order.id), amount=due, token="tok_ok")
    assert answer.payment_reference is not None
    order.record_payment(answer.payment_reference, due, now=NOW)
    async with deps.uow() as uow:
        await uow.orders.add(order)
        await uow.commit()
    await deps.bus.handle(c.CapturePayment(order_id=order.id))
    return order


async def logged(engine: AsyncEngine, order: Order) -> list[ev.OrderEvent]:
    async with engine.connect() as conn:
        stored = await EventStore(conn, REGISTRY).read_stream(order.stream_id)
    return [e for e in (REGISTRY.decode(s) for s in stored) if isinstance(e, ev.OrderEvent)]


async def test_concurrent_partial_refunds_never_exceed_the_capture(
    engine: AsyncEngine, settings: Settings
) -> None:
    provider = SimulatedProvider()
    deps = deps_on(engine, settings, provider)
    order = await captured_order(deps, provider)
    thirty = Money.of("30.00", "EUR")
    results = await asyncio.gather(
        *(
            deps.bus.handle(
                c.RefundOrder(
                    order_id=order.id,
                    reason=f"part {n}",
                    actor_id=None,
                    amount=thirty,
                    idempotency_key=f"k{n}",
                )
            )
            for n in range(CONCURRENT)
        ),
        return_exceptions=True,
    )
    refused = [r for r in results if isinstance(r, BaseException)]
    assert all(isinstance(r, RefundExceedsCaptured) for r in refused), refused
    assert len(refused) == CONCURRENT - 3  # 3 x 30 % fit in 100 %, a fourth does not
    asked = sum(amount.amount for _, amount in provider.refund_log)
    assert asked == Decimal("90.00")
    events = await logged(engine, order)
    issued = [e for e in events if isinstance(e, ev.RefundIssued)]
    requested = [e for e in events if isinstance(e, ev.RefundRequested)]
    assert sum(e.amount.amount for e in issued) == Decimal("90.00")
    assert len(requested) == len(issued) == 3
    rest = await deps.bus.handle(c.RefundOrder(order_id=order.id, reason="rest", actor_id=None))
    assert (rest.status, rest.refunded_amount) == (OrderStatus.REFUNDED, Decimal("100.00"))
    assert sum(amount.amount for _, amount in provider.refund_log) == Decimal("100.00")


async def test_concurrent_whole_refunds_pay_back_once(
    engine: AsyncEngine, settings: Settings
) -> None:
    provider = SimulatedProvider()
    deps = deps_on(engine, settings, provider)
    order = await captured_order(deps, provider)
    results = await asyncio.gather(
        *(
            deps.bus.handle(c.RefundOrder(order_id=order.id, reason="all", actor_id=None))
            for _ in range(CONCURRENT)
        ),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, BaseException) for r in results) == 1
    assert all(isinstance(r, OrderAlreadyRefunded) for r in results if isinstance(r, BaseException))
    assert [str(amount.amount) for _, amount in provider.refund_log] == ["100.00"]


async def test_a_refund_whose_answer_was_not_recorded_is_completed_under_its_key(
    engine: AsyncEngine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = SimulatedProvider()
    deps = deps_on(engine, settings, provider)
    order = await captured_order(deps, provider)
    original = Order.issue_refund

    def crash(self: Order, *args: object, **kwargs: object) -> None:
        raise ConnectionError("the worker died before recording the answer")

    monkeypatch.setattr(Order, "issue_refund", crash)
    cmd = c.RefundOrder(
        order_id=order.id,
        reason="broken",
        actor_id=None,
        amount=Money.of("40.00", "EUR"),
        idempotency_key="once",
    )
    with pytest.raises(ConnectionError):
        await deps.bus.handle(cmd)
    monkeypatch.setattr(Order, "issue_refund", original)
    assert len(provider.refund_log) == 1  # the provider paid, the log did not record it
    assert isinstance(deps.clock, FixedClock)
    deps.clock.advance(timedelta(minutes=2))
    assert await deps.bus.handle(c.CompletePendingRefunds()) == 1
    again = await deps.bus.handle(cmd)  # the client's retry: the same refund
    assert again.refunded_amount == Decimal("40.00")
    assert len(provider.refund_log) == 1
    assert provider.refund_attempts == {f"refund-{again.refunds[0].refund_id}": 2}
