"""returns: each order's returns (the write side's index) and the returns read model and timeline

Revision ID: f3a2b1c0d9e8
Revises: d1e0f9a8b7c6
Create Date: 2026-12-01 20:08:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "f3a2b1c0d9e8"
down_revision: str | None = "d1e0f9a8b7c6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "order_returns",
        sa.Column("return_id", sa.Uuid, primary_key=True),
        sa.Column("order_id", sa.Uuid, nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_order_returns_order_id", "order_returns", ["order_id"])
    op.create_table(
        "return_views",
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
    )
    op.create_index(
        "ix_return_views_order", "return_views", ["order_id", "requested_at", "return_id"]
    )
    op.create_index(
        "ix_return_views_status", "return_views", ["status", "requested_at", "return_id"]
    )
    op.create_table(
        "return_timeline",
        sa.Column("position", sa.BigInteger, primary_key=True),
        sa.Column("order_id", sa.Uuid, nullable=False),
        sa.Column("return_id", sa.Uuid, nullable=False),
        sa.Column("event_type", sa.Text, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Uuid, nullable=True),
        sa.Column("summary", sa.Text, nullable=False),
    )
    op.create_index("ix_return_timeline_order_id", "return_timeline", ["order_id"])


def downgrade() -> None:
    op.drop_table("return_timeline")
    op.drop_table("return_views")
    op.drop_table("order_returns")
