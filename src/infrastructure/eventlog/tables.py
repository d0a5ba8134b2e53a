"""Tables of the event log, subscriber checkpoints, dead letters and the consumer inbox."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from infrastructure.db.metadata import metadata

# pg_current_xact_id() is a 64-bit transaction id (xid8); as bigint it orders and indexes plainly.
CURRENT_TRANSACTION_ID = sa.text("(pg_current_xact_id()::text::bigint)")

event_log = sa.Table(
    "event_log",
    metadata,
    sa.Column("position", sa.BigInteger, sa.Identity(always=True), primary_key=True),
    sa.Column(
        "transaction_id", sa.BigInteger, nullable=False, server_default=CURRENT_TRANSACTION_ID
    ),
    sa.Column("stream_type", sa.Text, nullable=False),
    sa.Column("stream_id", sa.Text, nullable=False),
    sa.Column("stream_version", sa.Integer, nullable=False),
    sa.Column("event_id", sa.Uuid, nullable=False, unique=True),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("payload", JSONB, nullable=False),
    sa.Column("metadata", JSONB, nullable=False),
    sa.Column(
        "recorded_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.UniqueConstraint("stream_id", "stream_version", name="uq_event_log_stream_version"),
    # Subscribers read in (transaction_id, position) order below the snapshot horizon.
    sa.Index("ix_event_log_transaction_id_position", "transaction_id", "position"),
)

subscription_checkpoints = sa.Table(
    "subscription_checkpoints",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("transaction_id", sa.BigInteger, nullable=False, server_default=sa.text("0")),
    sa.Column("position", sa.BigInteger, nullable=False, server_default=sa.text("0")),
    sa.Column("status", sa.Text, nullable=False, server_default=sa.text("'running'")),
    sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column(
        "updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
)

subscription_dead_letters = sa.Table(
    "subscription_dead_letters",
    metadata,
    sa.Column("subscription", sa.Text, nullable=False),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("event_id", sa.Uuid, nullable=False),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("error", sa.Text, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column(
        "parked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.PrimaryKeyConstraint("subscription", "position"),
)

consumer_inbox = sa.Table(
    "consumer_inbox",
    metadata,
    sa.Column("consumer", sa.Text, nullable=False),
    sa.Column("message_id", sa.Text, nullable=False),
    sa.Column("topic", sa.Text, nullable=False),
    sa.Column(
        "received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
    ),
    sa.PrimaryKeyConstraint("consumer", "message_id"),
)
