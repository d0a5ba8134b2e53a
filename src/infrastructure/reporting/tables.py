"""Reporting: two materialized views over the order read model, and when they were refreshed.
A migration creates the views (SQLAlchemy has no such construct); here they are lightweight
tables to query. Money counts on the day it was taken (`paid_at`) and, negatively, on the day
it was given back (`refunded_at`)."""

from typing import Any

from sqlalchemy import Column, Date, DateTime, Integer, Numeric, Table, Text, Uuid, column, table
from sqlalchemy.sql.expression import ColumnClause

from infrastructure.db.metadata import metadata

SALES_VIEWS = ("sales_by_product_day", "sales_by_day")

report_refreshes = Table(
    "report_refreshes",
    metadata,
    Column("name", Text, primary_key=True),
    Column("refreshed_at", DateTime(timezone=True), nullable=False),
)


def _figures() -> tuple[ColumnClause[Any], ...]:
    """The figures both views have (a column object belongs to one table, so new ones)."""
    return (
        column("units_sold", Integer),
        column("units_refunded", Integer),
        column("gross_revenue", Numeric),
        column("refunds", Numeric),
        column("net_revenue", Numeric),
        column("orders", Integer),
    )


sales_by_product_day = table(
    "sales_by_product_day",
    column("day", Date),
    column("currency", Text),
    column("product_id", Uuid),
    column("sku", Text),
    column("name", Text),
    *_figures(),
)

sales_by_day = table("sales_by_day", column("day", Date), column("currency", Text), *_figures())
