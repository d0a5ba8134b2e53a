"""product types with attribute schemas; a product may have a type

Existing products keep no type (NULL) and their free-form attributes, so no row changes.

Revision ID: c3e2a1b4d5f6
Revises: b2d1f0a3c4e5
Create Date: 2026-12-01 20:01:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "c3e2a1b4d5f6"
down_revision: str | None = "b2d1f0a3c4e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "product_types",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("attributes", JSONB, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_product_types"),
        sa.UniqueConstraint("name", name="uq_product_types_name"),
    )
    op.add_column("products", sa.Column("product_type_id", sa.Uuid, nullable=True))
    op.create_foreign_key(
        "fk_products_product_type_id_product_types",
        "products",
        "product_types",
        ["product_type_id"],
        ["id"],
    )
    op.create_index("ix_products_product_type_id", "products", ["product_type_id"])


def downgrade() -> None:
    op.drop_index("ix_products_product_type_id", table_name="products")
    op.drop_constraint("fk_products_product_type_id_product_types", "products")
    op.drop_column("products", "product_type_id")
    op.drop_table("product_types")
