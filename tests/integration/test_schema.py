"""The migrated schema is exactly what the table definitions say (reflection + autogenerate),
and a migration that moves data carries a running shop's rows over."""

import asyncio
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from infrastructure.db.migrations import alembic_config
from infrastructure.db.schema import metadata


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return [d for d in compare_metadata(context, metadata) if "alembic_version" not in str(d)]


async def test_migrations_produce_the_schema_the_models_describe(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        differences = await conn.run_sync(_diff)
    assert differences == []


async def test_constraints_are_named_by_the_convention(engine: AsyncEngine) -> None:
    def names(connection: Connection) -> set[str]:
        inspector = inspect(connection)
        found = {inspector.get_pk_constraint("users")["name"]}
        found |= {u["name"] for u in inspector.get_unique_constraints("users")}
        found |= {f["name"] for f in inspector.get_foreign_keys("refresh_tokens")}
        found |= {c["name"] for c in inspector.get_check_constraints("users")}
        return {n for n in found if n}

    async with engine.connect() as conn:
        assert await conn.run_sync(names) == {
            "pk_users",
            "uq_users_email",
            "fk_refresh_tokens_session_id_login_sessions",
            "ck_users_email_is_lower_case",
        }


async def test_the_payment_deadline_migration_carries_the_shops_state_over(
    database_url: str, engine: AsyncEngine
) -> None:
    """Down to the revision before, a shop's rows as that schema held them, and up again:
    every order still waiting gets its deadline from its events (one the read model never saw
    included), refunded ones their reference, and the fulfilment subscriber's place in the log
    is kept and handed to inventory's settler; down again, the process resumes from the
    earlier of the two places and takes the settler's parked events."""
    config = alembic_config(database_url)
    await asyncio.to_thread(command.downgrade, config, "178ec1d24abf")
    waiting, unseen, paid, refunded = (uuid.uuid4() for _ in range(4))
    placed_at = datetime(2026, 11, 30, 12, tzinfo=UTC)
    reserved_at = placed_at + timedelta(minutes=3)
    history: dict[uuid.UUID, list[tuple[str, datetime, dict[str, str]]]] = {
        waiting: [("OrderPlaced", placed_at, {}), ("OrderStockReserved", reserved_at, {})],
        unseen: [("OrderPlaced", placed_at + timedelta(minutes=5), {})],  # not in the views yet
        paid: [("OrderPlaced", placed_at, {}), ("OrderPaid", reserved_at, {})],
        refunded: [
            ("OrderPlaced", placed_at, {}),
            ("RefundIssued", reserved_at, {"refund_reference": "rf-1"}),
        ],
    }
    async with engine.begin() as conn:
        for order_id, status, is_refunded in (
            (waiting, "awaiting_payment", False),
            (paid, "paid", False),
            (refunded, "refunded", True),
        ):
            await conn.execute(
                text(
                    "INSERT INTO order_views (order_id, customer_id, status, total_amount,"
                    " currency, item_count, lines, shipping_address, refunded, placed_at,"
                    " awaiting_payment_since, updated_at, version)"
                    " VALUES (:id, :id, :status, 10, 'EUR', 1, '[]', '{}', :refunded,"
                    " :placed, NULL, :placed, 2)"
                ),
                {"id": order_id, "status": status, "refunded": is_refunded, "placed": placed_at},
            )
        for order_id, events in history.items():
            for version, (event_type, at, fields) in enumerate(events, start=1):
                payload = {"order_id": str(order_id), "occurred_at": at.isoformat()} | fields
                await conn.execute(
                    text(
                        "INSERT INTO event_log (stream_type, stream_id, stream_version, event_id,"
                        " event_type, schema_version, payload, metadata) VALUES ('order',"
                        " :stream, :version, :event_id, :type, 1, :payload, '{}')"
                    ),
                    {
                        "stream": f"order-{order_id}",
                        "version": version,
                        "event_id": uuid.uuid4(),
                        "type": event_type,
                        "payload": json.dumps(payload),
                    },
                )
        await conn.execute(
            text(
                "INSERT INTO subscription_checkpoints (name, transaction_id, position)"
                " VALUES ('fulfillment', 7, 42)"
            )
        )

    # Up to this migration only: a later one empties the read model for a rebuild.
    await asyncio.to_thread(command.upgrade, config, "9c3e5a1f7b20")

    async with engine.begin() as conn:
        deadlines: dict[uuid.UUID, datetime] = dict(
            (await conn.execute(text("SELECT order_id, since FROM order_payment_deadlines"))).all()
        )
        references: dict[uuid.UUID, str | None] = dict(
            (await conn.execute(text("SELECT order_id, refund_reference FROM order_views"))).all()
        )
        assert await checkpoints(conn) == {"fulfilment": (7, 42), "order-stock": (7, 42)}
        # The settler falls behind the process, and parks an event.
        await conn.execute(
            text("UPDATE subscription_checkpoints SET position = 40 WHERE name = 'order-stock'")
        )
        await conn.execute(
            text(
                "INSERT INTO subscription_dead_letters (subscription, position, event_id,"
                " event_type, error, attempts) VALUES ('order-stock', 39, :id, 'OrderShipped',"
                " 'reservation expired', 5)"
            ),
            {"id": uuid.uuid4()},
        )
    assert deadlines == {waiting: reserved_at, unseen: placed_at + timedelta(minutes=5)}
    assert references == {waiting: None, paid: None, refunded: "rf-1"}

    await asyncio.to_thread(command.downgrade, config, "178ec1d24abf")
    async with engine.connect() as conn:
        assert await checkpoints(conn) == {"fulfillment": (7, 40)}
        parked = await conn.execute(text("SELECT subscription FROM subscription_dead_letters"))
        assert parked.scalars().all() == ["fulfillment"]


async def checkpoints(conn: AsyncConnection) -> dict[str, tuple[int, int]]:
    rows = await conn.execute(
        text("SELECT name, transaction_id, position FROM subscription_checkpoints")
    )
    return {name: (transaction_id, position) for name, transaction_id, position in rows}


async def test_the_checkout_migration_keeps_carts_currencies_and_rebuilds_the_order_views(
    database_url: str, engine: AsyncEngine
) -> None:
    """Down to the revision before, a cart with lines and an order's row in the read model, and
    up again: the cart keeps the currency it was filled in, and the read model is emptied with
    its projection's checkpoint at the start, so the worker rebuilds it (upcasting v1 events)."""
    config = alembic_config(database_url)
    before = ScriptDirectory.from_config(config).get_revision("b8d7f6a9c0e1").down_revision
    assert isinstance(before, str)
    await asyncio.to_thread(command.downgrade, config, before)
    customer, empty, order_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    async with engine.begin() as conn:
        for who in (customer, empty):
            await conn.execute(
                text("INSERT INTO carts (customer_id, updated_at) VALUES (:id, now())"),
                {"id": who},
            )
        await conn.execute(
            text(
                "INSERT INTO cart_lines (customer_id, sku, product_id, quantity,"
                " confirmed_amount, confirmed_currency, position)"
                " VALUES (:id, 'MUG', :id, 2, 4.50, 'USD', 0)"
            ),
            {"id": customer},
        )
        await conn.execute(
            text(
                "INSERT INTO order_views (order_id, customer_id, status, total_amount, currency,"
                " item_count, lines, shipping_address, placed_at, updated_at, version)"
                " VALUES (:id, :id, 'paid', 9, 'USD', 2, '[]', '{}', now(), now(), 3)"
            ),
            {"id": order_id},
        )
        await conn.execute(
            text(
                "INSERT INTO subscription_checkpoints (name, transaction_id, position)"
                " VALUES ('order-views', 7, 42) ON CONFLICT (name) DO UPDATE"
                " SET transaction_id = 7, position = 42"
            )
        )
    await asyncio.to_thread(command.upgrade, config, "head")
    async with engine.connect() as conn:
        currencies: dict[uuid.UUID, str | None] = dict(
            (await conn.execute(text("SELECT customer_id, currency FROM carts"))).all()
        )
        views = (await conn.execute(text("SELECT count(*) FROM order_views"))).scalar()
        place = await checkpoints(conn)
    assert currencies == {customer: "USD", empty: None}
    assert views == 0
    assert place["order-views"] == (0, 0)
