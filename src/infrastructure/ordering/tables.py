"""Carts, idempotency keys, payment tokens and deadlines, and the order read models
(projections). The orders themselves are streams in the event log."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from infrastructure.db.metadata import metadata

carts = sa.Table(
    "carts",
    metadata,
    sa.Column("customer_id", sa.Uuid, primary_key=True),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # None until the customer chooses one or puts a line in: the shop's default then.
    sa.Column("currency", sa.Text, nullable=True),
)

cart_lines = sa.Table(
    "cart_lines",
    metadata,
    sa.Column(
        "customer_id",
        sa.Uuid,
        sa.ForeignKey("carts.customer_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("sku", sa.Text, primary_key=True),
    sa.Column("product_id", sa.Uuid, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("confirmed_amount", sa.Numeric(15, 3), nullable=False),  # up to 3 minor digits
    sa.Column("confirmed_currency", sa.Text, nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.CheckConstraint("quantity BETWEEN 1 AND 999", name="quantity_in_range"),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("owner_id", sa.Uuid, primary_key=True),
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("fingerprint", sa.Text, nullable=False),
    sa.Column("result", JSONB, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

# A guest order's access token, hashed, and the email it was placed with (a verified account
# with that email claims it). Written in the checkout's transaction.
order_access = sa.Table(
    "order_access",
    metadata,
    sa.Column("order_id", sa.Uuid, primary_key=True),
    sa.Column("token_hash", sa.Text, nullable=False),
    sa.Column("email", sa.Text, nullable=False, index=True),  # lower-cased
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

order_payment_methods = sa.Table(
    "order_payment_methods",
    metadata,
    sa.Column("order_id", sa.Uuid, primary_key=True),
    sa.Column("token", sa.Text, nullable=False),
)

# The fulfilment process's clock: since when each unpaid order has waited for its payment.
order_payment_deadlines = sa.Table(
    "order_payment_deadlines",
    metadata,
    sa.Column("order_id", sa.Uuid, primary_key=True),
    sa.Column("since", sa.DateTime(timezone=True), nullable=False, index=True),
)

# The same clock for the payment's later steps (ADR 0037): since when each paid order's
# authorisation waits for its capture, and each order's requested refund for its answer.
order_capture_deadlines = sa.Table(
    "order_capture_deadlines",
    metadata,
    sa.Column("order_id", sa.Uuid, primary_key=True),
    sa.Column("since", sa.DateTime(timezone=True), nullable=False, index=True),
)
order_refund_deadlines = sa.Table(
    "order_refund_deadlines",
    metadata,
    sa.Column("order_id", sa.Uuid, primary_key=True),
    sa.Column("since", sa.DateTime(timezone=True), nullable=False, index=True),
)

# The order read model: one row per order, its columns named after the order's state
# (OrderState), rebuilt from the log by `agora projections rebuild`.
order_views = sa.Table(
    "order_views",
    metadata,
    sa.Column("order_id", sa.Uuid, primary_key=True),
    sa.Column("customer_id", sa.Uuid, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("total_amount", sa.Numeric(12, 2), nullable=False),
    sa.Column("currency", sa.Text, nullable=False),
    sa.Column("item_count", sa.Integer, nullable=False),
    sa.Column("lines", JSONB, nullable=False),
    sa.Column("shipping_address", JSONB, nullable=False),
    sa.Column("billing_address", JSONB, nullable=False),
    sa.Column("breakdown", JSONB, nullable=False),  # every number, as OrderPlaced froze it
    sa.Column("email", sa.Text, nullable=True),
    sa.Column("guest", sa.Boolean, nullable=False),
    sa.Column("payment_reference", sa.Text, nullable=True),
    sa.Column("tracking_number", sa.Text, nullable=True),
    sa.Column("carrier", sa.Text, nullable=True),
    sa.Column("cancel_reason", sa.Text, nullable=True),
    sa.Column("refund_reference", sa.Text, nullable=True),
    sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # When the money was taken and given back: the reporting views count by these days.
    sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True),
    # The payment's lifecycle (ADR 0037): what was captured, voided, and refunded, refund by refund.
    sa.Column("captured_amount", sa.Numeric(12, 2), nullable=False, server_default="0"),
    sa.Column("capture_reference", sa.Text, nullable=True),
    sa.Column("captured_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("refunded_amount", sa.Numeric(12, 2), nullable=False, server_default="0"),
    sa.Column("refunds", JSONB, nullable=False, server_default="[]"),
    # The order's parcels (ADR 0038); none until the first leaves.
    sa.Column("shipments", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    sa.Column("version", sa.Integer, nullable=False),
    # Newest first, per customer and for staff; status filters ride on the same order.
    sa.Index("ix_order_views_customer_placed", "customer_id", "placed_at", "order_id"),
    sa.Index("ix_order_views_placed", "placed_at", "order_id"),
    sa.Index("ix_order_views_status_placed", "status", "placed_at", "order_id"),
)

order_timeline = sa.Table(
    "order_timeline",
    metadata,
    sa.Column("position", sa.BigInteger, primary_key=True),
    sa.Column("order_id", sa.Uuid, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor_id", sa.Uuid, nullable=True),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Index("ix_order_timeline_order_version", "order_id", "version", unique=True),
)

# -- returns (ADR 0039) ---------------------------------------------------------------------

# The write side's index of each order's returns (the returns are streams in the event log),
# written in the transaction that requests the return, under the order's stream lock.
order_returns = sa.Table(
    "order_returns",
    metadata,
    sa.Column("return_id", sa.Uuid, primary_key=True),
    sa.Column("order_id", sa.Uuid, nullable=False, index=True),
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
)

# The returns read model: one row per return, named after ReturnState's fields; rebuilt from
# the log by `agora projections rebuild`.
return_views = sa.Table(
    "return_views",
    metadata,
    sa.Column("return_id", sa.Uuid, primary_key=True),
    sa.Column("order_id", sa.Uuid, nullable=False),
    sa.Column("customer_id", sa.Uuid, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("lines", JSONB, nullable=False),
    sa.Column("received", JSONB, nullable=False),
    sa.Column("refund_amount", sa.Numeric(15, 3), nullable=True),
    sa.Column("refund_currency", sa.Text, nullable=True),
    sa.Column("refund_reference", sa.Text, nullable=True),
    sa.Column("refuse_reason", sa.Text, nullable=True),
    sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Index("ix_return_views_order", "order_id", "requested_at", "return_id"),
    sa.Index("ix_return_views_status", "status", "requested_at", "return_id"),
)

# The order's timeline entries of its returns' events, in words (read beside order_timeline).
return_timeline = sa.Table(
    "return_timeline",
    metadata,
    sa.Column("position", sa.BigInteger, primary_key=True),
    sa.Column("order_id", sa.Uuid, nullable=False, index=True),
    sa.Column("return_id", sa.Uuid, nullable=False),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor_id", sa.Uuid, nullable=True),
    sa.Column("summary", sa.Text, nullable=False),
)
