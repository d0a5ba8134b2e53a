"""a GIN index on the variants' options, for the search's option filter

Revision ID: c9e8a7b6d5f4
Revises: b8d7f6a9c0e1
Create Date: 2026-12-01 20:07:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "c9e8a7b6d5f4"
down_revision: str | None = "b8d7f6a9c0e1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # jsonb_path_ops: the filter only asks containment (`@>`), and these keys are smaller.
    op.create_index(
        "ix_catalog_variants_options",
        "catalog_variants",
        ["options"],
        postgresql_using="gin",
        postgresql_ops={"options": "jsonb_path_ops"},
    )


def downgrade() -> None:
    op.drop_index("ix_catalog_variants_options", table_name="catalog_variants")
