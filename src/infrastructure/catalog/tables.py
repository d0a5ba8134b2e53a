"""Products, their variants and categories. Search uses a generated tsvector (GIN); attributes
are JSONB (GIN, queried by containment); each public sort has a partial index over active
products. A product's row keeps its default variant's SKU and primary price (ADR 0030)."""

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR

from domain.shared.money import Money
from infrastructure.db.metadata import metadata


class MoneyList(sa.types.TypeDecorator[tuple[Money, ...]]):
    """Prices as a JSONB array of `{"amount": "19.90", "currency": "EUR"}` in their order:
    the amount a string, so no float ever holds money; read back as a tuple of `Money`."""

    impl = JSONB
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: sa.Dialect) -> Any:
        return None if value is None else money_json(value)

    def process_result_value(self, value: Any, dialect: sa.Dialect) -> Any:
        return None if value is None else money_of_json(value)


def money_json(prices: tuple[Money, ...]) -> list[dict[str, str]]:
    return [{"amount": str(p.amount), "currency": p.currency} for p in prices]


def money_of_json(value: list[dict[str, str]]) -> tuple[Money, ...]:
    return tuple(Money(Decimal(p["amount"]), p["currency"]) for p in value)


ACTIVE = sa.text("status = 'active'")

categories = sa.Table(
    "categories",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("slug", sa.Text, nullable=False),
    sa.Column("parent_id", sa.Uuid, sa.ForeignKey("categories.id"), nullable=True, index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("parent_id", "slug", name="uq_categories_parent_id_slug"),
    # NULL parents are distinct in a unique constraint: top-level names need their own index.
    sa.Index(
        "uq_categories_root_slug",
        "slug",
        unique=True,
        postgresql_where=sa.text("parent_id IS NULL"),
    ),
)

products = sa.Table(
    "products",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("sku", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("price_amount", sa.Numeric(12, 2), nullable=False),
    sa.Column("price_currency", sa.Text, nullable=False),
    sa.Column("category_id", sa.Uuid, sa.ForeignKey("categories.id"), nullable=True, index=True),
    sa.Column("attributes", JSONB, nullable=False),
    sa.Column("image_ids", sa.ARRAY(sa.Uuid), nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    # [{"name": "size", "values": ["S", "M"]}, ...] in the order staff gave them.
    sa.Column("options", JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
    sa.Column("tax_category", sa.Text, nullable=False, server_default="standard"),
    sa.Column(
        "search",
        TSVECTOR,
        sa.Computed(
            "setweight(to_tsvector('english', name), 'A')"
            " || setweight(to_tsvector('english', description), 'B')",
            persisted=True,
        ),
    ),
    sa.CheckConstraint("status IN ('draft', 'active', 'archived')", name="status_known"),
    sa.CheckConstraint("price_amount >= 0", name="price_not_negative"),
    sa.Index("ix_products_search", "search", postgresql_using="gin"),
    sa.Index(
        "ix_products_attributes",
        "attributes",
        postgresql_using="gin",
        postgresql_ops={"attributes": "jsonb_path_ops"},
    ),
    sa.Index("ix_products_active_price", "price_amount", "id", postgresql_where=ACTIVE),
    sa.Index("ix_products_active_name", "name", "id", postgresql_where=ACTIVE),
    sa.Index("ix_products_active_created", "created_at", "id", postgresql_where=ACTIVE),
)

product_images = sa.Table(
    "product_images",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("product_id", sa.Uuid, sa.ForeignKey("products.id"), nullable=False, index=True),
    sa.Column("content_type", sa.Text, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

catalog_variants = sa.Table(
    "catalog_variants",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("product_id", sa.Uuid, sa.ForeignKey("products.id"), nullable=False),
    # Unique across the shop: a cart line, an order line and a stock item name a variant by it.
    sa.Column("sku", sa.Text, nullable=False, unique=True),
    # [["size", "M"], ["colour", "red"]]: in the product's option order.
    sa.Column("options", JSONB, nullable=False),
    sa.Column("prices", MoneyList, nullable=False),
    sa.Column("weight_grams", sa.Integer, nullable=False),
    sa.Column("image_ids", sa.ARRAY(sa.Uuid), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.CheckConstraint("weight_grams >= 0", name="weight_not_negative"),
    sa.CheckConstraint("jsonb_array_length(prices) >= 1", name="has_a_price"),
    # A product's variants in order, read with it (details, the repository).
    sa.Index("ix_catalog_variants_product_id_position", "product_id", "position"),
)
