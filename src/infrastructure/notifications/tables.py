"""Webhook subscriptions and their deliveries."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from infrastructure.db.metadata import metadata

webhook_subscriptions = sa.Table(
    "webhook_subscriptions",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("event_types", sa.ARRAY(sa.Text), nullable=False),
    # Needed in clear to sign with; readable only by the worker and admins' database access.
    sa.Column("secret", sa.Text, nullable=False),
    sa.Column("created_by", sa.Uuid, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
)

webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column(
        "subscription_id",
        sa.Uuid,
        sa.ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("event_id", sa.Uuid, nullable=False),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("body", JSONB, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("response_status", sa.Integer, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    # One delivery per event and subscription, however often the log is replayed.
    sa.UniqueConstraint("subscription_id", "event_id"),
    sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status_known"),
    sa.Index("ix_webhook_deliveries_subscription_created", "subscription_id", "created_at"),
    # The sender looks only at pending deliveries that are due.
    sa.Index(
        "ix_webhook_deliveries_due",
        "next_attempt_at",
        postgresql_where=sa.text("status = 'pending'"),
    ),
)
