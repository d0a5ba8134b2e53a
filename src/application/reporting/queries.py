"""Staff reports: sales by day and by product, and the orders of a period for export."""

from collections.abc import AsyncIterator

from application.reporting.ports import SalesReports
from application.reporting.views import (
    DailySales,
    OrderExportRow,
    ProductSales,
    Report,
    ReportPeriod,
)


class ReportingQueries:
    """What routes read of reporting."""

    def __init__(self, *, reports: SalesReports) -> None:
        self._reports = reports

    async def daily(self, period: ReportPeriod) -> Report[DailySales]:
        return await self._reports.daily(period)

    async def products(self, period: ReportPeriod, *, top: int | None) -> Report[ProductSales]:
        return await self._reports.products(period, top=top)

    def orders(self, period: ReportPeriod) -> AsyncIterator[OrderExportRow]:
        return self._reports.orders(period.start, period.end)
