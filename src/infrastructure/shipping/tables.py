"""Shipping methods, their tariffs (one per currency) and each tariff's bands. Amounts and
band starts are NUMERIC(12, 2); CHECK constraints keep kinds and bases known and amounts not
negative; a composite foreign key ties each band to its method's tariff in that currency, and
deleting a method (or replacing its tariffs) cascades to them."""

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from infrastructure.db.metadata import metadata

shipping_methods = sa.Table(
    "shipping_methods",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("code", sa.Text, nullable=False, unique=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.Text, nullable=False),
    sa.Column("basis", sa.Text, nullable=False),
    sa.Column("countries", ARRAY(sa.Text), nullable=False),
    sa.Column("tax_category", sa.Text, nullable=False),
    sa.Column("max_weight_grams", sa.Integer, nullable=True),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.CheckConstraint("kind IN ('standard', 'express', 'pickup')", name="kind_known"),
    sa.CheckConstraint("basis IN ('weight', 'order_value')", name="basis_known"),
    sa.CheckConstraint("cardinality(countries) > 0", name="serves_a_country"),
    sa.CheckConstraint("max_weight_grams > 0", name="max_weight_positive"),
    # "Which methods serve DE?" is `countries @> ARRAY['DE']`, answered by this index.
    sa.Index("ix_shipping_methods_countries", "countries", postgresql_using="gin"),
)

shipping_tariffs = sa.Table(
    "shipping_tariffs",
    metadata,
    sa.Column(
        "method_id",
        sa.Uuid,
        sa.ForeignKey("shipping_methods.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("currency", sa.Text, primary_key=True),
    sa.Column("free_above", sa.Numeric(12, 2), nullable=True),
    sa.CheckConstraint("free_above >= 0", name="free_above_not_negative"),
    sa.CheckConstraint("currency ~ '^[A-Z]{3}$'", name="currency_code"),
)

shipping_bands = sa.Table(
    "shipping_bands",
    metadata,
    sa.Column("method_id", sa.Uuid, primary_key=True),
    sa.Column("currency", sa.Text, primary_key=True),
    sa.Column("from_value", sa.Numeric(12, 2), primary_key=True),
    sa.Column("price", sa.Numeric(12, 2), nullable=False),
    sa.ForeignKeyConstraint(
        ["method_id", "currency"],
        ["shipping_tariffs.method_id", "shipping_tariffs.currency"],
        ondelete="CASCADE",
    ),
    sa.CheckConstraint("from_value >= 0", name="from_value_not_negative"),
    sa.CheckConstraint("price >= 0", name="price_not_negative"),
)
