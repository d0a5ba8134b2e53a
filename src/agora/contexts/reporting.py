"""Reporting wired: the sales reports from materialized views over the order read model, and
the worker's refresh of them."""

from agora.platform import Job, Platform, Wiring
from application.reporting.commands import RefreshSalesReports
from application.reporting.deps import ReportingDeps
from application.reporting.handlers import sales
from application.reporting.queries import ReportingQueries
from application.shared.bus import CommandBus
from domain.shared.events import DomainEvent
from infrastructure.reporting.readers import SqlSalesReports

NAME = "reporting"
EVENTS: tuple[type[DomainEvent], ...] = ()  # reporting records no events; it reads
__all__ = ["EVENTS", "NAME", "dependencies", "queries", "register", "wire"]


def wire(p: Platform) -> Wiring:
    register(p.bus, dependencies(p))
    refresh = Job(
        "reports-refresh",
        every=p.settings.reports.refresh_seconds,
        command=RefreshSalesReports(),
        until_idle=False,
    )
    return Wiring(jobs=[refresh])


def dependencies(p: Platform) -> ReportingDeps:
    return ReportingDeps(reports=SqlSalesReports(p.engine))


def register(bus: CommandBus, deps: ReportingDeps) -> None:
    bus.register(RefreshSalesReports, sales.refresh_sales_reports, deps)


def queries(p: Platform) -> ReportingQueries:
    return ReportingQueries(reports=SqlSalesReports(p.engine))
