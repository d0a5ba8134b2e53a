"""The fulfilment process survives a crash at any commit: each path an order can take is run
once cleanly, then again with a fault injected at each of its commits in turn (the connection
dropped before it lands, or the worker gone just after it), and resumed from the log. Real
PostgreSQL and the real SQL adapters, with the simulated provider behind the resilient gateway."""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar, cast

import asyncpg
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from agora.bootstrap import platform, wire_all
from agora.contexts import inventory, ordering
from agora.platform import Platform
from agora.settings import OrderingSettings, PaymentsSettings, Settings
from agora.worker import subscribers
from application.catalog.commands import CreateProduct, PublishProduct
from application.gift_cards.commands import IssueGiftCard
from application.inventory.commands import ReceiveStock
from application.ordering import commands as c
from application.ordering.deps import OrderingDeps
from application.shared.bus import Command, CommandBus
from application.shared.errors import ApplicationError, DatabaseUnavailable, Unavailable
from domain.ordering.order import Order, OrderState, order_stream
from domain.ordering.values import OrderStatus
from domain.shared.errors import DomainError
from infrastructure.db.engine import asyncpg_dsn
from infrastructure.db.transient import is_transient, lost_connection
from infrastructure.db.unit_of_work import SqlUnitOfWork
from infrastructure.eventlog.store import EventStore, NewEvents
from infrastructure.eventlog.subscriptions import RunnerConfig, SubscriptionRunner
from infrastructure.eventlog.tables import event_log, subscription_checkpoints
from infrastructure.http.signatures import sign
from infrastructure.ordering.tables import order_payment_deadlines, order_payment_methods
from infrastructure.payments.simulated import SimulatedProvider
from tests.support.fakes.shared import FixedClock
from tests.support.orders import ADDRESS
from tests.support.shop import WEBHOOK_SECRET

UNITS, BOUGHT = 5, 2
T = TypeVar("T")
# The subscribers that act on an order's events; the others keep read models or notify.
ACTING_ON_ORDERS = {"fulfilment", "order-stock"}


@dataclass
class Faults:
    """Counts the units of work's commits, and fails one: `at` counts from 1, `after` makes the
    fault strike once the commit has landed (the worker died before going on). Either reaches
    the caller as production's outage does, a DatabaseUnavailable: at the commit, the socket is
    closed under it and the engine translates what the driver raises; after it, the answer of
    a commit that landed is lost, translated by the same function."""

    commits: int = 0
    at: int | None = None
    after: bool = False
    labels: list[str] = field(default_factory=list)
    _appended: str = ""

    def arm(self, at: int | None = None, *, after: bool = False) -> None:
        self.commits, self.at, self.after, self.labels = 0, at, after, []


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Faults:
    faults = Faults()
    commit, committed = SqlUnitOfWork.commit, SqlUnitOfWork._committed

    async def failing_commit(uow: SqlUnitOfWork) -> None:
        faults.commits += 1
        faults._appended = "(no events)"
        struck = faults.commits == faults.at
        if struck and not faults.after:
            await _drop_connection(uow)
        await commit(uow)
        faults.labels.append(faults._appended)
        if struck:
            lost = asyncpg.ConnectionDoesNotExistError("injected: the commit's answer was lost")
            raise _translated(lost) from lost

    async def noting(uow: SqlUnitOfWork, appended: list[NewEvents]) -> None:
        kinds = [type(p.event).__name__ for s in appended for p in s.events]
        faults._appended = "+".join(kinds) or "(no events)"
        await committed(uow, appended)

    monkeypatch.setattr(SqlUnitOfWork, "commit", failing_commit)
    monkeypatch.setattr(SqlUnitOfWork, "_committed", noting)
    return faults


async def _drop_connection(uow: SqlUnitOfWork) -> None:
    assert uow._conn is not None
    raw = await uow._conn.get_raw_connection()
    driver = raw.driver_connection
    assert isinstance(driver, asyncpg.Connection)
    driver.terminate()


def _translated(driver_error: BaseException) -> DatabaseUnavailable:
    unavailable = lost_connection(driver_error, is_disconnect=True)
    assert unavailable is not None
    return unavailable


@dataclass
class World:
    """The platform wired as the worker runs it, its subscribers that act on orders stepped by
    hand until caught up (a crashed batch runs again from its checkpoint, as after a restart)."""

    p: Platform
    provider: SimulatedProvider
    clock: FixedClock
    runners: list[SubscriptionRunner]
    staff: uuid.UUID = field(default_factory=uuid.uuid4)
    sent: set[type[Command[Any]]] = field(default_factory=set)

    def __post_init__(self) -> None:
        handle = self.p.bus.handle

        async def noting(command: Command[T]) -> T:
            self.sent.add(type(command))
            return await handle(command)

        self.p.bus.handle = noting  # type: ignore[method-assign]

    async def settle(self) -> None:
        """Until every subscriber has passed the log's last event (an event stays above the
        horizon while any transaction older than it is open on the server, another test's
        included: the bound is generous)."""
        for _ in range(6000):
            moved = 0
            for runner in self.runners:
                try:
                    moved += await runner.step()
                except Exception as exc:
                    if not is_transient(exc):
                        raise
                    moved += 1  # the worker died; it resumes from the checkpoint
            if not moved and await self._caught_up():
                return
            if not moved:
                await asyncio.sleep(0.02)
        raise AssertionError("the subscribers never caught up")

    async def _caught_up(self) -> bool:
        log = event_log.c
        checkpoints = subscription_checkpoints.c
        async with self.p.engine.connect() as conn:
            last = (
                await conn.execute(
                    select(log.transaction_id, log.position)
                    .order_by(log.transaction_id.desc(), log.position.desc())
                    .limit(1)
                )
            ).one()
            rows = await conn.execute(
                select(checkpoints.transaction_id, checkpoints.position).where(
                    checkpoints.name.in_([r.name for r in self.runners])
                )
            )
            return all(tuple(row) >= tuple(last) for row in rows)

    async def send(self, command: Command[T]) -> T | None:
        """Sent again after a crash, as a client (or the provider, for a callback) would; a
        refusal of the retry means the first attempt had gone through. An outage is no
        refusal: it says nothing of whether the attempt landed."""
        for attempt in range(3):
            try:
                return await self.p.bus.handle(command)
            except Exception as exc:
                if is_transient(exc):
                    continue
                if attempt == 0 or isinstance(exc, Unavailable):
                    raise
                if not isinstance(exc, DomainError | ApplicationError):
                    raise
                return None
        raise AssertionError(f"{command} never went through")

    async def cart(self, quantity: int) -> tuple[uuid.UUID, str]:
        """A customer with a product of its own, stocked, in the cart: the customer and SKU."""
        sku = f"T-{uuid.uuid4().hex[:8]}".upper()
        bus = self.p.bus
        product = await bus.handle(
            CreateProduct(sku=sku, name="Teapot", description="", amount="12.50", currency="EUR")
        )
        await bus.handle(PublishProduct(product_id=product.id))
        await bus.handle(ReceiveStock(sku=sku, quantity=UNITS, actor_id=None))
        customer = uuid.uuid4()
        await bus.handle(c.SetCartLine(customer_id=customer, sku=sku, quantity=quantity))
        return customer, sku

    async def check_out(
        self, customer: uuid.UUID, token: str, *, gift_cards: tuple[str, ...] = ()
    ) -> uuid.UUID:
        placed = await self.send(
            c.CheckOut(
                customer_id=customer,
                idempotency_key=uuid.uuid4().hex,
                shipping_address=ADDRESS,
                payment_token=token or None,
                gift_card_codes=gift_cards,
            )
        )
        assert placed is not None
        return placed.value.id

    async def gift_card(self, amount: str) -> str:
        """A new gift card's code (issued without faults: it is no step of the order)."""
        issued = await self.p.bus.handle(
            IssueGiftCard(amount=amount, currency="EUR", actor_id=uuid.uuid4())
        )
        return issued.code

    async def order(self, order_id: uuid.UUID) -> OrderState:
        async with self.p.engine.connect() as conn:
            stored = await EventStore(conn, self.p.registry).read_stream(order_stream(order_id))
        return Order.replay(self.p.registry.decode(s) for s in stored).state

    async def callback(self, order_id: uuid.UUID, kind: str, **data: Any) -> None:
        body = json.dumps({"type": kind, "data": {"reference": str(order_id)} | data}).encode()
        signature = sign(WEBHOOK_SECRET, body, at=self.clock.now())
        await self.send(c.HandlePaymentCallback(body=body, signature=signature))


@pytest.fixture
async def world(settings: Settings, database_url: str) -> AsyncIterator[World]:
    tuned = settings.model_copy(
        update={
            "payments": PaymentsSettings(
                webhook_secret=SecretStr(WEBHOOK_SECRET),
                latency_ms=0,
                timeout_seconds=0.2,
                max_attempts=1,  # so that tok_flaky's lost answer ends the payment
                backoff_seconds=0.001,
                circuit_threshold=100,
            ),
            "ordering": OrderingSettings(payment_timeout_seconds=60),
        }
    )
    provider = SimulatedProvider()
    clock = FixedClock(datetime.now(UTC))
    async with platform(
        tuned, database_url=database_url, redis_url=None, clock=clock, payments=provider
    ) as p:
        dsn = asyncpg_dsn(database_url)
        config = RunnerConfig(max_attempts=2, backoff_base=0.001, backoff_cap=0.001)
        runners = [
            SubscriptionRunner(s, engine=p.engine, dsn=dsn, config=config)
            for s in subscribers(p, wire_all(p))
            if s.name in ACTING_ON_ORDERS
        ]
        yield World(p=p, provider=provider, clock=clock, runners=runners)


# -- the paths an order takes through the process ------------------------------------------


async def wait_then_pay(w: World, order_id: uuid.UUID) -> None:
    await w.settle()
    total = (await w.order(order_id)).total
    await w.callback(
        order_id,
        "payment.authorized",
        payment_reference=f"pay_async_{order_id.hex[:8]}",
        amount=str(total.amount),
        currency=total.currency,
    )


async def wait_then_decline(w: World, order_id: uuid.UUID) -> None:
    await w.settle()
    await w.callback(order_id, "payment.declined", reason="insufficient funds")


async def wait_past_the_deadline(w: World, order_id: uuid.UUID) -> None:
    # The sweep runs every few seconds; an expiry that failed is tried a timeout later.
    for _ in range(2):
        await w.settle()
        w.clock.advance(timedelta(seconds=61))
        await w.send(c.CancelUnpaidOrders(batch=100))


async def cancel_while_waiting(w: World, order_id: uuid.UUID) -> None:
    await w.settle()
    customer = (await w.order(order_id)).customer_id
    await w.send(
        c.CancelOrder(
            order_id=order_id,
            actor_id=customer,
            any_order=False,
            reason="changed my mind",
            idempotency_key=uuid.uuid4().hex,
        )
    )


async def capture_then_refund(w: World, order_id: uuid.UUID) -> None:
    await w.settle()
    await w.send(c.CapturePayment(order_id=order_id, actor_id=w.staff))
    await w.send(c.RefundOrder(order_id=order_id, reason="broken", actor_id=w.staff))
    w.clock.advance(timedelta(minutes=2))  # the worker's round finds nothing left pending
    await w.send(c.CompletePendingRefunds(batch=100))


async def wait_past_the_authorisation(w: World, order_id: uuid.UUID) -> None:
    for _ in range(2):
        await w.settle()
        w.clock.advance(timedelta(days=8))
        await w.send(c.CancelExpiredAuthorisations(batch=100))


@dataclass(frozen=True)
class Path:
    """An order's way through the process: its card, what happens to it meanwhile, where it
    ends and what the provider then holds under its reference ((voided, refunded), or no
    charge), and the ordering commands (steps) it takes on the way."""

    token: str
    ends: OrderStatus
    charge: tuple[bool, bool] | None
    steps: tuple[type[Command[Any]], ...]
    meanwhile: Callable[[World, uuid.UUID], Awaitable[None]] | None = None
    quantity: int = BOUGHT
    gift_card: str | None = None  # a card of this value pays (part of) the order


# A pending payment settled by callback leaves no charge in the simulator: the callback
# carries the provider's own reference.
KEPT, VOIDED, REFUNDED = (False, False), (True, False), (False, True)
PATHS = {
    "approved": Path(
        "tok_approve", OrderStatus.PAID, KEPT, (c.CheckOut, c.ConfirmStock, c.RecordPayment)
    ),
    "declined": Path("tok_decline", OrderStatus.CANCELLED, None, (c.DeclinePayment,)),
    "answer lost, voided": Path("tok_flaky", OrderStatus.CANCELLED, VOIDED, (c.FailPayment,)),
    "out of stock": Path(
        "tok_approve", OrderStatus.REJECTED, None, (c.RejectStock,), quantity=UNITS + 1
    ),
    "approved by callback": Path(
        "tok_pending", OrderStatus.PAID, None, (c.HandlePaymentCallback,), wait_then_pay
    ),
    "declined by callback": Path(
        "tok_pending", OrderStatus.CANCELLED, None, (c.HandlePaymentCallback,), wait_then_decline
    ),
    "expired unpaid": Path(
        "tok_pending",
        OrderStatus.CANCELLED,
        None,
        (c.CancelUnpaidOrders, c.ExpirePayment),
        wait_past_the_deadline,
    ),
    "cancelled while waiting": Path(
        "tok_pending", OrderStatus.CANCELLED, None, (c.CancelOrder,), cancel_while_waiting
    ),
    "captured and refunded": Path(
        "tok_approve",
        OrderStatus.REFUNDED,
        REFUNDED,
        (c.CapturePayment, c.RefundOrder, c.CompletePendingRefunds),
        capture_then_refund,
    ),
    "authorised, cancelled and voided": Path(
        "tok_approve",
        OrderStatus.CANCELLED,
        VOIDED,
        (c.CancelOrder, c.VoidPayment),
        cancel_while_waiting,
    ),
    "authorisation expired unshipped": Path(
        "tok_approve",
        OrderStatus.CANCELLED,
        VOIDED,
        (c.CancelExpiredAuthorisations, c.ExpireAuthorisation, c.VoidPayment),
        wait_past_the_authorisation,
    ),
    # Nothing is left to pay: paid without the provider (and without a token).
    "paid by gift card": Path("", OrderStatus.PAID, None, (c.SkipPayment,), gift_card="100.00"),
}
# Ordering's commands that are no step of the process and call nothing outside the database.
NOT_STEPS = {
    c.SetCartLine,
    c.RemoveCartLine,
    c.ClearCart,
    c.ShipOrder,
    c.MarkDelivered,
    c.DeliverShipment,
    c.ForgetIdempotencyKeys,
    c.ChooseCartCurrency,
    c.ClaimGuestOrders,
    # The provider's later news, recorded as told (by HandlePaymentCallback, a step here).
    c.RecordCapture,
    c.RecordRefund,
    # People's actions on returns; the return's refund step (RefundOrder, then
    # MarkReturnRefunded) is resumed after a crash in tests/unit/test_return_handlers.py.
    c.RequestReturn,
    c.ApproveReturn,
    c.RefuseReturn,
    c.ReceiveReturn,
    c.MarkReturnRefunded,
}


@dataclass(frozen=True)
class EndState:
    """What must come out the same however often the process crashed on the way."""

    status: OrderStatus
    events: tuple[str, ...]
    charge: tuple[bool, bool] | None  # (voided, refunded) of the charge under the order's reference
    refunds: int
    stock: tuple[int, int]  # on hand, reserved
    token_kept: bool
    deadline_kept: bool


async def walk(w: World, path: Path, faults: Faults, at: int | None, *, after: bool) -> EndState:
    customer, sku = await w.cart(path.quantity)
    codes = () if path.gift_card is None else (await w.gift_card(path.gift_card),)
    faults.arm(at, after=after)
    order_id = await w.check_out(customer, path.token, gift_cards=codes)
    if path.meanwhile is not None:
        await path.meanwhile(w, order_id)
    await w.settle()
    labels = faults.labels
    faults.arm()
    faults.labels = labels
    order = await w.order(order_id)
    async with w.p.engine.connect() as conn:
        stored = await EventStore(conn, w.p.registry).read_stream(order_stream(order_id))
        kept = [
            await conn.scalar(
                select(func.count()).select_from(table).where(table.c.order_id == order_id)
            )
            for table in (order_payment_methods, order_payment_deadlines)
        ]
    level = await inventory.queries(w.p).level(sku)
    charge = w.provider.charges.get(str(order_id))
    if order.status is OrderStatus.PAID:
        assert charge is None or order.payment_reference == charge.payment_reference
    return EndState(
        status=order.status,
        events=tuple(s.event_type for s in stored),
        charge=None if charge is None else (charge.voided, charge.refunded),
        refunds=sum(
            key in {f"refund-{r.refund_id}" for r in order.refunds}
            for key, _ in w.provider.refund_log
        ),
        stock=(level.on_hand, level.reserved),
        token_kept=bool(kept[0]),
        deadline_kept=bool(kept[1]),
    )


async def test_an_approval_whose_record_was_lost_is_recorded_when_the_process_resumes(
    world: World, faults: Faults
) -> None:
    """The connection drops while PaymentAuthorized is appended: the provider has charged, the
    order still awaits payment. Resumed, the process asks again and records that one charge."""
    path = PATHS["approved"]
    await walk(world, path, faults, None, after=False)
    at = next(n for n, label in enumerate(faults.labels, 1) if "PaymentAuthorized" in label)
    crashed = await walk(world, path, faults, at, after=False)
    assert crashed.status is OrderStatus.PAID
    assert crashed.events == ("OrderPlaced", "OrderStockReserved", "PaymentAuthorized", "OrderPaid")
    assert crashed.charge == (False, False)  # one charge, kept
    assert (crashed.token_kept, crashed.deadline_kept) == (False, False)
    assert sorted(world.provider.attempts.values()) == [1, 2]  # the crashed order asked twice


class Listing:
    """Stands in for the bus to list the commands ordering registers."""

    def __init__(self) -> None:
        self.commands: set[type[Command[Any]]] = set()

    def register(self, command: type[Command[Any]], handler: object, deps: object) -> None:
        self.commands.add(command)


def test_every_step_of_the_process_has_a_crash_point_path() -> None:
    listing = Listing()
    ordering.register(cast(CommandBus, listing), cast(OrderingDeps, None))
    taken = {step for path in PATHS.values() for step in path.steps}
    assert listing.commands - NOT_STEPS == taken


@pytest.mark.parametrize("name", PATHS)
async def test_a_crash_at_any_commit_changes_nothing_of_the_outcome(
    world: World, faults: Faults, name: str
) -> None:
    path = PATHS[name]
    clean = await walk(world, path, faults, None, after=False)
    labels = list(faults.labels)
    assert clean.status is path.ends
    assert clean.charge == path.charge
    assert clean.stock == (UNITS, BOUGHT if path.ends is OrderStatus.PAID else 0)
    assert not clean.token_kept
    assert not clean.deadline_kept
    assert set(path.steps) <= world.sent
    assert len(labels) >= 3
    for at, label in enumerate(labels, start=1):
        for after in (False, True):
            crashed = await walk(world, path, faults, at, after=after)
            where = f"{'after' if after else 'at'} commit {at} of {labels} ({label})"
            assert crashed == clean, where
