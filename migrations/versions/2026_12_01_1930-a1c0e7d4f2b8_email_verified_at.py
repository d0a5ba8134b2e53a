"""an account records when its email address was verified

Revision ID: a1c0e7d4f2b8
Revises: 5b7e2c41d9a3
Create Date: 2026-12-01 19:30:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1c0e7d4f2b8"
down_revision: str | None = "5b7e2c41d9a3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("users", sa.Column("email_verified_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("users", "email_verified_at")
