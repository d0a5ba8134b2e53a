"""Carts, idempotency keys, payment tokens and deadlines, and the order read models
(projections). The orders themselves are streams in the event log."""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

from infrastructure.db.metadata import metadata

carts = Table(
    "carts",
    metadata,
    Column("customer_id", Uuid, primary_key=True),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

cart_lines = Table(
    "cart_lines",
    metadata,
    Column(
        "customer_id", Uuid, ForeignKey("carts.customer_id", ondelete="CASCADE"), primary_key=True
    ),
    Column("sku", Text, primary_key=True),
    Column("product_id", Uuid, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("confirmed_amount", Numeric(12, 2), nullable=False),
    Column("confirmed_currency", Text, nullable=False),
    Column("position", Integer, nullable=False),
    CheckConstraint("quantity BETWEEN 1 AND 999", name="quantity_in_range"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("owner_id", Uuid, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("fingerprint", Text, nullable=False),
    Column("result", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False, index=True),
)

order_payment_methods = Table(
    "order_payment_methods",
    metadata,
    Column("order_id", Uuid, primary_key=True),
    Column("token", Text, nullable=False),
)

# The fulfilment process's clock: since when each unpaid order has waited for its payment.
order_payment_deadlines = Table(
    "order_payment_deadlines",
    metadata,
    Column("order_id", Uuid, primary_key=True),
    Column("since", DateTime(timezone=True), nullable=False, index=True),
)

# The order read model: one row per order, its columns named after the order's state
# (OrderState), rebuilt from the log by `agora projections rebuild`.
order_views = Table(
    "order_views",
    metadata,
    Column("order_id", Uuid, primary_key=True),
    Column("customer_id", Uuid, nullable=False),
    Column("status", Text, nullable=False),
    Column("total_amount", Numeric(12, 2), nullable=False),
    Column("currency", Text, nullable=False),
    Column("item_count", Integer, nullable=False),
    Column("lines", JSONB, nullable=False),
    Column("shipping_address", JSONB, nullable=False),
    Column("payment_reference", Text, nullable=True),
    Column("tracking_number", Text, nullable=True),
    Column("carrier", Text, nullable=True),
    Column("cancel_reason", Text, nullable=True),
    Column("refund_reference", Text, nullable=True),
    Column("placed_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # When the money was taken and given back: the reporting views count by these days.
    Column("paid_at", DateTime(timezone=True), nullable=True),
    Column("refunded_at", DateTime(timezone=True), nullable=True),
    Column("version", Integer, nullable=False),
    # Newest first, per customer and for staff; status filters ride on the same order.
    Index("ix_order_views_customer_placed", "customer_id", "placed_at", "order_id"),
    Index("ix_order_views_placed", "placed_at", "order_id"),
    Index("ix_order_views_status_placed", "status", "placed_at", "order_id"),
)

order_timeline = Table(
    "order_timeline",
    metadata,
    Column("position", BigInteger, primary_key=True),
    Column("order_id", Uuid, nullable=False),
    Column("version", Integer, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("actor_id", Uuid, nullable=True),
    Column("summary", Text, nullable=False),
    Index("ix_order_timeline_order_version", "order_id", "version", unique=True),
)
