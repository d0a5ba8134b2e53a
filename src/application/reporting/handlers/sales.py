"""Handlers of the sales reports."""

from application.reporting.commands import RefreshSalesReports
from application.reporting.deps import ReportingDeps


async def refresh_sales_reports(cmd: RefreshSalesReports, deps: ReportingDeps) -> int:
    return int(await deps.reports.refresh())
