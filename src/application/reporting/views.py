"""What staff reports return. Money is counted when it was taken (payment authorised) and
given back (refund issued), each on its own day, so a refund nets out where it happened."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Generic, TypeVar
from uuid import UUID

from application.shared.errors import ApplicationError

MAX_DAYS = 3660


class InvalidPeriod(ApplicationError):
    """A report period runs forwards and spans at most ten years."""


@dataclass(frozen=True, kw_only=True)
class ReportPeriod:
    """Days `first` to `last`, both included, in UTC; amounts in one currency."""

    first: date
    last: date
    currency: str

    def __post_init__(self) -> None:
        if self.last >= date.max or not 0 <= (self.last - self.first).days <= MAX_DAYS:
            raise InvalidPeriod(f"`from` must not be after `to`, at most {MAX_DAYS} days apart")

    @property
    def start(self) -> datetime:
        """The first instant of the period."""
        return datetime.combine(self.first, time(), tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.last + timedelta(days=1), time(), tzinfo=UTC)


@dataclass(frozen=True, kw_only=True)
class DailySales:
    """One day's figures; `orders` counts the orders with units sold that day."""

    day: date
    orders: int
    units_sold: int
    units_refunded: int
    gross_revenue: Decimal
    refunds: Decimal
    net_revenue: Decimal


@dataclass(frozen=True, kw_only=True)
class ProductSales:
    """One product's figures over the period, ranked by net revenue."""

    product_id: UUID
    sku: str
    name: str
    orders: int
    units_sold: int
    units_refunded: int
    gross_revenue: Decimal
    refunds: Decimal
    net_revenue: Decimal
    rank: int  # by net revenue, 1 = best; ties share a rank
    share: Decimal  # of the period's net revenue, 0..1


T = TypeVar("T", DailySales, ProductSales)


@dataclass(frozen=True, kw_only=True)
class Report(Generic[T]):
    """Rows in one currency, and when the materialized views behind them were last refreshed."""

    currency: str
    rows: list[T]
    as_of: datetime | None


@dataclass(frozen=True, kw_only=True)
class OrderExportRow:
    """One order as a row of the CSV export: its fields are the columns, in this order."""

    order_id: UUID
    placed_at: datetime
    customer_id: UUID
    status: str
    items: int
    total: Decimal
    currency: str
    paid_at: datetime | None
    refunded_at: datetime | None
