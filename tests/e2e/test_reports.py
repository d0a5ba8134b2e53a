"""Staff reports against figures worked out by hand, refunds included; the CSV export streams
with flat memory."""

import tracemalloc
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.reporting.routes import csv_lines
from application.reporting.views import OrderExportRow
from infrastructure.reporting.readers import SqlSalesReports
from tests.support.shop import OrderingShop, bearer

TODAY = datetime.now(UTC).date()  # report days are UTC days
# Only this test sells in Swiss francs, so the run's other orders do not show up here.
CHF = "CHF"


async def chf_product(shop: OrderingShop, name: str, price: str) -> dict[str, Any]:
    created = await shop.product(shop.staff, name=name, price=price, currency=CHF)
    received = await shop.client.post(
        f"/api/v1/inventory/{created['sku']}/receipts",
        json={"quantity": 50},
        headers=bearer(shop.staff),
    )
    assert received.status_code == 200
    return created


async def buy(shop: OrderingShop, lines: list[tuple[str, int]], token: str = "tok_approve") -> str:
    customer = await shop.customer()
    chosen = await shop.client.put(
        "/api/v1/cart/currency", json={"currency": CHF}, headers=bearer(customer)
    )
    assert chosen.status_code == 200, chosen.text
    for sku, quantity in lines:
        await shop.fill_cart(customer, sku, quantity)
    order_id: str = (await shop.check_out(customer, payment_token=token)).json()["id"]
    await shop.wait_status(customer, order_id, "paid", "cancelled")
    return order_id


async def test_sales_reports_match_hand_computed_totals_with_refunds_netted_out(
    ordering_shop: OrderingShop, engine: AsyncEngine
) -> None:
    shop = ordering_shop
    mug = await chf_product(shop, "Report mug", "10.00")
    pot = await chf_product(shop, "Report pot", "25.00")
    await buy(shop, [(mug["sku"], 2), (pot["sku"], 1)])  # 45.00
    refunded = await buy(shop, [(mug["sku"], 1)])  # 10.00, refunded below
    await buy(shop, [(pot["sku"], 2)])  # 50.00
    await buy(shop, [(pot["sku"], 1)], token="tok_decline")  # never paid: not counted
    captured = await shop.client.post(
        f"/api/v1/orders/{refunded}/capture", headers=bearer(shop.staff)
    )
    assert captured.status_code == 200, captured.text
    refund = await shop.client.post(
        f"/api/v1/orders/{refunded}/refund", json={"reason": "broken"}, headers=bearer(shop.staff)
    )
    assert refund.status_code == 200
    for _ in range(100):  # the read model follows the log
        await SqlSalesReports(engine).refresh()
        daily = await shop.client.get(
            f"/api/v1/reports/sales/daily?from={TODAY}&to={TODAY}&currency={CHF}",
            headers=bearer(shop.staff),
        )
        if daily.json()["rows"] and daily.json()["rows"][0]["refunds"] == "10.00":
            break
    [today] = daily.json()["rows"]
    assert today | {"day": None} == {
        "day": None,
        "orders": 3,
        "units_sold": 6,
        "units_refunded": 1,
        "gross_revenue": "105.00",
        "refunds": "10.00",
        "net_revenue": "95.00",
    }
    assert daily.json()["as_of"] is not None

    by_product = await shop.client.get(
        f"/api/v1/reports/sales/products?from={TODAY}&to={TODAY}&currency={CHF}",
        headers=bearer(shop.staff),
    )
    rows = {r["sku"]: r for r in by_product.json()["rows"]}
    assert rows[pot["sku"]] | {"product_id": None, "name": None} == {
        "product_id": None,
        "name": None,
        "sku": pot["sku"],
        "orders": 2,
        "units_sold": 3,
        "units_refunded": 0,
        "gross_revenue": "75.00",
        "refunds": "0.00",
        "net_revenue": "75.00",
        "rank": 1,
        "share": "0.7895",
    }
    assert (rows[mug["sku"]]["net_revenue"], rows[mug["sku"]]["rank"]) == ("20.00", 2)
    assert rows[mug["sku"]]["orders"] == 2
    top = await shop.client.get(
        f"/api/v1/reports/sales/products?from={TODAY}&to={TODAY}&currency={CHF}&top=1",
        headers=bearer(shop.staff),
    )
    assert [r["sku"] for r in top.json()["rows"]] == [pot["sku"]]

    customer = await shop.customer()
    refused = await shop.client.get(
        f"/api/v1/reports/sales/daily?from={TODAY}&to={TODAY}",
        headers=bearer(customer),
    )
    assert refused.status_code == 403
    backwards = await shop.client.get(
        "/api/v1/reports/sales/daily?from=2026-02-01&to=2026-01-01", headers=bearer(shop.staff)
    )
    assert (backwards.status_code, backwards.json()["code"]) == (400, "invalid_period")

    csv = await shop.client.get(
        f"/api/v1/reports/orders.csv?from={TODAY}&to={TODAY}",
        headers=bearer(shop.staff),
    )
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert (
        lines[0] == "order_id,placed_at,customer_id,status,items,total,currency,paid_at,refunded_at"
    )


async def synthetic_orders(engine: AsyncEngine, count: int, day: date) -> None:
    """Rows straight into the read model, on a day no other test uses."""
    async with engine.begin() as conn:
        await conn.execute(
            text(
                """
                INSERT INTO order_views (order_id, customer_id, status, total_amount, currency,
                    item_count, lines, shipping_address, billing_address, breakdown, guest,
                    placed_at, updated_at, version, paid_at)
                SELECT gen_random_uuid(), gen_random_uuid(), 'paid', 19.90, 'EUR', 2,
                       '[]'::jsonb, '{}'::jsonb, '{}'::jsonb, '{}'::jsonb, false, ts, ts, 4, ts
                  FROM (SELECT CAST(:day AS timestamptz) + n * interval '500 milliseconds' AS ts
                          FROM generate_series(1, :count) AS n) AS t
                """
            ),
            {"day": datetime.combine(day, datetime.min.time(), tzinfo=UTC), "count": count},
        )


async def export_peak(reports: SqlSalesReports, day: date) -> tuple[int, int]:
    """Lines written and the peak of memory allocated while streaming one day's export."""
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC)
    rows: AsyncIterator[OrderExportRow] = reports.orders(start, start + timedelta(days=1))
    tracemalloc.start()
    lines = 0
    try:
        async for chunk in csv_lines(rows):
            lines += chunk.count("\n")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return lines, peak


async def test_the_order_export_streams_with_flat_memory(engine: AsyncEngine) -> None:
    small, large = date(2001, 1, 1), date(2001, 1, 2)
    await synthetic_orders(engine, 3_000, small)
    await synthetic_orders(engine, 30_000, large)
    try:
        reports = SqlSalesReports(engine)
        small_lines, small_peak = await export_peak(reports, small)
        large_lines, large_peak = await export_peak(reports, large)
    finally:
        async with engine.begin() as conn:
            await conn.execute(text("DELETE FROM order_views WHERE placed_at < '2002-01-01'"))
    assert (small_lines, large_lines) == (3_001, 30_001)
    # Ten times the rows, about the same memory: nothing accumulates (the 30,000 rows kept in
    # a list take about 18 MiB). More rows would prove no more, only slowly: every
    # allocation is traced.
    assert large_peak < 1.5 * small_peak, (small_peak, large_peak)
    assert large_peak < 8 * 1024 * 1024
