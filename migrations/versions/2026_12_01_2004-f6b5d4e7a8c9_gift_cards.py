"""gift cards and their append-only ledger

Revision ID: f6b5d4e7a8c9
Revises: e5a4c3d6f7b8
Create Date: 2026-12-01 20:04:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f6b5d4e7a8c9"
down_revision: str | None = "e5a4c3d6f7b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "gift_cards",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code_digest", sa.Text(), nullable=False),
        sa.Column("last_four", sa.Text(), nullable=False),
        sa.Column("initial_amount", sa.Numeric(14, 3), nullable=False),
        sa.Column("balance", sa.Numeric(14, 3), nullable=False),
        sa.Column("currency", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recipient_email", sa.Text(), nullable=True),
        sa.Column("issued_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("balance >= 0", name=op.f("ck_gift_cards_balance_not_negative")),
        sa.CheckConstraint(
            "initial_amount > 0", name=op.f("ck_gift_cards_initial_amount_positive")
        ),
        sa.CheckConstraint(
            "status IN ('active', 'disabled')", name=op.f("ck_gift_cards_status_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gift_cards")),
        sa.UniqueConstraint("code_digest", name=op.f("uq_gift_cards_code_digest")),
    )
    op.create_index("ix_gift_cards_created_at_id", "gift_cards", ["created_at", "id"], unique=False)
    op.create_table(
        "gift_card_movements",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False),
        sa.Column("gift_card_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("amount", sa.Numeric(14, 3), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('issue', 'debit', 'credit_back', 'adjust')",
            name=op.f("ck_gift_card_movements_kind_known"),
        ),
        sa.CheckConstraint(
            "(kind IN ('debit', 'credit_back')) = (order_id IS NOT NULL)",
            name=op.f("ck_gift_card_movements_order_movements"),
        ),
        sa.CheckConstraint(
            "CASE kind WHEN 'debit' THEN amount < 0 WHEN 'adjust' THEN amount <> 0"
            " ELSE amount > 0 END",
            name=op.f("ck_gift_card_movements_amount_signed_by_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["gift_card_id"],
            ["gift_cards.id"],
            name=op.f("fk_gift_card_movements_gift_card_id_gift_cards"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gift_card_movements")),
    )
    op.create_index(
        "ix_gift_card_movements_gift_card_id_id",
        "gift_card_movements",
        ["gift_card_id", "id"],
        unique=False,
    )
    op.create_index(
        "uq_gift_card_movements_order",
        "gift_card_movements",
        ["gift_card_id", "order_id", "kind"],
        unique=True,
        postgresql_where=sa.text("order_id IS NOT NULL"),
    )
    op.create_index(
        "ix_gift_card_movements_order_id",
        "gift_card_movements",
        ["order_id"],
        unique=False,
        postgresql_where=sa.text("order_id IS NOT NULL"),
    )
    # The ledger is history: rows are added, never changed or removed.
    op.execute(
        """
        CREATE FUNCTION gift_card_movements_are_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'gift_card_movements is append-only';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER gift_card_movements_append_only BEFORE UPDATE OR DELETE"
        " ON gift_card_movements"
        " FOR EACH ROW EXECUTE FUNCTION gift_card_movements_are_append_only()"
    )
    op.execute(
        "CREATE TRIGGER gift_card_movements_no_truncate BEFORE TRUNCATE ON gift_card_movements"
        " FOR EACH STATEMENT EXECUTE FUNCTION gift_card_movements_are_append_only()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER gift_card_movements_no_truncate ON gift_card_movements")
    op.execute("DROP TRIGGER gift_card_movements_append_only ON gift_card_movements")
    op.execute("DROP FUNCTION gift_card_movements_are_append_only()")
    op.drop_index(
        "ix_gift_card_movements_order_id",
        table_name="gift_card_movements",
        postgresql_where=sa.text("order_id IS NOT NULL"),
    )
    op.drop_index(
        "uq_gift_card_movements_order",
        table_name="gift_card_movements",
        postgresql_where=sa.text("order_id IS NOT NULL"),
    )
    op.drop_index("ix_gift_card_movements_gift_card_id_id", table_name="gift_card_movements")
    op.drop_table("gift_card_movements")
    op.drop_index("ix_gift_cards_created_at_id", table_name="gift_cards")
    op.drop_table("gift_cards")
