"""the payment's lifecycle: clocks of captures and pending refunds, and the order read model
showing what was captured, voided and refunded, refund by refund

Revision ID: d1e0f9a8b7c6
Revises: c9e8a7b6d5f4
Create Date: 2026-12-01 23:08:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "d1e0f9a8b7c6"
down_revision: str | None = "c9e8a7b6d5f4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Since when each paid order's authorisation waits for its capture, and each order's
    # requested refund for the provider's answer: the worker's sweeps read them.
    for table in ("order_capture_deadlines", "order_refund_deadlines"):
        op.create_table(
            table,
            sa.Column("order_id", sa.Uuid, primary_key=True),
            sa.Column("since", TIMESTAMP, nullable=False),
        )
        op.create_index(f"ix_{table}_since", table, ["since"])
    add = op.add_column
    add("order_views", sa.Column("captured_amount", sa.Numeric(12, 2), server_default="0"))
    add("order_views", sa.Column("capture_reference", sa.Text, nullable=True))
    add("order_views", sa.Column("captured_at", TIMESTAMP, nullable=True))
    add("order_views", sa.Column("voided_at", TIMESTAMP, nullable=True))
    add("order_views", sa.Column("refunded_amount", sa.Numeric(12, 2), server_default="0"))
    add("order_views", sa.Column("refunds", JSONB, server_default="[]"))
    for name in ("captured_amount", "refunded_amount", "refunds"):
        op.alter_column("order_views", name, nullable=False)
    # Orders paid before: their authorisation was the charge (PaymentAuthorized v1 is read as
    # captured), and a refund gave all of it back. `agora projections rebuild` gives the same.
    op.execute(
        "UPDATE order_views SET captured_amount = total_amount"
        " - COALESCE((breakdown->'gift_card_total'->>'amount')::numeric, 0),"
        " capture_reference = payment_reference, captured_at = paid_at"
        " WHERE payment_reference IS NOT NULL"
    )
    op.execute(
        "UPDATE order_views SET refunded_amount = captured_amount WHERE refund_reference IS NOT NULL"
    )


def downgrade() -> None:
    for name in (
        "refunds",
        "refunded_amount",
        "voided_at",
        "captured_at",
        "capture_reference",
        "captured_amount",
    ):
        op.drop_column("order_views", name)
    for table in ("order_refund_deadlines", "order_capture_deadlines"):
        op.drop_table(table)
