"""address books, guest sessions and email verification tokens

Revision ID: a7c6e5f8b9d0
Revises: f6b5d4e7a8c9
Create Date: 2026-12-01 20:05:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7c6e5f8b9d0"
down_revision: str | None = "f6b5d4e7a8c9"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "guest_sessions",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("guest_id", sa.Uuid, nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("revoked_at", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_guest_sessions"),
    )
    op.create_index("ix_guest_sessions_guest_id", "guest_sessions", ["guest_id"])
    op.create_table(
        "email_verification_tokens",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("user_id", sa.Uuid, nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        sa.Column("token_hash", sa.Text, nullable=False),
        sa.Column("issued_at", _WHEN, nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("used_at", _WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_email_verification_tokens"),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name="fk_email_verification_tokens_user_id_users",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("token_hash", name="uq_email_verification_tokens_token_hash"),
    )
    op.create_index(
        "ix_email_verification_tokens_user_id", "email_verification_tokens", ["user_id"]
    )
    _address_tables()


def _address_tables() -> None:
    op.create_table(
        "addresses",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("user_id", sa.Uuid, nullable=False),
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
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_addresses"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_addresses_user_id_users", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("user_id", "id", name="uq_addresses_user_id_id"),
    )
    op.create_table(
        "address_books",
        sa.Column("user_id", sa.Uuid, nullable=False),
        sa.Column("default_shipping_id", sa.Uuid, nullable=True),
        sa.Column("default_billing_id", sa.Uuid, nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("user_id", name="pk_address_books"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_address_books_user_id_users", ondelete="CASCADE"
        ),
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


def downgrade() -> None:
    op.drop_table("address_books")
    op.drop_table("addresses")
    op.drop_index("ix_email_verification_tokens_user_id", "email_verification_tokens")
    op.drop_table("email_verification_tokens")
    op.drop_index("ix_guest_sessions_guest_id", "guest_sessions")
    op.drop_table("guest_sessions")
