"""Sales reports from the materialized views (window functions rank the products), the export
from the order read model through a server-side cursor, and the refresh the worker runs."""

from collections.abc import AsyncIterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from application.reporting.views import (
    DailySales,
    OrderExportRow,
    ProductSales,
    Report,
    ReportPeriod,
)
from application.shared.views import view_of
from infrastructure.eventlog.store import stream_lock_key
from infrastructure.ordering.tables import order_views
from infrastructure.reporting.tables import (
    SALES_VIEWS,
    report_refreshes,
    sales_by_day,
    sales_by_product_day,
)

d, p = sales_by_day.c, sales_by_product_day.c
FIGURES = ("orders", "units_sold", "units_refunded", "gross_revenue", "refunds", "net_revenue")


class SqlSalesReports:
    """The SalesReports port over the sales materialized views and `order_views` (ordering's
    read model: the one read across contexts, a documented exception to their independence)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def daily(self, period: ReportPeriod) -> Report[DailySales]:
        statement = (
            select(sales_by_day)
            .where(d.day.between(period.first, period.last), d.currency == period.currency)
            .order_by(d.day)
        )
        async with self._engine.connect() as conn:
            rows = [view_of(DailySales, r) for r in await conn.execute(statement)]
            return Report(currency=period.currency, rows=rows, as_of=await _as_of(conn))

    async def products(
        self, period: ReportPeriod, *, top: int | None = None
    ) -> Report[ProductSales]:
        totals = (
            select(
                p.product_id,
                func.min(p.sku).label("sku"),
                func.min(p.name).label("name"),
                *(func.sum(p[figure]).label(figure) for figure in FIGURES),
            )
            .where(p.day.between(period.first, period.last), p.currency == period.currency)
            .group_by(p.product_id)
            .subquery()
        )
        ranked = (
            select(
                totals,
                func.rank().over(order_by=totals.c.net_revenue.desc()).label("rank"),
                (
                    totals.c.net_revenue / func.nullif(func.sum(totals.c.net_revenue).over(), 0)
                ).label("share"),
            )
            .order_by(text("rank"), totals.c.sku)
            .limit(top)
        )
        async with self._engine.connect() as conn:
            rows = [_product(r._mapping) for r in await conn.execute(ranked)]
            return Report(currency=period.currency, rows=rows, as_of=await _as_of(conn))

    async def orders(
        self, placed_from: datetime, placed_to: datetime
    ) -> AsyncIterator[OrderExportRow]:
        v = order_views.c
        statement = (
            select(
                v.order_id,
                v.placed_at,
                v.customer_id,
                v.status,
                v.item_count,
                v.total_amount,
                v.currency,
                v.paid_at,
                v.refunded_at,
            )
            .where(v.placed_at >= placed_from, v.placed_at < placed_to)
            .order_by(v.placed_at, v.order_id)
            .execution_options(yield_per=1000)
        )
        async with self._engine.connect() as conn:
            async for r in await conn.stream(statement):
                yield view_of(OrderExportRow, r, items=r.item_count, total=r.total_amount)

    async def refresh(self) -> bool:
        """CONCURRENTLY, so readers never wait; under REPEATABLE READ, so both views read one
        snapshot and agree. One worker at a time: the others skip this round."""
        async with self._engine.connect() as conn:
            await conn.execution_options(isolation_level="REPEATABLE READ")
            async with conn.begin():
                return await _refresh(conn)


def _product(r: Mapping[Any, Any]) -> ProductSales:
    share = Decimal(r["share"] or 0).quantize(Decimal("0.0001"))
    return view_of(ProductSales, r, share=share)


async def _as_of(conn: AsyncConnection) -> datetime | None:
    as_of: datetime | None = (
        await conn.execute(select(func.min(report_refreshes.c.refreshed_at)))
    ).scalar()
    return as_of


async def _refresh(conn: AsyncConnection) -> bool:
    key = stream_lock_key("reporting:refresh")
    if not (await conn.execute(select(func.pg_try_advisory_xact_lock(key)))).scalar_one():
        return False
    for view in SALES_VIEWS:
        await conn.execute(text(f"REFRESH MATERIALIZED VIEW CONCURRENTLY {view}"))
        statement = pg_insert(report_refreshes).values(name=view, refreshed_at=func.now())
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=["name"], set_={"refreshed_at": statement.excluded.refreshed_at}
            )
        )
    return True
