"""the order read model's shipments

Revision ID: e2f1a0b9c8d7
Revises: b5c4d3e2f1a0
Create Date: 2026-12-01 20:10:00.000000+00:00

The order read model gains each order's shipments (ADR 0038). Its rows are not patched in SQL:
they are emptied and the `order-views` projection starts over from the log, where an old
`OrderShipped` folds as one shipment of every unit, so an old order reads as a rebuild makes it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "e2f1a0b9c8d7"
down_revision: str | None = "b5c4d3e2f1a0"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RESTART = (
    "UPDATE subscription_checkpoints SET transaction_id = 0, position = 0,"
    " status = 'running', attempts = 0, last_error = NULL, updated_at = now()"
    " WHERE name = 'order-views'"
)


def upgrade() -> None:
    op.execute("DELETE FROM order_timeline")
    op.execute("DELETE FROM order_views")
    op.execute(RESTART)
    jsonb = postgresql.JSONB(astext_type=sa.Text())
    op.add_column(
        "order_views",
        sa.Column("shipments", jsonb, nullable=False, server_default=sa.text("'[]'::jsonb")),
    )


def downgrade() -> None:
    op.execute("DELETE FROM order_timeline")
    op.execute("DELETE FROM order_views")
    op.execute(RESTART)
    op.drop_column("order_views", "shipments")
