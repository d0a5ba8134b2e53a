"""Webhook subscriptions and their deliveries; mail and where an order's mail goes."""

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

# Mail to customers: the outbox and the record of each message's attempts (ADR 0041).
outgoing_mail = sa.Table(
    "outgoing_mail",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("event_id", sa.Uuid, nullable=True),  # None: account mail, not of an event
    sa.Column("template", sa.Text, nullable=False),
    sa.Column("recipient", sa.Text, nullable=False),
    sa.Column("context", JSONB, nullable=False),
    sa.Column("message_id", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("response_status", sa.Integer, nullable=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    # One mail per event and template, however often the log is replayed.
    sa.UniqueConstraint("event_id", "template"),
    sa.CheckConstraint("status IN ('pending', 'delivered', 'failed')", name="status_known"),
    sa.Index(
        "ix_outgoing_mail_due",
        "next_attempt_at",
        postgresql_where=sa.text("status = 'pending'"),
    ),
)

# Where an order's mail goes, from its OrderPlaced: the checkout's email, else the account's.
order_contacts = sa.Table(
    "order_contacts",
    metadata,
    sa.Column("order_id", sa.Uuid, primary_key=True),
    sa.Column("email", sa.Text, nullable=False),
    # A parcel of the order was mailed: its OrderShipped then needs no mail of its own.
    sa.Column("parcel_mailed", sa.Boolean, nullable=False, server_default=sa.false()),
)
