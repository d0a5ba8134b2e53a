"""The order read models are functions of the log, and the fulfilment process can be fed its
input again without effect."""

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from agora.bootstrap import build_registry, platform, wire_all
from agora.contexts import ordering
from agora.contexts.ordering import NEIGHBOURS
from agora.worker import runner_config
from application.ordering.handlers.fulfilment import FulfilmentProcess
from domain.ordering import events as ev
from domain.ordering.shipments import legacy_shipment_id
from infrastructure.db.engine import asyncpg_dsn
from infrastructure.eventlog.monitoring import rebuild
from infrastructure.eventlog.tables import event_log
from infrastructure.ordering.repositories import BacklogCount
from infrastructure.ordering.subscribers import OrderProjection
from infrastructure.ordering.unit_of_work import SqlOrderingUnitOfWork
from tests.support.eventlog import REGISTRY, settled
from tests.support.shop import OrderingShop, bearer


async def some_orders(shop: OrderingShop) -> list[tuple[str, str]]:
    customer = await shop.customer()
    teapot = await shop.stocked_product(3)
    orders = []
    for token, units in (("tok_approve", 1), ("tok_decline", 1), ("tok_approve", 1), ("x", 5)):
        await shop.fill_cart(customer, teapot["sku"], units)
        orders.append(
            (customer, (await shop.check_out(customer, payment_token=token)).json()["id"])
        )
    shipped = orders[0][1]
    await shop.wait_status(customer, shipped, "paid")
    await shop.client.post(
        f"/api/v1/orders/{shipped}/ship", json={"tracking_number": "T"}, headers=bearer(shop.staff)
    )
    await shop.wait_status(customer, shipped, "shipped")
    orders.append((customer, await in_parcels(shop, customer)))
    for owner, order_id in orders[1:-1]:
        await shop.wait_status(owner, order_id, "cancelled", "paid", "rejected")
    await shop.wait_for(customer, shipped, lambda o: o["captured_amount"]["amount"] != "0.00")
    part = orders[2][1]  # captured by hand and refunded in part (ADR 0037)
    await shop.client.post(f"/api/v1/orders/{part}/capture", headers=bearer(shop.staff))
    refund = await shop.client.post(
        f"/api/v1/orders/{part}/refunds",
        json={"reason": "dented", "amount": {"amount": "2.50", "currency": "EUR"}},
        headers=bearer(shop.staff) | {"Idempotency-Key": "dented"},
    )
    assert refund.status_code == 201, refund.text
    await shop.wait_for(customer, part, lambda o: o["refunded_amount"]["amount"] == "2.50")
    return orders


async def in_parcels(shop: OrderingShop, customer: str) -> str:
    """An order shipped in two parcels, the first one delivered (ADR 0038)."""
    kettle = await shop.stocked_product(3)
    await shop.fill_cart(customer, kettle["sku"], 3)
    order_id = str((await shop.check_out(customer, payment_token="tok_approve")).json()["id"])
    await shop.wait_status(customer, order_id, "paid")
    staff = bearer(shop.staff)
    first = await shop.client.post(
        f"/api/v1/orders/{order_id}/shipments",
        json={"lines": [{"sku": kettle["sku"], "quantity": 1}], "tracking_number": "K-1"},
        headers=staff,
    )
    await shop.client.post(
        f"/api/v1/orders/{order_id}/shipments/{first.json()['id']}/delivery", headers=staff
    )
    await shop.client.post(
        f"/api/v1/orders/{order_id}/shipments", json={"tracking_number": "K-2"}, headers=staff
    )
    await shop.wait_status(customer, order_id, "shipped")
    return order_id


async def shipped_before_parcels(shop: OrderingShop, engine: AsyncEngine) -> str:
    """A paid order whose stream ends as every order shipped before parcels did: OrderShipped
    with no ShipmentDispatched before it."""
    customer = await shop.customer()
    cup = await shop.stocked_product(2)
    await shop.fill_cart(customer, cup["sku"], 2)
    order_id = str((await shop.check_out(customer, payment_token="tok_approve")).json()["id"])
    await shop.wait_status(customer, order_id, "paid")
    uow = SqlOrderingUnitOfWork(engine, REGISTRY, NEIGHBOURS, BacklogCount(interval_seconds=60))
    async with uow:
        order = await uow.orders.get(uuid.UUID(order_id))
        assert order is not None
        order._raise(  # what Order.ship raised then
            ev.OrderShipped(
                occurred_at=order.state.updated_at,
                order_id=order.id,
                tracking_number="OLD-1",
                carrier="DHL",
                actor_id=None,
            )
        )
        await uow.commit()
    await shop.wait_status(customer, order_id, "shipped")
    return order_id


async def read_models(engine: AsyncEngine) -> tuple[Sequence[Any], Sequence[Any]]:
    async with engine.connect() as conn:
        views = (await conn.execute(text("SELECT * FROM order_views ORDER BY order_id"))).all()
        timeline = (
            await conn.execute(text("SELECT * FROM order_timeline ORDER BY position"))
        ).all()
    return views, timeline


async def test_rebuilding_the_order_projection_from_the_log_gives_the_same_rows(
    ordering_shop: OrderingShop, engine: AsyncEngine, database_url: str
) -> None:
    await some_orders(ordering_shop)
    old = await shipped_before_parcels(ordering_shop, engine)
    await settled(engine)
    live = await read_models(engine)
    assert len(live[0]) >= 6
    old_view = next(row for row in live[0] if str(row.order_id) == old)
    assert [s["id"] for s in old_view.shipments] == [str(legacy_shipment_id(uuid.UUID(old)))]
    await rebuild(
        OrderProjection(build_registry()),
        engine=engine,
        dsn=asyncpg_dsn(database_url),
        config=runner_config(ordering_shop.settings),
    )
    assert await read_models(engine) == live


async def test_feeding_the_process_every_order_event_again_changes_nothing(
    ordering_shop: OrderingShop, engine: AsyncEngine, database_url: str
) -> None:
    shop = ordering_shop
    orders = await some_orders(shop)
    registry = build_registry()
    streams = [f"order-{order_id}" for _, order_id in orders]
    await settled(engine)  # the last reservation is settled after its order's status
    before = await _state(engine, streams)
    charges, attempts = dict(shop.provider.charges), dict(shop.provider.attempts)
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(event_log)
            .where(event_log.c.stream_id.in_(streams))
            .order_by(event_log.c.position)
        )
        events = [registry.decode(r) for r in rows]
    async with platform(
        shop.settings, database_url=database_url, redis_url=None, payments=shop.provider
    ) as p:
        wire_all(p)  # the process's steps, and inventory's commands, on this bus
        process = FulfilmentProcess(ordering.dependencies(p))
        for event in events:
            await process.react(event)
    assert await _state(engine, streams) == before
    assert shop.provider.charges == charges
    assert shop.provider.attempts == attempts  # the provider was not even asked again


async def _state(engine: AsyncEngine, streams: list[str]) -> tuple[Any, ...]:
    async with engine.connect() as conn:
        versions = (
            await conn.execute(
                text(
                    "SELECT stream_id, max(stream_version) FROM event_log"
                    " WHERE stream_id = ANY(:s) GROUP BY stream_id ORDER BY stream_id"
                ),
                {"s": streams},
            )
        ).all()
        stock = (
            await conn.execute(
                text("SELECT order_id, sku, status, quantity FROM stock_reservations ORDER BY id")
            )
        ).all()
        levels = (await conn.execute(text("SELECT * FROM stock_items ORDER BY sku"))).all()
    return versions, stock, levels
