"""What the reporting handlers are given by the composition root."""

from dataclasses import dataclass

from application.reporting.ports import SalesReports


@dataclass(frozen=True, kw_only=True)
class ReportingDeps:
    """The sales views."""

    reports: SalesReports
