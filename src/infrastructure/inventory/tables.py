"""Stock, reservations and the ledger. The database itself refuses negative availability."""

import sqlalchemy as sa

from infrastructure.db.metadata import metadata

stock_items = sa.Table(
    "stock_items",
    metadata,
    sa.Column("sku", sa.Text, primary_key=True),
    sa.Column("on_hand", sa.Integer, nullable=False),
    sa.Column("reserved", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    # available = on_hand - reserved >= 0, whatever any statement tries.
    sa.CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="available_not_negative"),
)

# The SQL twin of StockLevel.available: the rule the atomic reservation UPDATE checks.
AVAILABLE = stock_items.c.on_hand - stock_items.c.reserved

stock_reservations = sa.Table(
    "stock_reservations",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("order_id", sa.Uuid, nullable=False, index=True),
    sa.Column("sku", sa.Text, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("status", sa.Text, nullable=False, server_default=sa.text("'held'")),
    # NULL once the order is paid: a paid order's units are held until shipped or cancelled.
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("settled_at", sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    sa.CheckConstraint(
        "status IN ('held', 'released', 'committed', 'expired')", name="status_known"
    ),
    # The expiry sweep looks only at held reservations, oldest deadline first.
    sa.Index(
        "ix_stock_reservations_held_expires_at",
        "expires_at",
        postgresql_where=sa.text("status = 'held'"),
    ),
)

stock_ledger = sa.Table(
    "stock_ledger",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
    sa.Column("sku", sa.Text, nullable=False),
    sa.Column("movement", sa.Text, nullable=False),
    sa.Column("on_hand_delta", sa.Integer, nullable=False),
    sa.Column("reserved_delta", sa.Integer, nullable=False),
    sa.Column("reservation_id", sa.Uuid, nullable=True),
    sa.Column("order_id", sa.Uuid, nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("actor_id", sa.Uuid, nullable=True),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_stock_ledger_sku_id", "sku", "id"),
)
