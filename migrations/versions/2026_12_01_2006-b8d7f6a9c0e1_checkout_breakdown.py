"""the cart's currency, the order read model's breakdown, guest orders' access

Revision ID: b8d7f6a9c0e1
Revises: a7c6e5f8b9d0
Create Date: 2026-12-01 20:06:00.000000+00:00

The order read model gains the breakdown, the billing address, the email and the guest flag of
each order. Its rows are not patched in SQL: they are emptied and the `order-views` projection
starts over from the log, where v1 `OrderPlaced` events are upcast (ADR 0036), so an old order
reads exactly as a rebuild would make it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "b8d7f6a9c0e1"
down_revision: str | None = "a7c6e5f8b9d0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("carts", sa.Column("currency", sa.Text(), nullable=True))
    # Carts that hold lines keep the currency they were filled in.
    op.execute(
        "UPDATE carts c SET currency = l.confirmed_currency FROM"
        " (SELECT DISTINCT ON (customer_id) customer_id, confirmed_currency FROM cart_lines"
        "  ORDER BY customer_id, position) l WHERE l.customer_id = c.customer_id"
    )
    op.alter_column(
        "cart_lines",
        "confirmed_amount",
        type_=sa.Numeric(15, 3),
        existing_type=sa.Numeric(12, 2),
        existing_nullable=False,
    )
    op.create_table(
        "order_access",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.Text(), nullable=False),
        sa.Column("email", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_order_access")),
    )
    op.create_index(op.f("ix_order_access_email"), "order_access", ["email"], unique=False)
    # The read model is rebuilt from the log: emptied here, replayed by the worker.
    op.execute("DELETE FROM order_timeline")
    op.execute("DELETE FROM order_views")
    op.execute(
        "UPDATE subscription_checkpoints SET transaction_id = 0, position = 0,"
        " status = 'running', attempts = 0, last_error = NULL, updated_at = now()"
        " WHERE name = 'order-views'"
    )
    jsonb = postgresql.JSONB(astext_type=sa.Text())
    op.add_column("order_views", sa.Column("billing_address", jsonb, nullable=False))
    op.add_column("order_views", sa.Column("breakdown", jsonb, nullable=False))
    op.add_column("order_views", sa.Column("email", sa.Text(), nullable=True))
    op.add_column("order_views", sa.Column("guest", sa.Boolean(), nullable=False))


def downgrade() -> None:
    op.execute("DELETE FROM order_timeline")
    op.execute("DELETE FROM order_views")
    op.execute(
        "UPDATE subscription_checkpoints SET transaction_id = 0, position = 0"
        " WHERE name = 'order-views'"
    )
    op.drop_column("order_views", "guest")
    op.drop_column("order_views", "email")
    op.drop_column("order_views", "breakdown")
    op.drop_column("order_views", "billing_address")
    op.drop_index(op.f("ix_order_access_email"), table_name="order_access")
    op.drop_table("order_access")
    op.alter_column(
        "cart_lines",
        "confirmed_amount",
        type_=sa.Numeric(12, 2),
        existing_type=sa.Numeric(15, 3),
        existing_nullable=False,
    )
    op.drop_column("carts", "currency")
