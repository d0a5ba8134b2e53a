"""Products and categories. Search uses a generated tsvector (GIN); attributes are JSONB (GIN,
queried by containment); each public sort has a partial index over active products."""

from sqlalchemy import (
    ARRAY,
    CheckConstraint,
    Column,
    Computed,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TSVECTOR

from infrastructure.db.metadata import metadata

ACTIVE = text("status = 'active'")

categories = Table(
    "categories",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", Text, nullable=False),
    Column("slug", Text, nullable=False),
    Column("parent_id", Uuid, ForeignKey("categories.id"), nullable=True, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("parent_id", "slug", name="uq_categories_parent_id_slug"),
    # NULL parents are distinct in a unique constraint: top-level names need their own index.
    Index(
        "uq_categories_root_slug", "slug", unique=True, postgresql_where=text("parent_id IS NULL")
    ),
)

products = Table(
    "products",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("sku", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("price_amount", Numeric(12, 2), nullable=False),
    Column("price_currency", Text, nullable=False),
    Column("category_id", Uuid, ForeignKey("categories.id"), nullable=True, index=True),
    Column("attributes", JSONB, nullable=False),
    Column("image_ids", ARRAY(Uuid), nullable=False),
    Column("status", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
    Column(
        "search",
        TSVECTOR,
        Computed(
            "setweight(to_tsvector('english', name), 'A')"
            " || setweight(to_tsvector('english', description), 'B')",
            persisted=True,
        ),
    ),
    CheckConstraint("status IN ('draft', 'active', 'archived')", name="status_known"),
    CheckConstraint("price_amount >= 0", name="price_not_negative"),
    Index("ix_products_search", "search", postgresql_using="gin"),
    Index(
        "ix_products_attributes",
        "attributes",
        postgresql_using="gin",
        postgresql_ops={"attributes": "jsonb_path_ops"},
    ),
    Index("ix_products_active_price", "price_amount", "id", postgresql_where=ACTIVE),
    Index("ix_products_active_name", "name", "id", postgresql_where=ACTIVE),
    Index("ix_products_active_created", "created_at", "id", postgresql_where=ACTIVE),
)

product_images = Table(
    "product_images",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("product_id", Uuid, ForeignKey("products.id"), nullable=False, index=True),
    Column("content_type", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
