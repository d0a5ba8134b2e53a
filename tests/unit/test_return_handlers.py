"""Return commands through the bus on the in-memory fakes, and the process step that refunds a
received return: exactly once, however often its events are handed to it."""

import dataclasses
import uuid
from datetime import timedelta

import pytest

from application.ordering import commands as c
from application.ordering.handlers.fulfilment import FulfilmentProcess
from application.ordering.ports import PaymentUnavailable
from domain.ordering import events as ev
from domain.ordering.errors import OrderNotFound, UnknownLocation
from domain.ordering.order import OrderState, order_stream
from domain.ordering.values import Refund, ReturnStatus
from domain.shared.money import Money
from tests.support.fakes.ordering import FakePayments, FakeStock, Store, ordering_deps
from tests.support.fakes.shared import FixedClock
from tests.support.orders import NOW
from tests.support.returns import STAFF, asked, restocked, shipped


def shop() -> tuple[Store, FakeStock, FixedClock, uuid.UUID, uuid.UUID, str]:
    store, stock = Store(), FakeStock()
    order = shipped(3)
    store.streams[order_stream(order.id)] = order.collect_events()
    clock = FixedClock(NOW + timedelta(days=2))
    return store, stock, clock, order.id, order.state.customer_id, order.state.lines[0].sku


async def test_a_customer_asks_back_their_own_order_only() -> None:
    store, stock, clock, order_id, customer, sku = shop()
    deps = ordering_deps(store, stock, FakePayments(), clock=clock)
    lines = (asked(sku, 1),)
    with pytest.raises(OrderNotFound):
        await deps.bus.handle(
            c.RequestReturn(order_id=order_id, actor_id=uuid.uuid4(), any_order=False, lines=lines)
        )
    state = await deps.bus.handle(
        c.RequestReturn(order_id=order_id, actor_id=customer, any_order=False, lines=lines)
    )
    assert state.status is ReturnStatus.REQUESTED
    assert state.customer_id == customer


async def test_a_restock_at_an_unknown_location_is_refused() -> None:
    store, stock, clock, order_id, _customer, sku = shop()
    deps = ordering_deps(store, stock, FakePayments(), clock=clock)
    of_the_order = len(store.events())
    rma = await deps.bus.handle(
        c.RequestReturn(order_id=order_id, actor_id=STAFF, any_order=True, lines=(asked(sku, 1),))
    )
    await deps.bus.handle(c.ApproveReturn(return_id=rma.id, actor_id=STAFF))
    with pytest.raises(UnknownLocation):
        await deps.bus.handle(
            c.ReceiveReturn(return_id=rma.id, units=(restocked(sku, 1, "nowhere"),), actor_id=STAFF)
        )
    assert len(store.events()) == of_the_order + 2  # the request and the approval only


def refunded(state: OrderState, cmd: c.RefundOrder) -> OrderState:
    """The order as RefundOrder leaves it: this return's refund issued (ADR 0037)."""
    assert cmd.amount is not None
    refund = Refund(
        refund_id=uuid.uuid5(uuid.NAMESPACE_URL, f"return:{cmd.return_id}"),
        amount=cmd.amount,
        reason=cmd.reason,
        lines=cmd.lines,
        return_id=cmd.return_id,
        refund_reference=f"re-{cmd.return_id}",
    )
    return dataclasses.replace(
        state, refund_reference=refund.refund_reference, refunds=(*state.refunds, refund)
    )


async def test_the_process_refunds_a_received_return_once_under_replay() -> None:
    store, stock, clock, order_id, customer, sku = shop()
    deps = ordering_deps(store, stock, FakePayments(), clock=clock)
    refunds: list[c.RefundOrder] = []

    async def refund_once_per_return(cmd: c.RefundOrder, _: object) -> OrderState:
        """RefundOrder as ADR 0037 makes it: partial, and idempotent per return."""
        refunds.append(cmd)  # every call: a replay after the last step sends none
        state = store.order(cmd.order_id).state
        return refunded(state, cmd)

    deps.bus._handlers[c.RefundOrder] = (refund_once_per_return, deps)
    rma = await deps.bus.handle(
        c.RequestReturn(
            order_id=order_id, actor_id=customer, any_order=False, lines=(asked(sku, 2),)
        )
    )
    await deps.bus.handle(c.ApproveReturn(return_id=rma.id, actor_id=STAFF))
    await deps.bus.handle(
        c.ReceiveReturn(return_id=rma.id, units=(restocked(sku, 2),), actor_id=STAFF)
    )
    process = FulfilmentProcess(deps)
    received = [e for e in store.events() if isinstance(e, ev.ReturnReceived)]
    for _ in range(3):
        for event in received:
            await process.react(event)
    assert [(r.amount, r.return_id) for r in refunds] == [(Money.of("20.00", "EUR"), rma.id)]
    assert refunds[0].lines[0].quantity == 2
    done = [e for e in store.events() if isinstance(e, ev.ReturnRefunded)]
    assert len(done) == 1
    assert done[0].refund_reference == f"re-{rma.id}"
    assert done[0].amount == Money.of("20.00", "EUR")


async def test_a_crash_between_refund_and_mark_resumes_with_the_same_return_id() -> None:
    store, stock, clock, order_id, _customer, sku = shop()
    deps = ordering_deps(store, stock, FakePayments(), clock=clock)
    refunds: list[c.RefundOrder] = []

    async def refund_once_per_return(cmd: c.RefundOrder, _: object) -> OrderState:
        refunds.append(cmd)
        state = store.order(cmd.order_id).state
        return refunded(state, cmd)

    mark, crashes = deps.bus._handlers[c.MarkReturnRefunded], [1]

    async def crashing_mark(cmd: c.MarkReturnRefunded, d: object) -> object:
        if crashes:
            crashes.pop()
            raise ConnectionError("the worker died before the mark")
        return await mark[0](cmd, mark[1])

    deps.bus._handlers[c.RefundOrder] = (refund_once_per_return, deps)
    deps.bus._handlers[c.MarkReturnRefunded] = (crashing_mark, deps)
    rma = await deps.bus.handle(
        c.RequestReturn(order_id=order_id, actor_id=STAFF, any_order=True, lines=(asked(sku, 1),))
    )
    await deps.bus.handle(c.ApproveReturn(return_id=rma.id, actor_id=STAFF))
    await deps.bus.handle(
        c.ReceiveReturn(return_id=rma.id, units=(restocked(sku, 1),), actor_id=STAFF)
    )
    (received,) = [e for e in store.events() if isinstance(e, ev.ReturnReceived)]
    process = FulfilmentProcess(deps)
    with pytest.raises(ConnectionError):
        await process.react(received)
    await process.react(received)  # the event is handed over again after the crash
    await process.react(received)
    assert [r.return_id for r in refunds] == [rma.id, rma.id]  # the same key: one refund
    assert len([e for e in store.events() if isinstance(e, ev.ReturnRefunded)]) == 1


async def test_a_return_refund_the_provider_could_not_take_is_closed_when_it_is_issued() -> None:
    store, stock, clock, order_id, _customer, sku = shop()
    deps = ordering_deps(store, stock, FakePayments(), clock=clock)

    async def provider_out(cmd: c.RefundOrder, _: object) -> OrderState:
        raise PaymentUnavailable("the provider is away")

    deps.bus._handlers[c.RefundOrder] = (provider_out, deps)
    rma = await deps.bus.handle(
        c.RequestReturn(order_id=order_id, actor_id=STAFF, any_order=True, lines=(asked(sku, 1),))
    )
    await deps.bus.handle(c.ApproveReturn(return_id=rma.id, actor_id=STAFF))
    await deps.bus.handle(
        c.ReceiveReturn(return_id=rma.id, units=(restocked(sku, 1),), actor_id=STAFF)
    )
    (received,) = [e for e in store.events() if isinstance(e, ev.ReturnReceived)]
    process = FulfilmentProcess(deps)
    await process.react(received)  # no failure to park: the refund waits as requested
    async with deps.uow() as uow:
        waiting = await uow.returns.get(rma.id)
    assert waiting is not None
    assert waiting.status is ReturnStatus.RECEIVED
    issued = ev.RefundIssued(
        occurred_at=NOW,
        order_id=order_id,
        amount=received.refund,
        refund_reference="re_later",
        reason="return",
        actor_id=None,
        return_id=rma.id,
    )
    await process.react(issued)  # the worker issued it later
    refunded = [e for e in store.events() if isinstance(e, ev.ReturnRefunded)]
    assert [e.refund_reference for e in refunded] == ["re_later"]
