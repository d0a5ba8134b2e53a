"""Handlers of the payment's lifecycle after the authorisation (ADR 0037): capture, and refunds
that never add up to more than was captured. A refund is recorded as requested on the order's
stream first (its lock and the append's expected version decide who gets what is left), then
the provider is asked under that refund's own key, then the answer is recorded; a crash in
between leaves a requested refund that the next attempt completes under the same key."""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from application.ordering import commands as c
from application.ordering.deps import OrderingDeps
from application.ordering.handlers.order import _change, _load, keep_payment_clocks
from application.shared.idempotency import IdempotencyKeyReused
from application.shared.unit_of_work import retried
from domain.ordering.errors import OrderNotRefundable
from domain.ordering.order import NO_CHARGE, Order, OrderState

log = logging.getLogger(__name__)

# A refund still pending this long after its request was left by a crash or an outage (a
# live request is answered within the gateway's timeouts): the worker completes it.
REFUND_GRACE = timedelta(minutes=1)

# Names a refund after what asked for it, so that asking again finds it instead of a second.
REFUND_IDS = uuid.UUID("6f0c1d2e-3a4b-5c6d-7e8f-90a1b2c3d4e5")


def capture_reference(order_id: UUID) -> str:
    """The provider's idempotency key of an order's capture: one capture per order."""
    return f"capture-{order_id}"


def refund_key(refund_id: UUID) -> str:
    """The provider's idempotency key of one refund."""
    return f"refund-{refund_id}"


@retried
async def capture_payment(cmd: c.CapturePayment, deps: OrderingDeps) -> OrderState:
    """Asks the provider to capture the authorised amount, then records it; repeated (two
    reactions racing, a crash), the provider answers with the capture made under the key."""
    async with deps.uow() as uow:
        order = await _load(uow.orders.get, cmd.order_id)
    found = order.check_capturable()
    if found is None:
        return order.state  # captured already, or nothing to capture (gift cards paid it)
    payment_reference, amount = found
    reference = await deps.payments.capture(
        reference=capture_reference(order.id), payment_reference=payment_reference, amount=amount
    )

    def record(order: Order, now: datetime) -> None:
        order.capture(reference, actor_id=cmd.actor_id, now=now)

    return await _change(order.id, record, deps=deps)


async def refund_order(cmd: c.RefundOrder, deps: OrderingDeps) -> OrderState:
    """Grants the refund against what is left (or finds the one this request made before),
    then pays back every refund of the order still pending: this one, and any that a crash or
    an outage left requested, each under its own key, so none is ever paid twice. A refusal
    (nothing left) still completes those first: the retry of a request that had landed."""
    try:
        order = await _request(_Request(command=cmd, refund_id=_refund_id(cmd)), deps)
    except OrderNotRefundable:
        await complete_refunds(cmd.order_id, deps)
        raise
    return await complete_refunds(order.id, deps, state=order.state)


async def complete_refunds(
    order_id: UUID, deps: OrderingDeps, *, state: OrderState | None = None
) -> OrderState:
    """Asks the provider for each pending refund of the order under the refund's own key and
    records its answer; nothing pending, nothing asked."""
    if state is None:
        async with deps.uow() as uow:
            state = (await _load(uow.orders.get, order_id)).state
    for pending in state.pending_refunds:
        assert state.payment_reference is not None  # only a refund by card waits
        reference = await deps.payments.refund(
            reference=refund_key(pending.refund_id),
            payment_reference=state.payment_reference,
            amount=pending.amount,
        )
        state = await _issue(
            _Issue(order_id=order_id, refund_id=pending.refund_id, reference=reference), deps
        )
    return state


@dataclass(frozen=True, kw_only=True)
class _Request:
    command: c.RefundOrder
    refund_id: UUID


@dataclass(frozen=True, kw_only=True)
class _Issue:
    order_id: UUID
    refund_id: UUID
    reference: str


@retried
async def _request(step: _Request, deps: OrderingDeps) -> Order:
    cmd, refund_id, now = step.command, step.refund_id, deps.clock.now()
    async with deps.uow() as uow:
        order = await _load(uow.orders.get, cmd.order_id)
        before = order.state
        found = order.refund_of(refund_id)
        if found is not None:  # asked again: the refund it made, or still makes
            if cmd.amount is not None and found.amount != cmd.amount:
                raise IdempotencyKeyReused(
                    f"this refund was asked for {found.amount}, not {cmd.amount}"
                )
            return order
        order.request_refund(
            refund_id,
            cmd.amount,
            reason=cmd.reason,
            actor_id=cmd.actor_id,
            lines=cmd.lines,
            return_id=cmd.return_id,
            now=now,
        )
        if order.state.payment_reference is None:  # gift cards paid it all: none by card
            order.issue_refund(refund_id, NO_CHARGE, now=now)
        await keep_payment_clocks(uow, before, order.state)
        await uow.commit()
    return order


@retried
async def _issue(step: _Issue, deps: OrderingDeps) -> OrderState:
    def record(order: Order, now: datetime) -> None:
        order.issue_refund(step.refund_id, step.reference, now=now)

    return await _change(step.order_id, record, deps=deps)


def _refund_id(cmd: c.RefundOrder) -> UUID:
    """Named after what asked for it (a return, an Idempotency-Key), so that asking again
    finds it; a refund asked with neither is new each time."""
    if cmd.return_id is not None:  # once per return
        return uuid.uuid5(REFUND_IDS, f"return:{cmd.order_id}:{cmd.return_id}")
    if cmd.idempotency_key is not None:
        return uuid.uuid5(REFUND_IDS, f"key:{cmd.order_id}:{cmd.actor_id}:{cmd.idempotency_key}")
    return uuid.uuid4()


async def cancel_expired_authorisations(
    cmd: c.CancelExpiredAuthorisations, deps: OrderingDeps
) -> int:
    """Cancels paid, uncaptured orders authorised longer ago than the provider honours it;
    returns how many. The cancellation voids the authorisation (the fulfilment process); the
    clock of an order that no longer waits is cleared by the step itself."""
    cutoff = deps.clock.now() - deps.authorisation_valid_for
    async with deps.uow() as uow:
        expired = await uow.captures.due(cutoff, limit=cmd.batch)
    days = deps.authorisation_valid_for.days
    reason = f"payment authorisation expired after {days} days, before the order shipped"
    cancelled = 0
    for order_id in expired:
        try:
            state = await deps.bus.handle(c.ExpireAuthorisation(order_id=order_id, reason=reason))
        except Exception:
            log.exception("authorisation not expired", extra={"order_id": str(order_id)})
            continue
        cancelled += state.cancel_reason == reason
    return cancelled


async def complete_pending_refunds(cmd: c.CompletePendingRefunds, deps: OrderingDeps) -> int:
    """Pays back the refunds left requested (a crash or an outage between the request and
    the provider's answer) for more than `REFUND_GRACE`, each under its own key; returns how
    many orders it settled. One that fails again waits for the next round."""
    cutoff = deps.clock.now() - REFUND_GRACE
    async with deps.uow() as uow:
        waiting = await uow.pending_refunds.due(cutoff, limit=cmd.batch)
    settled = 0
    for order_id in waiting:
        try:
            state = await complete_refunds(order_id, deps)
        except Exception:
            log.exception("pending refund not completed", extra={"order_id": str(order_id)})
            continue
        settled += not state.pending_refunds
    return settled
