"""Identity tables. Users, API keys and address books are state-stored; sessions and refresh
tokens back the token families, guest sessions the guests' tokens; verification tokens are kept
as hashes; `account_history` is the projection of the users' and address books' events."""

import sqlalchemy as sa

from infrastructure.db.metadata import metadata

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("email", sa.Text, nullable=False, unique=True),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("full_name", sa.Text, nullable=False),
    sa.Column("roles", sa.ARRAY(sa.Text), nullable=False),
    sa.Column("is_active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True),
    # Emails are stored normalised, so the unique index is case-insensitive by construction.
    sa.CheckConstraint("email = lower(email)", name="email_is_lower_case"),
    sa.Index("ix_users_created_at_id", "created_at", "id"),
)

login_sessions = sa.Table(
    "login_sessions",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column(
        "user_id",
        sa.Uuid,
        sa.ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)

refresh_tokens = sa.Table(
    "refresh_tokens",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column(
        "session_id",
        sa.Uuid,
        sa.ForeignKey("login_sessions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    sa.Column("token_hash", sa.Text, nullable=False, unique=True),
    sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
)

# Only the hash of a key's secret is kept, never the secret.
api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("prefix", sa.Text, nullable=False, unique=True),
    sa.Column("secret_hash", sa.Text, nullable=False),
    sa.Column("scopes", sa.ARRAY(sa.Text), nullable=False),
    sa.Column("created_by", sa.Uuid, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
)

account_history = sa.Table(
    "account_history",
    metadata,
    sa.Column("position", sa.BigInteger, primary_key=True),
    sa.Column("user_id", sa.Uuid, nullable=False),
    sa.Column("event_type", sa.Text, nullable=False),
    sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("actor_id", sa.Uuid, nullable=True),
    sa.Column("summary", sa.Text, nullable=False),
    sa.Index("ix_account_history_user_id_position", "user_id", "position"),
)

guest_sessions = sa.Table(
    "guest_sessions",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    # A guest has no users row: its id is the customer id its cart and orders carry.
    sa.Column("guest_id", sa.Uuid, nullable=False, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
)


def _mailed_tokens(name: str) -> sa.Table:
    """A table of single-use tokens sent by mail: only each token's SHA-256 is kept, the token
    itself is in the mail alone."""
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column(
            "user_id",
            sa.Uuid,
            sa.ForeignKey("users.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("token_hash", sa.Text, nullable=False, unique=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
    )


email_verification_tokens = _mailed_tokens("email_verification_tokens")
password_reset_tokens = _mailed_tokens("password_reset_tokens")

addresses = sa.Table(
    "addresses",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("line1", sa.Text, nullable=False),
    sa.Column("line2", sa.Text, nullable=True),
    sa.Column("city", sa.Text, nullable=False),
    sa.Column("postal_code", sa.Text, nullable=False),
    sa.Column("region", sa.Text, nullable=True),
    sa.Column("country", sa.CHAR(2), nullable=False),
    sa.Column("phone", sa.Text, nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    # Ordering asks for (customer, address) together: the pair finds the row or nothing.
    sa.UniqueConstraint("user_id", "id", name="uq_addresses_user_id_id"),
)

# One row per book: its version, and the defaults as one column per kind, so two defaults of a
# kind cannot exist. The references are checked at commit: a save writes entries and book in
# whichever order, and an address that is someone's default can only go with that default.
address_books = sa.Table(
    "address_books",
    metadata,
    sa.Column("user_id", sa.Uuid, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("default_shipping_id", sa.Uuid, nullable=True),
    sa.Column("default_billing_id", sa.Uuid, nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.ForeignKeyConstraint(
        ["user_id", "default_shipping_id"],
        ["addresses.user_id", "addresses.id"],
        name="fk_address_books_default_shipping",
        deferrable=True,
        initially="DEFERRED",
    ),
    sa.ForeignKeyConstraint(
        ["user_id", "default_billing_id"],
        ["addresses.user_id", "addresses.id"],
        name="fk_address_books_default_billing",
        deferrable=True,
        initially="DEFERRED",
    ),
)
