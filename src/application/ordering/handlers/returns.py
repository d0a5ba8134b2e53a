"""Handlers of returns (ADR 0039). A request and a receipt hold the order's stream lock while
they read the order's other returns, so two of them for one order run one after the other and
never ask back, or refund, the same units twice; a receipt then locks the return itself."""

import uuid
from collections.abc import Callable
from datetime import datetime
from uuid import UUID

from application.ordering import commands as c
from application.ordering.deps import OrderingDeps
from application.shared.unit_of_work import retried
from domain.ordering.errors import OrderNotFound, ReturnNotFound, UnknownLocation
from domain.ordering.returns import Return, ReturnState


@retried
async def request_return(cmd: c.RequestReturn, deps: OrderingDeps) -> ReturnState:
    now = deps.clock.now()
    async with deps.uow() as uow:
        order = await uow.orders.get(cmd.order_id)
        if order is None or (not cmd.any_order and order.state.customer_id != cmd.actor_id):
            raise OrderNotFound(f"order {cmd.order_id} not found")
        aggregate = Return.request(
            return_id=uuid.uuid4(),
            order=order.state,
            lines=cmd.lines,
            others=await uow.returns.of_order(order.id),
            actor_id=cmd.actor_id,
            window=deps.returns_window,
            now=now,
        )
        await uow.returns.add(aggregate)
        await uow.commit()
    return aggregate.state


@retried
async def receive_return(cmd: c.ReceiveReturn, deps: OrderingDeps) -> ReturnState:
    """Every restock location must exist; the refund is computed from the order's frozen
    breakdown after the order's earlier received returns (read under the order's lock)."""
    for location in {unit.location for unit in cmd.units if unit.location is not None}:
        if not await deps.stock.location_exists(location):
            raise UnknownLocation(f"no stock location has the code {location!r}")
    now = deps.clock.now()
    async with deps.uow() as uow:
        aggregate = await uow.returns.get(cmd.return_id)  # the return first, then its order
        if aggregate is None:
            raise ReturnNotFound(f"return {cmd.return_id} not found")
        order = await uow.orders.get(aggregate.state.order_id)
        assert order is not None, "a return belongs to an order"
        aggregate.receive(
            cmd.units,
            order=order.state,
            others=await uow.returns.of_order(order.id),
            shipping=deps.refund_shipping,
            actor_id=cmd.actor_id,
            now=now,
        )
        await uow.commit()
    return aggregate.state


ReturnChange = c.ApproveReturn | c.RefuseReturn | c.MarkReturnRefunded


@retried
async def change_return(cmd: ReturnChange, deps: OrderingDeps) -> ReturnState:
    def change(aggregate: Return, now: datetime) -> None:
        match cmd:
            case c.ApproveReturn(actor_id=actor):
                aggregate.approve(actor_id=actor, now=now)
            case c.RefuseReturn(reason=reason, actor_id=actor):
                aggregate.refuse(reason, actor_id=actor, now=now)
            case c.MarkReturnRefunded(refund_reference=reference):
                aggregate.mark_refunded(reference, now=now)

    return await _change(cmd.return_id, change, deps=deps)


async def _change(
    return_id: UUID, change: Callable[[Return, datetime], None], *, deps: OrderingDeps
) -> ReturnState:
    now = deps.clock.now()
    async with deps.uow() as uow:
        aggregate = await uow.returns.get(return_id)
        if aggregate is None:
            raise ReturnNotFound(f"return {return_id} not found")
        change(aggregate, now)
        await uow.commit()
    return aggregate.state
