"""Stock, reservations and the ledger. The database itself refuses negative availability."""

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    Table,
    Text,
    Uuid,
    func,
    text,
)

from infrastructure.db.metadata import metadata

stock_items = Table(
    "stock_items",
    metadata,
    Column("sku", Text, primary_key=True),
    Column("on_hand", Integer, nullable=False),
    Column("reserved", Integer, nullable=False, server_default=text("0")),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # available = on_hand - reserved >= 0, whatever any statement tries.
    CheckConstraint("reserved >= 0 AND reserved <= on_hand", name="available_not_negative"),
)

# The SQL twin of StockLevel.available: the rule the atomic reservation UPDATE checks.
AVAILABLE = stock_items.c.on_hand - stock_items.c.reserved

stock_reservations = Table(
    "stock_reservations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("order_id", Uuid, nullable=False, index=True),
    Column("sku", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("status", Text, nullable=False, server_default=text("'held'")),
    # NULL once the order is paid: a paid order's units are held until shipped or cancelled.
    Column("expires_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("settled_at", DateTime(timezone=True), nullable=True),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint("status IN ('held', 'released', 'committed', 'expired')", name="status_known"),
    # The expiry sweep looks only at held reservations, oldest deadline first.
    Index(
        "ix_stock_reservations_held_expires_at",
        "expires_at",
        postgresql_where=text("status = 'held'"),
    ),
)

stock_ledger = Table(
    "stock_ledger",
    metadata,
    Column("id", BigInteger, Identity(always=True), primary_key=True),
    Column("sku", Text, nullable=False),
    Column("movement", Text, nullable=False),
    Column("on_hand_delta", Integer, nullable=False),
    Column("reserved_delta", Integer, nullable=False),
    Column("reservation_id", Uuid, nullable=True),
    Column("order_id", Uuid, nullable=True),
    Column("reason", Text, nullable=True),
    Column("actor_id", Uuid, nullable=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Index("ix_stock_ledger_sku_id", "sku", "id"),
)
