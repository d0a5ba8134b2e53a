"""What reporting reads: materialized views of the order read model (the one read across
contexts, documented in the architecture notes), and the orders themselves for export."""

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Protocol

from application.reporting.views import (
    DailySales,
    OrderExportRow,
    ProductSales,
    Report,
    ReportPeriod,
)


class SalesReports(Protocol):
    """Staff reports, from materialized views refreshed by the worker, and the export."""

    async def daily(self, period: ReportPeriod) -> Report[DailySales]: ...

    async def products(
        self, period: ReportPeriod, *, top: int | None = None
    ) -> Report[ProductSales]:
        """Every product sold in the period, best first, ranked; only the `top` if given."""

    def orders(self, placed_from: datetime, placed_to: datetime) -> AsyncIterator[OrderExportRow]:
        """Orders placed in [from, to), oldest first, streamed from a server-side cursor."""

    async def refresh(self) -> bool:
        """Refresh the views from one snapshot, without blocking readers; False when another
        worker is refreshing them already."""
