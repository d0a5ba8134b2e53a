"""Schemas of staff reports. Amounts are decimal strings in the report's currency."""

from datetime import date, datetime
from uuid import UUID

from pydantic import Field

from api.schemas import DecimalString, ResponseModel


class Figures(ResponseModel):
    """Sales figures: money counts on the day it was taken, and negatively on the day it was
    refunded; `orders` counts orders with units sold."""

    orders: int
    units_sold: int
    units_refunded: int
    gross_revenue: DecimalString
    refunds: DecimalString
    net_revenue: DecimalString = Field(description="Gross revenue minus refunds.")


class DayRow(Figures):
    """One day's sales (UTC)."""

    day: date


class ProductRow(Figures):
    """One product's sales over the period, and its place among the products sold."""

    product_id: UUID
    sku: str
    name: str
    rank: int = Field(description="By net revenue, 1 = best; ties share a rank.")
    share: DecimalString = Field(description="Of the period's net revenue, 0 to 1.")


class DailyReport(ResponseModel):
    """Sales per day in one currency; a day without sales or refunds has no row."""

    currency: str
    rows: list[DayRow]
    as_of: datetime | None = Field(description="When the figures were last refreshed.")


class ProductReport(ResponseModel):
    """Every product sold in the period, best net revenue first, in one currency."""

    currency: str
    rows: list[ProductRow]
    as_of: datetime | None
