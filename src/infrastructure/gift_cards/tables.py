"""Gift cards and their append-only ledger. The database itself refuses a negative balance, and
records each order's debit and credit back of a card once."""

import sqlalchemy as sa

from infrastructure.db.metadata import metadata

# Three decimals hold every currency's minor unit (JPY 0, EUR 2, KWD 3); Money rounds on read.
AMOUNT = sa.Numeric(14, 3)

gift_cards = sa.Table(
    "gift_cards",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    # SHA-256 of the code: the code itself is never stored (ADR 0034).
    sa.Column("code_digest", sa.Text, nullable=False, unique=True),
    sa.Column("last_four", sa.Text, nullable=False),
    sa.Column("initial_amount", AMOUNT, nullable=False),
    sa.Column("balance", AMOUNT, nullable=False),
    sa.Column("currency", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("recipient_email", sa.Text, nullable=True),
    sa.Column("issued_by", sa.Uuid, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    # Whatever any statement tries: the conditional debit's WHERE is the first guard, this
    # the last.
    sa.CheckConstraint("balance >= 0", name="balance_not_negative"),
    sa.CheckConstraint("initial_amount > 0", name="initial_amount_positive"),
    sa.CheckConstraint("status IN ('active', 'disabled')", name="status_known"),
    # Staff's list: newest first, keyset on (created_at, id).
    sa.Index("ix_gift_cards_created_at_id", "created_at", "id"),
)

gift_card_movements = sa.Table(
    "gift_card_movements",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(always=True), primary_key=True),
    sa.Column("gift_card_id", sa.Uuid, sa.ForeignKey("gift_cards.id"), nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("amount", AMOUNT, nullable=False),  # signed: the balance is the sum
    sa.Column("order_id", sa.Uuid, nullable=True),
    sa.Column("reason", sa.Text, nullable=True),
    sa.Column("actor_id", sa.Uuid, nullable=True),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('issue', 'debit', 'credit_back', 'adjust')", name="kind_known"),
    sa.CheckConstraint(
        "(kind IN ('debit', 'credit_back')) = (order_id IS NOT NULL)", name="order_movements"
    ),
    sa.CheckConstraint(
        "CASE kind WHEN 'debit' THEN amount < 0 WHEN 'adjust' THEN amount <> 0 ELSE amount > 0 END",
        name="amount_signed_by_kind",
    ),
    sa.Index("ix_gift_card_movements_gift_card_id_id", "gift_card_id", "id"),
    # One debit and one credit back per card and order: a replay writes nothing.
    sa.Index(
        "uq_gift_card_movements_order",
        "gift_card_id",
        "order_id",
        "kind",
        unique=True,
        postgresql_where=sa.text("order_id IS NOT NULL"),
    ),
    # Crediting an order back finds its debits by order.
    sa.Index(
        "ix_gift_card_movements_order_id",
        "order_id",
        postgresql_where=sa.text("order_id IS NOT NULL"),
    ),
)
