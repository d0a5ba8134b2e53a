"""How the ordering context reaches the others: inventory through its own commands, and the
payment provider through the resilient gateway. Ordering names only its ports (`Stock`,
`PaymentGateway`); this module translates between the contexts' languages."""

from datetime import timedelta
from functools import partial
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncEngine

from agora.settings import Settings
from application.inventory import handlers as inventory
from application.inventory.commands import (
    CommitReservations,
    KeepReservations,
    ReleaseReservations,
    ReserveStock,
)
from application.inventory.handlers import InventoryDeps
from application.ordering.dependencies import OrderingDeps
from application.shared.clock import Clock
from domain.inventory.errors import InsufficientStock, UnknownSku
from infrastructure.eventlog.registry import EventRegistry
from infrastructure.ordering.unit_of_work import SqlOrderingUnitOfWork
from infrastructure.payments.resilient import PaymentProvider, ResilientGateway
from infrastructure.payments.simulated import SimulatedProvider


class InventoryForOrdering:
    """The `Stock` port of ordering, served by inventory's handlers."""

    def __init__(self, deps: InventoryDeps) -> None:
        self._deps = deps

    async def reserve(
        self, order_id: UUID, lines: list[tuple[str, int]], *, hold_for: timedelta
    ) -> str | None:
        command = ReserveStock(order_id=order_id, lines=tuple(lines), hold_for=hold_for)
        try:
            reservations = await inventory.reserve_stock(command, deps=self._deps)
        except InsufficientStock as exc:
            return f"not enough stock of {exc.sku}: {exc.requested} wanted, {exc.available} left"
        except UnknownSku as exc:
            return f"not stocked: {exc.detail}"
        if any(r.status != "held" for r in reservations):
            # Reserved earlier, then expired before the order could be confirmed.
            return "the stock reservation lapsed before the order was confirmed"
        return None

    async def keep(self, order_id: UUID) -> None:
        await inventory.keep_reservations(KeepReservations(order_id=order_id), deps=self._deps)

    async def release(self, order_id: UUID) -> None:
        await inventory.release_reservations(
            ReleaseReservations(order_id=order_id), deps=self._deps
        )

    async def commit(self, order_id: UUID) -> None:
        await inventory.commit_reservations(CommitReservations(order_id=order_id), deps=self._deps)


def payment_provider(settings: Settings) -> SimulatedProvider:
    return SimulatedProvider(
        latency_seconds=settings.payments.latency_ms / 1000,
        failure_rate=settings.payments.failure_rate,
    )


def payment_gateway(settings: Settings, provider: PaymentProvider) -> ResilientGateway:
    p = settings.payments
    return ResilientGateway(
        provider,
        timeout_seconds=p.timeout_seconds,
        attempts=p.max_attempts,
        backoff_seconds=p.backoff_seconds,
        backoff_max_seconds=max(p.backoff_seconds * 8, 0.001),
        threshold=p.circuit_threshold,
        reset_seconds=p.circuit_reset_seconds,
    )


def ordering_deps(
    settings: Settings,
    *,
    engine: AsyncEngine,
    registry: EventRegistry,
    clock: Clock,
    gateway: ResilientGateway,
    stock: InventoryDeps,
) -> OrderingDeps:
    o = settings.ordering
    payment_timeout = timedelta(seconds=o.payment_timeout_seconds)
    return OrderingDeps(
        uow=partial(SqlOrderingUnitOfWork, engine, registry),
        clock=clock,
        payments=gateway,
        stock=InventoryForOrdering(stock),
        webhook_secret=settings.payments.webhook_secret.get_secret_value(),
        webhook_tolerance=timedelta(seconds=settings.payments.webhook_tolerance_seconds),
        idempotency_ttl=timedelta(hours=o.idempotency_ttl_hours),
        payment_timeout=payment_timeout,
        reservation_hold=payment_timeout + timedelta(seconds=o.reservation_grace_seconds),
    )
