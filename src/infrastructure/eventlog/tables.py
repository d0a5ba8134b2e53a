"""Tables of the event log, subscriber checkpoints, dead letters and the consumer inbox."""

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from infrastructure.db.metadata import metadata

# pg_current_xact_id() is a 64-bit transaction id (xid8); as bigint it orders and indexes plainly.
CURRENT_TRANSACTION_ID = text("(pg_current_xact_id()::text::bigint)")

event_log = Table(
    "event_log",
    metadata,
    Column("position", BigInteger, Identity(always=True), primary_key=True),
    Column("transaction_id", BigInteger, nullable=False, server_default=CURRENT_TRANSACTION_ID),
    Column("stream_type", Text, nullable=False),
    Column("stream_id", Text, nullable=False),
    Column("stream_version", Integer, nullable=False),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("event_type", Text, nullable=False),
    Column("schema_version", Integer, nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("metadata", JSONB, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("stream_id", "stream_version", name="uq_event_log_stream_version"),
    # Subscribers read in (transaction_id, position) order below the snapshot horizon.
    Index("ix_event_log_transaction_id_position", "transaction_id", "position"),
)

subscription_checkpoints = Table(
    "subscription_checkpoints",
    metadata,
    Column("name", Text, primary_key=True),
    Column("transaction_id", BigInteger, nullable=False, server_default=text("0")),
    Column("position", BigInteger, nullable=False, server_default=text("0")),
    Column("status", Text, nullable=False, server_default=text("'running'")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

subscription_dead_letters = Table(
    "subscription_dead_letters",
    metadata,
    Column("subscription", Text, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("event_type", Text, nullable=False),
    Column("error", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("parked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("subscription", "position"),
)

consumer_inbox = Table(
    "consumer_inbox",
    metadata,
    Column("consumer", Text, nullable=False),
    Column("message_id", Text, nullable=False),
    Column("topic", Text, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("consumer", "message_id"),
)
