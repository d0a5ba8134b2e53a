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
    # Units promised beyond what is on hand (not in `reserved`), and the SKU's policy for them.
    sa.Column("backordered", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("backorder_policy", sa.Text, nullable=False, server_default=sa.text("'none'")),
    sa.Column("backorder_limit", sa.Integer, nullable=False, server_default=sa.text("0")),
    # available = on_hand - reserved >= 0, whatever any statement tries.
    sa.CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="available_not_negative"),
    sa.CheckConstraint("backordered >= 0", name="backordered_not_negative"),
    sa.CheckConstraint(
        "backorder_policy IN ('none', 'backorder', 'preorder')", name="backorder_policy_known"
    ),
)

stock_locations = sa.Table(
    "stock_locations",
    metadata,
    sa.Column("code", sa.Text, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

# One SKU at one location; stock_items holds the SKU's totals, moved in the same statements.
stock_levels = sa.Table(
    "stock_levels",
    metadata,
    sa.Column("sku", sa.Text, sa.ForeignKey("stock_items.sku"), primary_key=True),
    sa.Column("location", sa.Text, sa.ForeignKey("stock_locations.code"), primary_key=True),
    sa.Column("on_hand", sa.Integer, nullable=False),
    sa.Column("reserved", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("backordered", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # Never oversold at any one location, whatever any statement tries.
    sa.CheckConstraint(
        "reserved >= 0 AND reserved <= on_hand AND backordered >= 0",
        name="location_available_not_negative",
    ),
)

# The events inventory applied that must not be applied twice (a shipment, a return's receipt).
stock_applied_events = sa.Table(
    "stock_applied_events",
    metadata,
    sa.Column("event_id", sa.Uuid, primary_key=True),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)

# The SQL twin of StockLevel.available: the rule the atomic reservation UPDATE checks.
AVAILABLE = stock_items.c.on_hand - stock_items.c.reserved
LOCATION_AVAILABLE = stock_levels.c.on_hand - stock_levels.c.reserved

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
    sa.Column(
        "location",
        sa.Text,
        sa.ForeignKey("stock_locations.code"),
        nullable=False,
        server_default=sa.text("'main'"),
    ),
    # Units that left with shipments, and units not on hand yet (neither is in `reserved`).
    sa.Column("committed", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("backordered", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.CheckConstraint("quantity > 0", name="quantity_positive"),
    sa.CheckConstraint(
        "committed >= 0 AND backordered >= 0 AND committed + backordered <= quantity",
        name="parts_within_quantity",
    ),
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
    # NULL for movements of no one location (a write-off); a transfer is two rows.
    sa.Column("location", sa.Text, nullable=True),
    sa.Column("backordered_delta", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Index("ix_stock_ledger_sku_id", "sku", "id"),
)
