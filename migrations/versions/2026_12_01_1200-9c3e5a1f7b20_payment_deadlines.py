"""payment deadlines kept with the orders; the order read model mirrors the order's state;
inventory settles reservations from the order's events

Revision ID: 9c3e5a1f7b20
Revises: 178ec1d24abf
Create Date: 2026-12-01 12:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9c3e5a1f7b20"
down_revision: str | None = "178ec1d24abf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Orders still waiting for their payment, read from their events (the read model may lag): a
# stream with no final event yet waits since its stock was reserved or, before that, placed.
DEADLINES = """
INSERT INTO order_payment_deadlines (order_id, since)
SELECT CAST(substr(stream_id, length('order-') + 1) AS uuid),
       coalesce(max(CAST(payload->>'occurred_at' AS timestamptz))
                    FILTER (WHERE event_type = 'OrderStockReserved'),
                min(CAST(payload->>'occurred_at' AS timestamptz))
                    FILTER (WHERE event_type = 'OrderPlaced'))
  FROM event_log
 WHERE stream_type = 'order'
 GROUP BY stream_id
HAVING bool_or(event_type = 'OrderPlaced')
   AND NOT bool_or(event_type IN ('OrderStockRejected', 'OrderPaid', 'OrderShipped',
                                  'OrderDelivered', 'OrderCancelled', 'RefundIssued'))
"""

REFUND_REFERENCES = """
UPDATE order_views o
   SET refund_reference = (SELECT e.payload->>'refund_reference' FROM event_log e
                            WHERE e.stream_id = 'order-' || o.order_id
                              AND e.event_type = 'RefundIssued'
                            ORDER BY e.stream_version LIMIT 1)
 WHERE o.refunded
"""

# The fulfilment process's subscriber is spelled as the docs spell it; its place in the log
# and its parked events stay its own.
RENAME = "UPDATE {table} SET {column} = 'fulfilment' WHERE {column} = 'fulfillment'"

# Inventory's settler takes over keeping, committing and releasing reservations from the
# fulfilment process: it starts where the process stood, so no past event is settled twice.
SETTLER = """
INSERT INTO subscription_checkpoints (name, transaction_id, position)
SELECT 'order-stock', transaction_id, position
  FROM subscription_checkpoints
 WHERE name = 'fulfilment'
"""


def upgrade() -> None:
    op.create_table(
        "order_payment_deadlines",
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("order_id", name=op.f("pk_order_payment_deadlines")),
    )
    op.create_index(op.f("ix_order_payment_deadlines_since"), "order_payment_deadlines", ["since"])
    op.execute(DEADLINES)
    op.add_column("order_views", sa.Column("refund_reference", sa.Text(), nullable=True))
    op.execute(REFUND_REFERENCES)
    op.drop_index("ix_order_views_unpaid", table_name="order_views")
    op.drop_column("order_views", "awaiting_payment_since")
    op.drop_column("order_views", "refunded")
    op.execute(RENAME.format(table="subscription_checkpoints", column="name"))
    op.execute(RENAME.format(table="subscription_dead_letters", column="subscription"))
    op.execute(SETTLER)


# Back to the process settling reservations itself: it resumes from the earlier of its own
# place and the settler's, so no settlement is skipped, and takes over the settler's parked events.
HAND_BACK = """
UPDATE subscription_checkpoints f
   SET transaction_id = s.transaction_id, position = s.position
  FROM subscription_checkpoints s
 WHERE f.name = 'fulfilment' AND s.name = 'order-stock'
   AND (s.transaction_id, s.position) < (f.transaction_id, f.position)
"""
PARKED = """
INSERT INTO subscription_dead_letters
       (subscription, position, event_id, event_type, error, attempts, parked_at)
SELECT 'fulfilment', position, event_id, event_type, error, attempts, parked_at
  FROM subscription_dead_letters WHERE subscription = 'order-stock'
    ON CONFLICT DO NOTHING
"""


def downgrade() -> None:
    op.execute(HAND_BACK)
    op.execute(PARKED)
    op.execute("DELETE FROM subscription_dead_letters WHERE subscription = 'order-stock'")
    op.execute("DELETE FROM subscription_checkpoints WHERE name = 'order-stock'")
    op.execute(
        "UPDATE subscription_dead_letters SET subscription = 'fulfillment'"
        " WHERE subscription = 'fulfilment'"
    )
    op.execute("UPDATE subscription_checkpoints SET name = 'fulfillment' WHERE name = 'fulfilment'")
    op.add_column(
        "order_views",
        sa.Column("refunded", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.execute("UPDATE order_views SET refunded = refund_reference IS NOT NULL")
    op.add_column(
        "order_views",
        sa.Column("awaiting_payment_since", sa.DateTime(timezone=True), nullable=True),
    )
    op.execute(
        "UPDATE order_views o SET awaiting_payment_since = d.since"
        " FROM order_payment_deadlines d WHERE d.order_id = o.order_id"
    )
    op.create_index(
        "ix_order_views_unpaid",
        "order_views",
        ["placed_at"],
        postgresql_where=sa.text("status IN ('placed', 'awaiting_payment')"),
    )
    op.drop_column("order_views", "refund_reference")
    op.drop_index(op.f("ix_order_payment_deadlines_since"), table_name="order_payment_deadlines")
    op.drop_table("order_payment_deadlines")
