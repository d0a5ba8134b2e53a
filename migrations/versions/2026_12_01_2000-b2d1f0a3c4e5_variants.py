"""products have options, a tax category and variants; every product gets its default variant

Revision ID: b2d1f0a3c4e5
Revises: a1c0e7d4f2b8
Create Date: 2026-12-01 20:00:00.000000+00:00

A data migration: each existing product becomes one default variant with the product's id, SKU,
price (as a one-price JSONB array), no images of its own and no options (ADR 0030). The product keeps its
`sku` and price columns as its default variant's, which list pages sort and filter by.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "b2d1f0a3c4e5"
down_revision: str | None = "a1c0e7d4f2b8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "products",
        sa.Column("options", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    )
    op.add_column(
        "products",
        sa.Column("tax_category", sa.Text, nullable=False, server_default="standard"),
    )
    op.create_table(
        "catalog_variants",
        sa.Column("id", sa.Uuid, nullable=False),
        sa.Column("product_id", sa.Uuid, nullable=False),
        sa.Column("sku", sa.Text, nullable=False),
        sa.Column("options", JSONB, nullable=False),
        sa.Column("prices", JSONB, nullable=False),
        sa.Column("weight_grams", sa.Integer, nullable=False),
        sa.Column("image_ids", sa.ARRAY(sa.Uuid), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.CheckConstraint(
            "weight_grams >= 0", name=op.f("ck_catalog_variants_weight_not_negative")
        ),
        sa.CheckConstraint(
            "jsonb_array_length(prices) >= 1", name=op.f("ck_catalog_variants_has_a_price")
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.id"],
            name=op.f("fk_catalog_variants_product_id_products"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_variants")),
        sa.UniqueConstraint("sku", name=op.f("uq_catalog_variants_sku")),
    )
    op.create_index(
        "ix_catalog_variants_product_id_position",
        "catalog_variants",
        ["product_id", "position"],
    )
    # Numeric(12, 2) as text keeps its two decimals ("19.90"): the amount is never a float.
    op.execute(
        """
        INSERT INTO catalog_variants
            (id, product_id, sku, options, prices, weight_grams, image_ids, position, active)
        SELECT id, id, sku, '[]'::jsonb,
               jsonb_build_array(jsonb_build_object(
                   'amount', price_amount::text, 'currency', price_currency)),
               0, '{}'::uuid[], 0, true
        FROM products
        """
    )


def downgrade() -> None:
    # The default variant's SKU and price are still the product's columns: nothing to copy back.
    op.drop_index("ix_catalog_variants_product_id_position", table_name="catalog_variants")
    op.drop_table("catalog_variants")
    op.drop_column("products", "tax_category")
    op.drop_column("products", "options")
