"""Staff reports: sales by day and by product with refunds netted out, the top products by
revenue, and every order of a period as CSV."""

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import fields
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from api.dependencies import ReportReader, Services
from api.openapi import raises
from api.reporting.schemas import DailyReport, ProductReport
from api.schemas import SafeStr
from application.reporting.views import (
    DailySales,
    InvalidPeriod,
    OrderExportRow,
    ProductSales,
    Report,
    ReportPeriod,
)

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])
routers = [router]

First = Annotated[date, Query(alias="from", description="First day (UTC), included.")]
Last = Annotated[date, Query(alias="to", description="Last day (UTC), included.")]
Currency = Annotated[SafeStr, Query(pattern=r"^[A-Z]{3}$", description="Amounts in this currency.")]
EXPORT_COLUMNS = tuple(f.name for f in fields(OrderExportRow))


@router.get(
    "/sales/daily",
    summary="Sales by day (staff)",
    response_model=DailyReport,
)
@raises(InvalidPeriod)
async def sales_by_day(
    first: First, last: Last, _: ReportReader, services: Services, currency: Currency = "EUR"
) -> Report[DailySales]:
    """Revenue, units and orders per day; a refund counts (negatively) on the day it was paid
    back. Served from a materialized view the worker refreshes: see `as_of`."""
    return await services.reporting.daily(ReportPeriod(first=first, last=last, currency=currency))


@router.get(
    "/sales/products",
    summary="Sales by product, ranked (staff)",
    response_model=ProductReport,
)
@raises(InvalidPeriod)
async def sales_by_product(
    first: First,
    last: Last,
    _: ReportReader,
    services: Services,
    currency: Currency = "EUR",
    top: Annotated[int | None, Query(ge=1, le=1000, description="Only the best N.")] = None,
) -> Report[ProductSales]:
    """Every product sold in the period, ranked by net revenue (`RANK()`), with its share of
    the period's net revenue. `top=10` gives the top ten."""
    period = ReportPeriod(first=first, last=last, currency=currency)
    return await services.reporting.products(period, top=top)


@router.get(
    "/orders.csv",
    summary="Every order placed in a period, as CSV (staff)",
    response_class=StreamingResponse,
)
@raises(InvalidPeriod)
async def export_orders(
    first: First, last: Last, _: ReportReader, services: Services
) -> StreamingResponse:
    """Streamed from a server-side cursor: memory stays flat however many orders there are."""
    period = ReportPeriod(first=first, last=last, currency="EUR")  # the currency is not used
    return StreamingResponse(
        csv_lines(services.reporting.orders(period)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="orders-{first}-{last}.csv"'},
    )


async def csv_lines(rows: AsyncIterator[OrderExportRow]) -> AsyncIterator[str]:
    """The header, then one line per order, each written as soon as its row arrives."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    async for row in rows:
        values = (getattr(row, column) for column in EXPORT_COLUMNS)
        writer.writerow(v.isoformat() if isinstance(v, datetime) else v for v in values)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()
