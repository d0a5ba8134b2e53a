"""Reporting commands: the worker's refresh of the sales views."""

from dataclasses import dataclass

from application.shared.bus import Command


@dataclass(frozen=True, kw_only=True)
class RefreshSalesReports(Command[int]):
    """Bring the sales views up to date; returns how many refreshes this call made (0 when
    another worker holds the refresh)."""
