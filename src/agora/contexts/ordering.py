"""Ordering wired: storage, payments, the log's subscribers, the warehouse consumer, the sweeps;
and the anti-corruption adapters serving ordering's Catalog and Stock ports from other contexts."""

from collections.abc import Iterable, Sequence
from datetime import timedelta
from functools import partial
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from agora.contexts.gift_cards import GiftCardsForOrdering
from agora.contexts.identity import AddressBookForOrdering
from agora.contexts.inventory import queries as inventory_queries
from agora.contexts.promotions import PromotionsForOrdering
from agora.contexts.shipping import ShippingForOrdering
from agora.contexts.taxes import TaxesForOrdering
from agora.platform import Job, Platform, Wiring
from agora.settings import Settings
from application.inventory.commands import ReleaseReservations, ReserveStock
from application.inventory.queries import InventoryQueries
from application.ordering import commands as c
from application.ordering.deps import OrderingDeps
from application.ordering.handlers import cart, fulfilment, order, payment, returns
from application.ordering.queries import OrderingQueries
from application.shared.bus import CommandBus
from domain.inventory.errors import BackorderLimitReached, InsufficientStock, UnknownSku
from domain.inventory.values import ReservationStatus
from domain.ordering.events import EVENTS
from domain.ordering.pricing.refunds import ShippingRefund
from domain.ordering.values import CatalogItem, LineUnits
from infrastructure.catalog.readers import variants_by_sku
from infrastructure.eventlog.subscribers import Subscriber
from infrastructure.kafka.consumer import ConsumerConfig, KafkaConsumerRunner, reacting_to
from infrastructure.kafka.envelope import topic_for
from infrastructure.kafka.warehouse import WarehouseShipments
from infrastructure.ordering.readers import SqlCartReader, SqlOrderHistory, SqlOrderReader
from infrastructure.ordering.repositories import BacklogCount
from infrastructure.ordering.return_readers import SqlReturnReader
from infrastructure.ordering.subscribers import (
    FulfilmentRunner,
    OrderProjection,
    OrderUpdatesPublisher,
    ReturnProjection,
)
from infrastructure.ordering.unit_of_work import Neighbours, SqlOrderingUnitOfWork
from infrastructure.payments.callbacks import SignedPaymentCallbacks
from infrastructure.payments.gateway import PaymentProvider, ResilientGateway
from infrastructure.payments.simulated import SimulatedProvider
from infrastructure.redis.order_feed import RedisOrderFeed

NAME = "ordering"
__all__ = ["EVENTS", "NAME", "dependencies", "queries", "register", "wire"]


class CatalogForOrdering:
    """Ordering's Catalog port, served by the catalog's variants on ordering's connection: a
    SKU is a variant, for sale while it and its product are active."""

    def __init__(self, conn: AsyncConnection) -> None:
        self._conn = conn

    async def items(self, skus: Iterable[str]) -> dict[str, CatalogItem]:
        return {
            sku: CatalogItem(
                product_id=variant.product_id,
                sku=variant.sku,
                name=variant.name,
                price=variant.prices[0],
                active=variant.for_sale,
                variant_id=variant.variant_id,
                prices=variant.prices,
                category_ids=variant.category_ids,
                tax_category=variant.tax_category,
                weight_grams=variant.weight_grams,
                options=variant.options,
            )
            for sku, variant in (await variants_by_sku(self._conn, skus)).items()
        }


NEIGHBOURS = Neighbours(
    catalog=CatalogForOrdering,
    taxes=TaxesForOrdering,
    shipping=ShippingForOrdering,
    promotions=PromotionsForOrdering,
    gift_cards=GiftCardsForOrdering,
    addresses=AddressBookForOrdering,
)


class InventoryForOrdering:
    """Ordering's Stock port, served by inventory's commands on the bus and its queries."""

    def __init__(self, bus: CommandBus, queries: InventoryQueries) -> None:
        self._bus = bus
        self._queries = queries

    async def reserve(
        self, order_id: UUID, lines: list[tuple[str, int]], *, hold_for: timedelta
    ) -> str | None:
        command = ReserveStock(order_id=order_id, lines=tuple(lines), hold_for=hold_for)
        try:
            reservations = await self._bus.handle(command)
        except InsufficientStock as exc:
            return f"not enough stock of {exc.sku}: {exc.requested} wanted, {exc.available} left"
        except UnknownSku as exc:
            return f"not stocked: {exc.detail}"
        except BackorderLimitReached as exc:
            return f"not enough stock of {exc.sku}: {exc.requested} wanted, backorders full"
        if any(r.status is not ReservationStatus.HELD for r in reservations):
            # Reserved earlier, then expired before the order could be confirmed.
            return "the stock reservation lapsed before the order was confirmed"
        return None

    async def release(self, order_id: UUID) -> None:
        await self._bus.handle(ReleaseReservations(order_id=order_id))

    async def check_shipment(
        self, order_id: UUID, lines: Sequence[LineUnits], location: str | None
    ) -> str | None:
        wanted = [(line.sku, line.quantity) for line in lines]
        return await self._queries.shipment_shortfall(order_id, wanted, location)

    async def location_exists(self, code: str) -> bool:
        return await self._queries.location(code) is not None


def payment_gateway(settings: Settings, provider: PaymentProvider | None) -> ResilientGateway:
    p = settings.payments
    return ResilientGateway(
        provider
        or SimulatedProvider(latency_seconds=p.latency_ms / 1000, failure_rate=p.failure_rate),
        timeout_seconds=p.timeout_seconds,
        attempts=p.max_attempts,
        backoff_seconds=p.backoff_seconds,
        backoff_max_seconds=max(p.backoff_seconds * 8, 0.001),
        threshold=p.circuit_threshold,
        reset_seconds=p.circuit_reset_seconds,
    )


def wire(p: Platform) -> Wiring:
    s = p.settings
    deps = dependencies(p)
    register(p.bus, deps)

    process = FulfilmentRunner(fulfilment.FulfilmentProcess(deps), p.registry)
    subscribers: list[Subscriber] = [OrderProjection(p.registry), ReturnProjection(p.registry)]
    if p.redis is not None:
        subscribers.append(
            OrderUpdatesPublisher(
                p.redis, p.registry, circuit=p.redis_circuit, prefix=s.redis.key_prefix
            )
        )
    consumers: list[KafkaConsumerRunner] = []
    if s.kafka.bootstrap_servers:
        # Tries as many as the log's runners make before parking (here: the topic's `.dlq`).
        config = ConsumerConfig(
            max_in_flight=s.kafka.max_in_flight, max_attempts=s.worker.max_attempts
        )
        consumers.append(
            KafkaConsumerRunner(
                name=f"{s.kafka.client_id}-warehouse-shipments",
                topic=s.kafka.warehouse_topic,
                bootstrap_servers=s.kafka.bootstrap_servers,
                engine=p.engine,
                handler=WarehouseShipments(p.bus),
                config=config,
            )
        )
        # With Kafka, fulfilment scales out: every worker is a member of one consumer group
        # over the order events the relay publishes, and the log's runner of it is not run.
        consumers.append(
            KafkaConsumerRunner(
                name=f"{s.kafka.client_id}-fulfilment",
                topic=topic_for(NAME, prefix=s.kafka.topic_prefix),
                bootstrap_servers=s.kafka.bootstrap_servers,
                engine=p.engine,
                handler=reacting_to(process),
                config=config,
                inbox=False,  # its steps commit on their own and are idempotent (ADR 0022)
            )
        )
    else:
        subscribers.append(process)
    every = s.ordering.sweep_seconds
    return Wiring(
        subscribers=subscribers,
        jobs=[
            Job("order-sweep", every=every, command=c.CancelUnpaidOrders(batch=100)),
            Job("idempotency-keys", every=every, command=c.ForgetIdempotencyKeys()),
            Job("authorisations", every=every, command=c.CancelExpiredAuthorisations(batch=100)),
            Job("pending-refunds", every=every, command=c.CompletePendingRefunds(batch=100)),
        ],
        consumers=consumers,
    )


def dependencies(p: Platform) -> OrderingDeps:
    o, s = p.settings.ordering, p.settings
    payment_timeout = timedelta(seconds=o.payment_timeout_seconds)
    return OrderingDeps(
        uow=partial(
            SqlOrderingUnitOfWork,
            p.engine,
            p.registry,
            NEIGHBOURS,
            BacklogCount(interval_seconds=o.backlog_check_seconds),
        ),
        bus=p.bus,
        clock=p.clock,
        stock=InventoryForOrdering(p.bus, inventory_queries(p)),
        payments=payment_gateway(s, p.payments),
        callbacks=SignedPaymentCallbacks(
            secret=s.payments.webhook_secret.get_secret_value(),
            tolerance=timedelta(seconds=s.payments.webhook_tolerance_seconds),
            clock=p.clock,
        ),
        idempotency_ttl=timedelta(hours=o.idempotency_ttl_hours),
        payment_timeout=payment_timeout,
        reservation_hold=payment_timeout + timedelta(seconds=o.reservation_grace_seconds),
        max_fulfilment_backlog=o.max_fulfilment_backlog,
        default_currency=o.default_currency,
        capture_immediately=s.payments.capture == "immediate",
        authorisation_valid_for=timedelta(days=s.payments.authorisation_valid_days),
        returns_window=timedelta(days=o.returns_window_days),
        refund_shipping=ShippingRefund(o.returns_refund_shipping),
    )


def register(bus: CommandBus, deps: OrderingDeps) -> None:
    """The context's command handlers on the bus (tests register them with fakes)."""
    bus.register(c.SetCartLine, cart.set_cart_line, deps)
    bus.register(c.RemoveCartLine, cart.remove_cart_line, deps)
    bus.register(c.ClearCart, cart.clear_cart, deps)
    bus.register(c.ChooseCartCurrency, cart.choose_cart_currency, deps)
    bus.register(c.CheckOut, order.check_out, deps)
    bus.register(c.ClaimGuestOrders, order.claim_guest_orders, deps)
    bus.register(c.CancelOrder, order.cancel_order, deps)
    bus.register(c.RefundOrder, payment.refund_order, deps)
    bus.register(c.CapturePayment, payment.capture_payment, deps)
    bus.register(c.VoidPayment, order.change_order, deps)
    bus.register(c.ShipOrder, order.ship_order, deps)
    bus.register(c.MarkDelivered, order.change_order, deps)
    bus.register(c.DeliverShipment, order.change_order, deps)
    bus.register(c.ConfirmStock, order.change_order, deps)
    bus.register(c.RejectStock, order.change_order, deps)
    bus.register(c.RecordPayment, order.change_order, deps)
    bus.register(c.SkipPayment, order.change_order, deps)
    bus.register(c.DeclinePayment, order.change_order, deps)
    bus.register(c.FailPayment, order.change_order, deps)
    bus.register(c.ExpirePayment, order.change_order, deps)
    bus.register(c.ForgetIdempotencyKeys, order.forget_idempotency_keys, deps)
    bus.register(c.RequestReturn, returns.request_return, deps)
    bus.register(c.ReceiveReturn, returns.receive_return, deps)
    bus.register(c.ApproveReturn, returns.change_return, deps)
    bus.register(c.RefuseReturn, returns.change_return, deps)
    bus.register(c.MarkReturnRefunded, returns.change_return, deps)
    bus.register(c.HandlePaymentCallback, fulfilment.handle_payment_callback, deps)
    bus.register(c.CancelUnpaidOrders, fulfilment.cancel_unpaid_orders, deps)
    bus.register(c.ExpireAuthorisation, order.change_order, deps)
    bus.register(c.RecordCapture, order.change_order, deps)
    bus.register(c.RecordRefund, order.change_order, deps)
    bus.register(c.CancelExpiredAuthorisations, payment.cancel_expired_authorisations, deps)
    bus.register(c.CompletePendingRefunds, payment.complete_pending_refunds, deps)


def queries(p: Platform) -> OrderingQueries:
    assert p.redis is not None, "the API's live updates come through Redis"
    n = p.settings.notifications
    feed = RedisOrderFeed(
        p.redis,
        circuit=p.redis_circuit,
        prefix=p.settings.redis.key_prefix,
        queue_size=n.client_queue_size,
        ping_seconds=n.heartbeat_seconds,
        pong_timeout_seconds=p.settings.redis.timeout_seconds,
    )
    p.resources.push_async_callback(feed.close)
    return OrderingQueries(
        orders=SqlOrderReader(p.engine),
        carts=SqlCartReader(p.engine, NEIGHBOURS),
        history=SqlOrderHistory(p.engine, p.registry),
        feed=feed,
        max_streams_per_user=n.max_streams_per_user,
        clock=p.clock,
        default_currency=p.settings.ordering.default_currency,
        returns=SqlReturnReader(p.engine),
    )
