"""Backpressure: while too many orders wait for fulfilment, new checkouts are shed with 503 and
`Retry-After`; reads, other writes and replays of accepted checkouts go on, and checkout opens
again once fulfilment has caught up (ADR 0023)."""

import asyncio
import uuid

from agora.settings import Settings
from domain.identity.values import Role
from infrastructure.payments.simulated import SimulatedProvider
from tests.support.shop import OrderingShop, bearer, ordering_settings, running_app

BOUND = 2
CHECK_SECONDS = 0.05


async def test_checkouts_past_the_backlog_bound_are_shed_until_fulfilment_catches_up(
    settings: Settings,
) -> None:
    tuned = ordering_settings(
        settings,
        ordering={"max_fulfilment_backlog": BOUND, "backlog_check_seconds": CHECK_SECONDS},
    )
    provider = SimulatedProvider()
    # No worker: fulfilment is stopped, so every accepted order stays waiting.
    async with running_app(tuned, payments=provider) as (app, client):
        shop = OrderingShop(app=app, client=client, settings=tuned, provider=provider)
        shop.staff = await shop.account("staff@example.com", Role.STAFF)
        teapot = await shop.stocked_product(10)
        customers = [await shop.customer() for _ in range(BOUND + 1)]
        for customer in customers:
            await shop.fill_cart(customer, teapot["sku"])
        keys = [uuid.uuid4().hex for _ in customers]
        accepted = [
            await shop.check_out(c, key=k)
            for c, k in zip(customers[:BOUND], keys[:BOUND], strict=True)
        ]
        assert [a.status_code for a in accepted] == [201] * BOUND
        await asyncio.sleep(CHECK_SECONDS * 2)  # past the cached count

        shed = await shop.check_out(customers[BOUND], key=keys[BOUND])
        assert shed.status_code == 503, shed.text
        assert shed.json()["code"] == "fulfilment_backlogged"
        assert shed.headers["Retry-After"] == "5"
        # The shed checkout left the cart as it was; reads and other writes go on.
        cart = await client.get("/api/v1/cart", headers=bearer(customers[BOUND]))
        assert (cart.status_code, cart.json()["item_count"]) == (200, 1)
        product = await client.get(f"/api/v1/products/{teapot['id']}")
        assert product.status_code == 200
        await shop.fill_cart(customers[BOUND], teapot["sku"], 2)
        # A replay of an accepted checkout still gets its stored answer.
        replay = await shop.check_out(customers[0], key=keys[0])
        assert replay.status_code == 201, replay.text
        assert replay.json()["id"] == accepted[0].json()["id"]
        assert replay.headers["Idempotent-Replayed"] == "true"

        # Fulfilment starts (a worker on the same database) and works the backlog off.
        async with running_app(tuned, with_worker=True, payments=provider):
            for customer, placed in zip(customers[:BOUND], accepted, strict=True):
                await shop.wait_status(customer, placed.json()["id"], "paid")
            await asyncio.sleep(CHECK_SECONDS * 2)
            reopened = await shop.check_out(customers[BOUND], key=keys[BOUND])
            assert reopened.status_code == 201, reopened.text
